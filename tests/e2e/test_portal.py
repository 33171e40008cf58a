"""The client's portal in a real browser at 360 px: the client signs in through the demo
stand-in, reads their plan, writes their view and rates a goal, withdraws a consent and reads
who has looked at their data, by keyboard alone; axe-core on every page on the way."""

import pytest
from playwright.sync_api import Page, expect

from networks.models import Consent
from portal.models import ClientView
from tests.conftest import World
from tests.portal.test_portal import publish_with_goals

from .conftest import NewContext, assert_accessible

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def follow(page: Page, href: str) -> None:
    """Moves to the link by keyboard focus and opens it with Enter."""
    page.locator(f"a[href='{href}']").first.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{page.url.split('/oma/')[0]}{href}")


def test_the_client_reads_writes_rates_withdraws_and_sees_who_looked(
    new_context: NewContext, base_url: str, world: World
) -> None:
    version = publish_with_goals(world)
    goal = version.goals.order_by("order").first()
    assert goal is not None
    page = new_context(viewport=PHONE).new_page()

    page.goto(f"{base_url}/oma/")
    expect(page).to_have_url(f"{base_url}/oma/sign-in/?next=/oma/")
    assert_accessible(page)
    follow(page, "/oma/sign-in/demo/")
    assert_accessible(page)
    page.locator(f"#person-{world.citizen.pk}").focus()
    page.keyboard.press("Space")
    page.locator("main form button[type=submit]").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/oma/")
    expect(page.locator("main")).to_contain_text(world.coordinator.get_full_name())
    assert_accessible(page)

    follow(page, "/oma/plan/")
    expect(page.locator("main")).to_contain_text("Haluan käydä kaupassa itse.")
    assert_accessible(page)

    follow(page, "/oma/my-view/")
    assert_accessible(page)
    page.locator("#id_text").focus()
    page.keyboard.type("Kaupassa käynti sujuu jo melkein itse.")
    page.locator(f"#id_goal_{goal.pk}").focus()
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    page.locator("main form button[type=submit]").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_be_visible()
    assert_accessible(page)
    view = ClientView.objects.get(client=world.own_client)
    assert view.text == "Kaupassa käynti sujuu jo melkein itse."
    assert [(r.goal_id, r.rating) for r in view.ratings.all()] == [(goal.pk, 4)]

    follow(page, "/oma/consents/")
    assert_accessible(page)
    page.locator(f"form[action='/oma/consents/{world.relative_consent.pk}/withdraw/'] button").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_be_visible()
    assert Consent.objects.get(pk=world.relative_consent.pk).withdrawn_on is not None
    assert_accessible(page)

    follow(page, "/oma/who-has-looked/")
    expect(page.locator("table.portal-log")).to_contain_text(world.coordinator.get_full_name())
    assert_accessible(page)
