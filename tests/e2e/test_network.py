"""The client's network in a real browser: the coordinator adds a relative with consent for
meetings, plans a meeting with them, records its decisions, and later withdraws the consent with
htmx; axe-core on every network page on the way."""

import datetime
import re
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from networks.models import Decision, NetworkMeeting, NetworkMember
from tests.conftest import World

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(tempfile.gettempdir()) / "caseflow-e2e"  # looked at by people, not committed


def fi(message: str, **values: object) -> str:
    """The UI string as the server shows it in Finnish, the default language."""
    with translation.override("fi"):
        text = translation.gettext(message)
    return text % values if values else text


def test_a_relative_with_consent_joins_a_meeting_and_gets_a_decision(page: Page, base_url: str, world: World) -> None:
    client = world.own_client
    SCREENSHOTS.mkdir(exist_ok=True)
    sign_in(page, base_url, "coordinator")

    page.get_by_role("navigation", name=fi("Main")).get_by_role("link", name=fi("Teams")).click()
    expect(page).to_have_url(f"{base_url}/teams/")
    assert_accessible(page)
    page.get_by_role("link", name=world.team_a.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.team_a.name)
    expect(page.locator("main table")).to_contain_text(world.member.get_full_name())
    assert_accessible(page)

    # The client's own network: a son who drives to appointments.
    page.goto(f"{base_url}/clients/{client.pk}/network/")
    assert_accessible(page)
    page.locator("#network summary").click()
    page.locator("#id_member-name").fill("Matti Virtanen")
    page.locator("#id_member-relationship").select_option("child")
    page.locator("#id_member-phone").fill("040 765 4321")
    page.locator("#id_member-helps_with").fill("Kuljetukset lääkäriin")
    page.locator("#id_member-available").fill("Arki-illat")
    page.get_by_role("button", name=fi("Add to the network")).click()
    expect(page.locator(".messages")).to_contain_text(fi("The person was added to the client's network."))
    son = NetworkMember.objects.get(name="Matti Virtanen")
    expect(page.locator("#network")).to_contain_text("Kuljetukset lääkäriin")

    # His consent to share meetings, with the checkboxes; sent first without the purpose.
    page.locator("#consents summary").click()
    consent_form = page.locator("#consents form.stacked")
    consent_form.locator("#id_consent-network_member").select_option(str(son.pk))
    consent_form.get_by_label(fi("Network meetings")).check()
    valid_until = timezone.localdate() + datetime.timedelta(days=365)
    consent_form.locator("#id_consent-valid_until").fill(valid_until.isoformat())
    consent_form.get_by_role("button", name=fi("Record the consent")).click()
    expect(page.locator("#consents .error-summary")).to_be_visible()
    assert_accessible(page)
    consent_form = page.locator("#consents form.stacked")
    consent_form.locator("#id_consent-purpose").fill("Verkostopalaverit")
    consent_form.get_by_role("button", name=fi("Record the consent")).click()
    expect(page.locator(".messages")).to_contain_text(fi("The consent was recorded."))
    consent_row = page.locator("#consents tbody tr").filter(has_text="Matti Virtanen")
    expect(consent_row).to_contain_text(fi("In force"))
    expect(consent_row).to_contain_text(fi("Network meetings"))
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "network.png"), full_page=True)

    # A meeting with him, yesterday at ten, Finnish time.
    page.goto(f"{base_url}/clients/{client.pk}/meetings/")
    assert_accessible(page)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    plan = page.locator("#plan form")
    plan.locator("#id_on").fill(yesterday.isoformat())
    plan.locator("#id_starts").fill("10:00")
    plan.locator("#id_ends").fill("11:30")
    plan.locator("#id_place").fill("Asiakkaan koti")
    plan.locator("#id_agenda").fill("Kuljetukset ja kotihoidon käynnit")
    plan.get_by_label(re.compile(re.escape(world.member.get_full_name()))).check()
    plan.get_by_label("Matti Virtanen").check()
    plan.get_by_role("button", name=fi("Plan the meeting")).click()
    meeting = NetworkMeeting.objects.get(place="Asiakkaan koti", agenda__startswith="Kuljetukset")
    # The form's own anchor (#plan) may stay on the address.
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/meetings/{meeting.pk}/(#plan)?$"))
    assert timezone.localtime(meeting.starts_at).hour == 10
    expect(page.locator("main dl.details")).to_contain_text("10:00–11:30")
    expect(page.locator("main dl.details")).to_contain_text("Matti Virtanen")
    assert_accessible(page)

    # The record: notes, the client's own view, a decision for the son and one for the client.
    due = timezone.localdate() + datetime.timedelta(days=14)
    record = page.locator("#record form")
    record.locator("#id_notes").fill("Sovittiin kuljetuksista ja turvarannekkeesta.")
    record.locator("#id_client_view").fill("Haluan pärjätä kotona, mutta en halua olla vaivaksi.")
    record.locator("#id_decisions-0-text").fill("Matti kuljettaa lääkäriin tiistaisin.")
    record.locator("#id_decisions-0-responsible").select_option(f"member:{son.pk}")
    record.locator("#id_decisions-0-due_on").fill(due.isoformat())
    record.locator("#id_decisions-1-text").fill("Asiakas kokeilee turvaranneketta kuukauden.")
    record.locator("#id_decisions-1-responsible").select_option("client")
    record.locator("#id_decisions-2-text").fill("Hakemus Kelaan hoitotuesta.")
    record.locator("#id_decisions-2-responsible").select_option(f"professional:{world.coordinator.pk}")
    record.locator("#id_decisions-2-due_on").fill(due.isoformat())
    record.get_by_role("button", name=fi("Record the meeting as held")).click()
    expect(page.locator(".messages")).to_contain_text(fi("The meeting was recorded."))
    decisions = page.locator("#decisions tbody tr")
    expect(decisions).to_have_count(3)
    expect(decisions.filter(has_text="Matti kuljettaa")).to_contain_text("Matti Virtanen")
    expect(decisions.filter(has_text="turvaranneketta")).to_contain_text(fi("The client"))
    expect(page.locator("section.client-view")).to_contain_text("en halua olla vaivaksi")
    assert Decision.objects.filter(meeting=meeting, responsible_member=son).exists()
    assert Decision.objects.filter(meeting=meeting, responsible_client=True).exists()
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "meeting.png"), full_page=True)

    page.goto(f"{base_url}/decisions/")
    row = page.locator("main tbody tr").filter(has_text="Hakemus Kelaan")
    expect(row).to_contain_text(client.full_name)
    expect(row).to_contain_text(f"{due.day}.{due.month}.{due.year}")
    assert_accessible(page)

    # Later the client withdraws the son's consent: htmx replaces the network and consents part of
    # the page, without a reload, and the status line says what happened.
    page.goto(f"{base_url}/clients/{client.pk}/network/")
    page.evaluate("window.notReloaded = true")
    consent_row = page.locator("#consents tbody tr").filter(has_text="Matti Virtanen")
    consent_row.get_by_role("button", name=re.compile(re.escape(fi("Withdraw")))).click()
    expect(page.locator("#network-status")).to_contain_text(
        fi("The consent was withdrawn; nothing more is shared under it.")
    )
    expect(page.locator("#consents tbody tr").filter(has_text="Matti Virtanen")).to_contain_text(fi("Withdrawn"))
    expect(page.locator("#network tbody tr").filter(has_text="Matti Virtanen")).to_contain_text(fi("Nothing"))
    assert page.evaluate("window.notReloaded") is True
    assert son.consents.get().withdrawn_on == timezone.localdate()
    assert_accessible(page)
