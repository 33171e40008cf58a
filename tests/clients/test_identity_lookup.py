"""Identity-code lookup is for intake only: the roles that do intake, throttled per user,
logged with its purpose, and to a caller without a ground it tells only that a client exists
and which team to contact."""

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client as Browser
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import AccessEvent
from accounts.models import User
from clients.identity_code import make_identity_code
from clients.models import Client
from tests.conftest import World

LOOKUP = "api-intake-lookup"


@pytest.fixture
def start_of_a_minute() -> Iterator[None]:
    """The allowance is counted in windows of a clock minute: a test that counts lookups starts
    at the beginning of one (the clock going on), so that its lookups never straddle two."""
    with time_machine.travel(timezone.now().replace(second=0, microsecond=0), tick=True):
        yield


def lookup(user: User, code: str) -> Any:
    api = APIClient()
    api.force_login(user)
    return api.post(reverse(LOOKUP), {"identity_code": code}, format="json")


@pytest.mark.parametrize("role", ["member", "admin"])
def test_roles_that_do_no_intake_are_refused(world: World, role: str) -> None:
    response = lookup(getattr(world, role), world.other_client.identity_code)
    assert response.status_code == 403
    assert world.other_client.last_name not in response.content.decode()
    assert not AccessEvent.objects.filter(pk__gt=world.last_event_pk, what="intake.lookup").exists()


def test_without_a_ground_only_the_existence_and_the_team_to_contact(world: World) -> None:
    response = lookup(world.coordinator, world.other_client.identity_code)
    assert response.status_code == 200
    body = response.json()
    assert body["exists"] is True
    assert body["client"] is None
    assert body["team"] == world.team_b.name
    assert world.other_lead.get_full_name() in body["contact"]
    text = response.content.decode()
    for secret in (world.other_client.first_name, world.other_client.last_name, str(world.other_client.date_of_birth)):
        assert secret not in text
    event = AccessEvent.objects.get(pk__gt=world.last_event_pk, what="intake.lookup")
    assert (event.actor_id, event.client_id, event.ground, event.reason) == (
        world.coordinator.pk,
        world.other_client.pk,
        "intake",
        "intake",
    )


def test_with_a_ground_the_client(world: World) -> None:
    body = lookup(world.coordinator, world.own_client.identity_code.lower()).json()
    assert body["client"]["id"] == world.own_client.pk
    assert body["client"]["last_name"] == world.own_client.last_name


def test_no_such_client_and_a_malformed_code(world: World) -> None:
    # The factories number their clients' codes in sequence: take a number no client of that
    # birth date holds, whatever the tests before this one made.
    born = world.own_client.date_of_birth
    taken = set(Client.objects.filter(date_of_birth=born).values_list("identity_code", flat=True))
    unused = next(code for n in range(998, 1, -1) if (code := make_identity_code(born, n)) not in taken)
    assert lookup(world.coordinator, unused).json() == {"exists": False, "client": None, "team": "", "contact": ""}
    response = lookup(world.coordinator, "Virtanen")
    assert response.status_code == 400
    assert "identity_code" in response.json()


@override_settings(IDENTITY_LOOKUPS_PER_MINUTE=3)
@pytest.mark.usefixtures("start_of_a_minute")
def test_throttled_per_user(world: World) -> None:
    for _ in range(3):
        assert lookup(world.lead, world.other_client.identity_code).status_code == 200
    refused = lookup(world.lead, world.other_client.identity_code)
    assert refused.status_code == 429
    assert refused.json()["detail"]
    # Another user has their own allowance.
    assert lookup(world.colleague, world.other_client.identity_code).status_code == 200


@override_settings(IDENTITY_LOOKUPS_PER_MINUTE=1)
@pytest.mark.usefixtures("start_of_a_minute")
def test_the_intake_page_throttles_with_a_clear_error(world: World) -> None:
    browser = Browser()
    browser.force_login(world.coordinator)
    data = {"action": "lookup", "existing_identity_code": world.other_client.identity_code}
    first = browser.post(reverse("intake"), data)
    assert first.status_code == 200
    assert world.team_b.name in first.content.decode()
    assert world.other_client.last_name not in first.content.decode()
    second = browser.post(reverse("intake"), data)
    assert second.status_code == 429
    assert second.context["conflict"]


def test_the_general_search_by_identity_code_finds_only_visible_clients(world: World) -> None:
    api = APIClient()
    api.force_login(world.coordinator)
    url = reverse("api-client-search")
    assert api.get(url, {"q": world.other_client.identity_code}).json() == []
    assert [row["id"] for row in api.get(url, {"q": world.own_client.identity_code}).json()] == [world.own_client.pk]
    api.force_login(world.admin)
    assert api.get(url, {"q": world.own_client.identity_code}).json() == []


def test_intake_on_someone_elses_open_client_does_not_name_them(world: World) -> None:
    browser = Browser()
    browser.force_login(world.coordinator)
    response = browser.post(
        reverse("intake"),
        {
            "mode": "existing",
            "existing_identity_code": world.other_client.identity_code,
            "contacted_on": world.relationships_since.isoformat(),
            "channel": "phone",
            "source": "client",
            "reason": "Uusi tarve",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert world.other_client.last_name not in response.content.decode()
    assert world.other_client.contacts.exists()
