"""No orphaned clients: a coordinator leaves a team, or is deactivated, only once their
clients, reminders and meeting decisions are handed over (page and API, one service)."""

from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access.policy import Ground
from accounts.models import User
from clients import services as client_services
from teams.models import TeamMembership
from tests.conftest import World


def _membership(world: World, user: User) -> TeamMembership:
    return TeamMembership.objects.get(user=user, team=world.team_a, kind=TeamMembership.Kind.MEMBER)


def _page(user) -> Browser:
    user.language = "en"  # the assertions read English
    user.save(update_fields=["language"])
    browser = Browser()
    browser.force_login(user)
    return browser


def test_the_page_refuses_and_lists_what_is_left_with_a_link_to_the_handover(world: World) -> None:
    membership = _membership(world, world.coordinator)
    response = _page(world.lead).post(reverse("team-membership-end", args=[world.team_a.pk, membership.pk]))
    assert response.status_code == 400
    text = response.content.decode()
    assert "1 open client" in text
    assert "1 open reminder" in text
    assert reverse("caseload-of", args=[world.coordinator.pk]) in text
    membership.refresh_from_db()
    assert membership.ended_on is None


def test_the_api_refuses_with_the_same_figures(world: World) -> None:
    api = APIClient()
    api.force_login(world.admin)
    membership = _membership(world, world.coordinator)
    response = api.post(reverse("api-member-deactivate", args=[world.team_a.pk, membership.pk]))
    assert response.status_code == 400
    assert response.json()["left"] == {"open_clients": 1, "open_reminders": 1, "undone_decisions": 0}
    assert response.json()["handover"] == reverse("caseload-of", args=[world.coordinator.pk])
    world.coordinator.refresh_from_db()
    assert world.coordinator.is_active


def test_once_handed_over_the_membership_ends(world: World) -> None:
    client_services.hand_over(
        clients=[world.own_client], to=[world.colleague], by=world.lead, ground=Ground.TEAM_LEAD, note="x"
    )
    # The coordinator's open reminder was about that client: it left with it.
    membership = _membership(world, world.coordinator)
    response = _page(world.lead).post(reverse("team-membership-end", args=[world.team_a.pk, membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ended_on == timezone.localdate()


def test_an_administrator_deactivates_someone_with_nothing_left(world: World) -> None:
    membership = _membership(world, world.past_substitute)
    response = _page(world.admin).post(reverse("team-member-deactivate", args=[world.team_a.pk, membership.pk]))
    assert response.status_code == 302
    world.past_substitute.refresh_from_db()
    assert not world.past_substitute.is_active
