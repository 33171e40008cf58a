"""Coordination that ends on purpose, in a real browser: a review coming due shows on the
client's overview, and the coordinator records the coordination review by keyboard alone, with
axe-core clean before and after."""

import datetime

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from clients import selectors
from tests.conftest import World

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

TODAY = timezone.localdate()


def fi(message: str) -> str:
    with translation.override("fi"):
        return translation.gettext(message)


def day_equal_to_month(*, after: datetime.date) -> datetime.date:
    """The first day after ``after`` whose day and month are the same number (6.6.): typed into
    a date field it means the same whether the browser orders it day-month or month-day."""
    day = after + datetime.timedelta(days=1)
    while day.day != day.month:
        day += datetime.timedelta(days=1)
    return day


def tab_out_of(page: Page, field_id: str) -> None:
    """Tab past a date field: Tab first walks its day, month and year parts."""
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") != field_id:
            return
    raise AssertionError(f"Tab did not leave #{field_id}")


def test_a_coordination_review_recorded_by_keyboard(page: Page, base_url: str, world: World) -> None:
    period = selectors.open_period_of(world.own_client)
    assert period is not None
    period.review_due_on = TODAY + datetime.timedelta(days=5)
    period.save(update_fields=["review_due_on"])
    next_point = day_equal_to_month(after=TODAY + datetime.timedelta(days=30))

    sign_in(page, base_url, "coordinator")
    page.goto(f"{base_url}/clients/{world.own_client.pk}/")
    expect(page.locator("#coordination-review-heading")).to_be_visible()
    assert_accessible(page)

    # From the overview to the review form with the keyboard.
    link = page.get_by_role("link", name=fi("Record a coordination review"))
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/clients/{world.own_client.pk}/coordination/")
    expect(page.get_by_role("link", name=fi("Coordination"), exact=True)).to_have_attribute("aria-current", "page")
    assert_accessible(page)

    # Coordination goes on: the decision, the next point (typed day, month, year into the
    # Finnish date field), the client's view by arrow key, their words and the grounds.
    page.locator("#id_decision_0").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type(next_point.strftime("%d%m%Y"))
    tab_out_of(page, "id_next_review_on")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("Apu tuli, mutta hitaasti.")
    page.keyboard.press("Tab")
    page.keyboard.type("Kotihoito alkaa vasta ensi kuussa.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.locator("#reviews-heading")).to_be_visible()
    expect(page.locator("main table")).to_contain_text("Apu tuli, mutta hitaasti.")
    expect(page.locator("main table")).to_contain_text(next_point.strftime("%-d.%-m.%Y"))
    assert_accessible(page)
    period.refresh_from_db()
    assert period.review_due_on == next_point
    review = world.own_client.coordination_reviews.get()
    assert (review.decision, review.client_view) == ("continue", "partly")


def test_a_refused_review_shows_its_errors_accessibly(page: Page, base_url: str, world: World) -> None:
    sign_in(page, base_url, "coordinator")
    page.goto(f"{base_url}/clients/{world.own_client.pk}/coordination/")
    page.locator("#id_decision_0").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name=fi("Record the coordination review")).press("Enter")
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
