"""The client relationship in a real browser: intake of a new client, the live name search,
bulk handover with the note the receiver reads first, and axe-core on the new pages, at desktop
and phone widths."""

import datetime
import re
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from access.policy import Ground
from clients import services
from clients.identity_code import make_identity_code
from clients.models import Client
from core.calendar import add_working_days
from tests.conftest import World

from .conftest import NewContext, assert_accessible, sign_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(tempfile.gettempdir()) / "caseflow-e2e"  # looked at by people, not committed
PHONE = {"width": 375, "height": 800}
BORN = timezone.localdate() - datetime.timedelta(days=86 * 365)
IDENTITY_CODE = make_identity_code(BORN, 955)


def fi(message: str, **values: object) -> str:
    """The UI string as the server shows it in Finnish, the default language."""
    with translation.override("fi"):
        text = translation.gettext(message)
    return text % values if values else text


def fi_count(singular: str, plural: str, count: int) -> str:
    with translation.override("fi"):
        return translation.ngettext(singular, plural, count) % {"count": count}


def link_name(client: Client) -> str:
    return f"{client.last_name}, {client.first_name}"


def no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1] + 1, f"{page.url} overflows sideways: scrollWidth, innerWidth = {widths}"


def test_intake_of_a_new_client_for_a_coordinator_of_the_team(page: Page, base_url: str, world: World) -> None:
    sign_in(page, base_url, "lead")
    page.get_by_role("navigation").get_by_role("link", name=fi("Intake")).click()
    expect(page).to_have_url(f"{base_url}/intake/")
    assert_accessible(page)

    # Sent empty: the form again, with its messages, still accessible.
    page.locator("#intake-form button.primary").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)

    page.locator("#id_mode_1").check()
    page.locator("#id_first_name").fill("Eino")
    page.locator("#id_last_name").fill("Laine")
    page.locator("#id_date_of_birth").fill(BORN.isoformat())
    page.locator("#id_identity_code").fill(IDENTITY_CODE)
    page.locator("#id_municipality").fill("Kuopio")
    page.locator("#id_coordinator").select_option(str(world.coordinator.pk))
    page.locator("#id_channel").select_option("phone")
    page.locator("#id_source").select_option("relative")
    page.locator("#id_source_name").fill("Tytär Liisa")
    page.locator("#id_reason").fill("Kotona pärjääminen on vaikeutunut kaatumisen jälkeen.")
    page.locator("#intake-form button.primary").click()

    client = Client.objects.get(identity_code=IDENTITY_CODE)
    expect(page).to_have_url(f"{base_url}/clients/{client.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eino Laine")
    due = add_working_days(timezone.localdate(), 7)
    deadline = page.locator("section.deadline-box")
    expect(deadline).to_contain_text(f"{due.day}.{due.month}.{due.year}")
    expect(deadline.locator(".deadline-words")).to_be_visible()
    expect(page.locator("#named-worker")).to_contain_text(world.coordinator.get_full_name())
    expect(page.locator("#contacts")).to_contain_text("Tytär Liisa")
    assert_accessible(page)


def test_live_search_attaches_a_contact_to_an_existing_client(page: Page, base_url: str, world: World) -> None:
    client = world.own_client
    sign_in(page, base_url, "coordinator")
    page.goto(f"{base_url}/intake/")
    # Typos and a missing ä are forgiven; only the clients the coordinator may see are offered.
    page.locator("#intake-search").fill(client.last_name[:-1])
    choice = page.get_by_role("radio", name=re.compile(re.escape(link_name(client))))
    expect(choice).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile(re.escape(link_name(world.other_client))))).to_have_count(0)
    assert_accessible(page)
    choice.check()
    page.locator("#id_mode_0").check()
    page.locator("#id_channel").select_option("visit")
    page.locator("#id_source").select_option("client")
    page.locator("#id_reason").fill("Toive lisätä kotihoidon käyntejä.")
    page.locator("#intake-form button.primary").click()
    expect(page).to_have_url(f"{base_url}/clients/{client.pk}/")
    expect(page.locator("#contacts")).to_contain_text("Toive lisätä kotihoidon käyntejä.")


