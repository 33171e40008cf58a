"""A list costs the same number of queries whatever its length."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.factories import CoordinatorFactory
from teams.factories import TeamMembershipFactory
from tests.conftest import World


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_caseload_page_and_api_cost_the_same_for_5_and_50_clients(world: World) -> None:
    client = APIClient()
    client.force_login(world.coordinator)
    world.give(world.coordinator, count=4)
    page_5, api_5 = _queries(client, reverse("caseload")), _queries(client, reverse("api-caseload"))
    world.give(world.coordinator, count=45)
    page_50, api_50 = _queries(client, reverse("caseload")), _queries(client, reverse("api-caseload"))
    assert (page_50, api_50) == (page_5, api_5)
    # Session and user, the count and the page of assignments with clients, the audit insert;
    # on the page also the unread handover notes, the coordinators to hand clients over to and
    # the assessments due (contacts to start, children's to complete, RAI reassessments).
    assert page_5 <= 11
    assert api_5 <= 6


def test_team_leads_review_costs_the_same_for_2_and_20_coordinators(world: World) -> None:
    client = APIClient()
    client.force_login(world.lead)
    page_small, api_small = _queries(client, reverse("team-review")), _queries(client, reverse("api-team-review"))
    for _ in range(18):
        coordinator = CoordinatorFactory()
        TeamMembershipFactory(team=world.team_a, user=coordinator)
        world.give(coordinator, count=3)
    page_large, api_large = _queries(client, reverse("team-review")), _queries(client, reverse("api-team-review"))
    assert (page_large, api_large) == (page_small, api_small)
