"""The work-ability track in a real browser: the employment specialist of the client's care team
opens the assessment from her clients, writes her own conclusion, and the coordinator sees it
beside the others and rates the work domain on its own scale; axe-core on every state."""

import datetime

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from access.policy import Ground
from accounts.factories import TeamMemberFactory
from accounts.models import Profession
from assessments.models import DomainNeed
from clients.models import Client
from networks import services as network_services
from tests.conftest import World

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def fi(message: str) -> str:
    with translation.override("fi"):
        return translation.gettext(message)


def test_the_employment_specialist_concludes_and_the_coordinator_rates_work_ability(
    page: Page, base_url: str, world: World
) -> None:
    # A working-age client: the work domain is offered.
    Client.objects.filter(pk=world.own_client.pk).update(
        date_of_birth=timezone.localdate() - datetime.timedelta(days=40 * 365)
    )
    specialist = TeamMemberFactory(username="employment", profession=Profession.EMPLOYMENT_SPECIALIST)
    network_services.add_to_care_team(
        client=world.own_client,
        professional=specialist,
        role="Työllisyysasiantuntija",
        started_on=timezone.localdate() - datetime.timedelta(days=5),
        by=world.coordinator,
        ground=Ground.DESIGNATED_COORDINATOR,
    )
    url = f"{base_url}/assessments/{world.assessment.pk}/"
    sign_in(page, base_url, "employment")
    page.goto(url)
    assert_accessible(page)
    page.get_by_label(fi("Your conclusion")).fill("Työkokeilu kaupan alalla osa-aikaisesti.")
    page.get_by_role("button", name=fi("Save your conclusion")).click()
    conclusions = page.locator("section", has=page.locator("#conclusions-heading"))
    expect(conclusions).to_contain_text("Työkokeilu kaupan alalla osa-aikaisesti.")
    expect(conclusions).to_contain_text(fi("Employment specialist"))
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, base_url, "coordinator")
    page.goto(f"{url}?edit=work")
    expect(conclusions).to_contain_text("Työkokeilu kaupan alalla osa-aikaisesti.")
    page.locator("#id_need-work-level_2").check()
    page.locator("#id_need-work-own_level").select_option("2")
    assert_accessible(page)
    page.locator("#domain-work").get_by_role("button", name=fi("Save the life domain")).click()
    # Saved in place: the form gives way to the summary.
    expect(page.locator("#id_need-work-own_level")).to_have_count(0)
    expect(page.locator("#domain-work")).to_contain_text("Työkyky osittain alentunut")
    assert_accessible(page)
    assert DomainNeed.objects.get(assessment=world.assessment, domain__code="work").own_level == 2
