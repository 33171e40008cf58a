"""A needs assessment in a real browser: the coordinator records the client's own view, assesses
a life domain and fills its time grid by keyboard alone (the form opens and saves in place with
htmx, and the week grid's count of uncovered times follows), then completes the assessment;
axe-core on every state of the page."""

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from assessments.models import Assessment, DomainNeed, LifeDomain
from tests.conftest import World

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def fi(message: str, **values: object) -> str:
    """The UI string as the server shows it in Finnish, the default language."""
    with translation.override("fi"):
        text = translation.gettext(message)
    return text % values if values else text


def fi_plural(singular: str, plural: str, count: int, **values: object) -> str:
    with translation.override("fi"):
        return translation.ngettext(singular, plural, count) % values


def test_an_assessment_filled_by_keyboard_with_the_clients_view(page: Page, base_url: str, world: World) -> None:
    client = world.own_client
    safety = LifeDomain.objects.get(code="safety")
    sign_in(page, base_url, "coordinator")

    page.goto(f"{base_url}/clients/{client.pk}/assessments/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(client.full_name)
    assert_accessible(page)
    page.get_by_role("link", name=world.assessment.started_on.strftime("%-d.%-m.%Y")).click()
    expect(page).to_have_url(f"{base_url}/assessments/{world.assessment.pk}/")
    assert_accessible(page)

    # The domain's form opens in place (htmx); everything below is done with the keyboard.
    page.get_by_role("link", name=fi("Assess: %(name)s", name=safety.name_fi)).click()
    level = page.locator("#id_need-safety-level_1")
    expect(level).to_be_visible()
    assert_accessible(page)
    level.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Pelkään kaatuvani yöllä.")
    # Monday morning: needed, not covered (the second choice); Tuesday morning: a formal service.
    page.locator("#id_need-safety-service").focus()
    page.keyboard.type("Turvapuhelin")
    page.locator("#id_need-safety-slot_0_morning").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.get_by_role("button", name=fi("Save the life domain")).focus()
    page.keyboard.press("Enter")

    section = page.locator("#domain-safety")
    expect(section).to_contain_text("Pelkään kaatuvani yöllä.")
    expect(section).to_contain_text("Turvapuhelin")
    # The World's need covers Monday morning by a relative; now safety leaves it uncovered.
    expect(page.locator("#grid-count")).to_have_text(
        fi_plural(
            "%(uncovered)s of the %(needed)s times when help is needed is not covered.",
            "%(uncovered)s of the %(needed)s times when help is needed are not covered.",
            1,
            uncovered=1,
            needed=2,
        )
    )
    expect(page.locator("table.week-grid td.uncovered")).to_have_count(1)
    need = DomainNeed.objects.get(assessment=world.assessment, domain=safety)
    assert need.level == 1
    assert {(s.weekday, s.time_of_day, s.coverage, s.service) for s in need.slots.all()} == {
        (0, "morning", "", ""),
        (1, "morning", "service", "Turvapuhelin"),
    }
    assert_accessible(page)

    # The statutory fields, the client's view in their own words, then completing.
    page.locator("#id_situation_summary").fill("Asuu yksin, kaatuillut öisin.")
    page.locator("#id_client_view").fill("Haluan asua kotona, kunhan joku tulee jos kaadun.")
    page.locator("#id_professional_conclusion").fill("Turvapuhelin ja iltakäynnit.")
    page.get_by_role("button", name=fi("Save"), exact=True).click()
    expect(page.locator(".messages")).to_contain_text(fi("The assessment was saved."))
    page.get_by_role("button", name=fi("Complete the assessment")).click()
    expect(page.locator(".messages")).to_contain_text(fi("The assessment was completed. It can no longer be changed."))
    expect(page.locator("main")).to_contain_text("Haluan asua kotona, kunhan joku tulee jos kaadun.")
    assert_accessible(page)
    assert Assessment.objects.get(pk=world.assessment.pk).status == Assessment.Status.COMPLETED