def test_bulk_handover_and_the_note_read_first(new_context: NewContext, base_url: str, world: World) -> None:
    second = world.give(world.coordinator)
    third = world.give(world.coordinator)
    page = new_context().new_page()
    sign_in(page, base_url, "coordinator")
    expect(page).to_have_url(f"{base_url}/caseload/")
    for client in (world.own_client, second):
        page.get_by_label(fi("Select %(name)s", name=client.full_name), exact=True).check()
    handover = page.locator("#handover-form")
    handover.get_by_role("checkbox", name=re.compile(re.escape(world.colleague.get_full_name()))).check()
    handover.get_by_label(fi("Handover note")).fill("Asiakkaat toivovat aamukäyntejä. Omainen soittaa maanantaisin.")
    assert_accessible(page)
    handover.get_by_role("button", name=fi("Hand over the selected clients")).click()
    expect(page.locator(".messages")).to_contain_text(
        fi_count("%(count)d client handed over.", "%(count)d clients handed over.", 2)
    )
    expect(page.get_by_role("link", name=link_name(third))).to_be_visible()
    expect(page.get_by_role("link", name=link_name(world.own_client))).to_have_count(0)

    colleague = new_context().new_page()
    sign_in(colleague, base_url, "colleague")
    expect(colleague).to_have_url(f"{base_url}/caseload/")
    # The notes come first: right after the heading, before the list of clients.
    first_section = colleague.locator("main h1 + section")
    expect(first_section).to_have_class(re.compile("handover-notes"))
    expect(first_section.locator(".note-card")).to_have_count(2)
    expect(first_section).to_contain_text("Omainen soittaa maanantaisin.")
    assert_accessible(colleague)
    card = first_section.locator(".note-card").filter(has_text=world.own_client.full_name)
    card.get_by_role("button").click()
    expect(colleague.locator("main h1 + section .note-card")).to_have_count(1)


def test_a_lead_selects_the_whole_page_of_a_leaving_coordinator(page: Page, base_url: str, world: World) -> None:
    world.give(world.coordinator, count=2)
    sign_in(page, base_url, "lead")
    page.goto(f"{base_url}/caseload/{world.coordinator.pk}/")
    page.get_by_role("link", name=fi("Select all on this page")).click()
    boxes = page.locator("#caseload input[type=checkbox]")
    expect(boxes).to_have_count(3)
    for index in range(3):
        expect(boxes.nth(index)).to_be_checked()
    expect(page.get_by_role("button", name=re.compile(re.escape(world.coordinator.get_full_name())))).to_be_visible()
    assert_accessible(page)


def test_the_new_pages_pass_axe_and_fit_a_phone(new_context: NewContext, base_url: str, world: World) -> None:
    client = world.own_client
    services.record_contact(
        client=client,
        by=world.coordinator,
        ground=Ground.DESIGNATED_COORDINATOR,
        contacted_on=timezone.localdate() - datetime.timedelta(days=20),
        channel="phone",
        source="relative",
        source_name="Poika Matti",
        reason="Muistin heikkeneminen, yksin asuminen huolestuttaa.",
    )
    services.hand_over(
        clients=[world.colleague_client],
        to=[world.coordinator],
        by=world.lead,
        ground=Ground.TEAM_LEAD,
        note="Asiakas kuulee huonosti: puhu selkeästi ja kasvokkain.",
    )
    world.give(world.coordinator, count=3)
    SCREENSHOTS.mkdir(exist_ok=True)
    for name, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", PHONE)):
        page = new_context(viewport=viewport).new_page()
        sign_in(page, base_url, "coordinator")
        for path in (
            "/caseload/",
            f"/clients/{client.pk}/",
            f"/clients/{world.colleague_client.pk}/",
            "/intake/",
            "/substitutions/",
            "/referrals/overdue/",
            f"/clients/{client.pk}/named-worker/",
            f"/clients/{client.pk}/close/",
            f"/clients/search/?q={client.last_name}",
        ):
            response = page.goto(f"{base_url}{path}")
            assert response is not None
            assert response.status == 200, path
            no_sideways_scroll(page)
            assert_accessible(page)
        page.goto(f"{base_url}/caseload/")
        page.screenshot(path=SCREENSHOTS / f"relationship-{name}-caseload.png", full_page=True)
        page.goto(f"{base_url}/clients/{client.pk}/")
        for summary in page.locator("details.form-panel > summary").all():
            summary.click()
        assert_accessible(page)
        page.screenshot(path=SCREENSHOTS / f"relationship-{name}-client.png", full_page=True)
        page.goto(f"{base_url}/referrals/overdue/")
        expect(page.get_by_role("link", name=link_name(client))).to_be_visible()
        page.screenshot(path=SCREENSHOTS / f"relationship-{name}-overdue.png", full_page=True)
        page.goto(f"{base_url}/intake/?q={client.last_name}")
        page.screenshot(path=SCREENSHOTS / f"relationship-{name}-intake.png", full_page=True)


def test_a_closed_client_is_read_only_until_reopened(page: Page, base_url: str, world: World) -> None:
    sign_in(page, base_url, "coordinator")
    page.goto(f"{base_url}/clients/{world.own_client.pk}/close/")
    page.locator("#id_reason_1").check()
    page.locator("#id_summary").fill("Muutti Ouluun; palvelut jatkuvat siellä.")
    page.locator("#id_reached").fill("Palvelut siirtyivät Ouluun.")
    page.locator("#id_client_view_0").check()
    page.locator("#id_confirm").check()
    page.locator("main form button.primary").click()
    expect(page).to_have_url(f"{base_url}/clients/{world.own_client.pk}/")
    expect(page.locator("#closed-heading")).to_be_visible()
    expect(page.get_by_role("link", name=fi("Edit details"))).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name=fi("Reopen the client relationship")).click()
    expect(page.locator("#closed-heading")).to_have_count(0)
    expect(page.locator("#named-worker")).to_contain_text(world.coordinator.get_full_name())
