"""A team member's own clients, and a navigation that shows exactly the links that open."""

import datetime

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import AccessEvent
from access.policy import Ground
from accounts.factories import TeamMemberFactory
from accounts.models import Profession, User
from networks import services as network_services
from tests.conftest import World

URL = reverse("my-clients")


def signed_in(user: User) -> Browser:
    user.language = "en"  # the assertions read English
    user.save(update_fields=["language"])
    browser = Browser()
    browser.force_login(user)
    return browser


def _on_care_team(world: World, client, professional: User) -> None:
    network_services.add_to_care_team(
        client=client,
        professional=professional,
        role="Työhönvalmentaja",
        started_on=timezone.localdate() - datetime.timedelta(days=10),
        by=world.coordinator if client == world.own_client else world.colleague,
        ground=Ground.DESIGNATED_COORDINATOR,
    )


def test_the_nurse_sees_her_clients_with_next_meeting_and_sections(world: World) -> None:
    response = signed_in(world.member).get(URL)
    assert response.status_code == 200
    [(client, links)] = response.context["rows"]
    assert client == world.own_client
    pages = [url for _, url in links]
    assert reverse("client-care-plan", args=[client.pk]) in pages
    assert reverse("client-budgets", args=[client.pk]) not in pages
    assert AccessEvent.objects.filter(actor=world.member, what="my_clients", client=client).exists()


def test_the_search_stays_within_her_clients(world: World) -> None:
    browser = signed_in(world.member)
    assert browser.get(URL, {"q": world.own_client.last_name}).context["clients"] == [world.own_client]
    found = browser.get(URL, {"q": world.colleague_client.last_name}).context["clients"]
    assert world.colleague_client not in found


@pytest.mark.parametrize("q", ["\x00", "x" * 101])
def test_bad_search_is_a_400(world: World, q: str) -> None:
    assert signed_in(world.member).get(URL, {"q": q}).status_code == 400


def test_the_navigation_links_to_my_clients_for_a_team_member(world: World) -> None:
    assert f'href="{URL}"' in signed_in(world.member).get(URL).content.decode()
    assert f'href="{URL}"' not in signed_in(world.coordinator).get(reverse("caseload")).content.decode()


def test_the_employment_specialist_gets_the_plan_and_assessment_links_and_they_open(world: World) -> None:
    specialist = TeamMemberFactory(username="specialist", profession=Profession.EMPLOYMENT_SPECIALIST)
    _on_care_team(world, world.own_client, specialist)
    browser = signed_in(specialist)
    page = browser.get(reverse("client-meetings", args=[world.own_client.pk])).content.decode()
    plan = reverse("client-care-plan", args=[world.own_client.pk])
    assert f'href="{plan}"' in page
    assert browser.get(plan).status_code == 200
    # In a work-ability team she takes part in the assessment (issue 18).
    assessments = reverse("client-assessments", args=[world.own_client.pk])
    assert f'href="{assessments}"' in page
    assert browser.get(assessments).status_code == 200
    # Not her section: no link, and the page does not open.
    budgets = reverse("client-budgets", args=[world.own_client.pk])
    assert f'href="{budgets}"' not in page
    assert browser.get(budgets).status_code == 403


def test_the_query_count_does_not_grow_with_her_clients(world: World) -> None:
    browser = signed_in(world.member)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(URL).status_code == 200
        return len(queries)

    small = count()
    for _ in range(4):
        _on_care_team(world, world.give(world.colleague), world.member)
    assert len(browser.get(URL).context["clients"]) == 5
    assert count() == small
