"""Bad input is a 400 with field errors (API) or the form again with messages (page); nothing
is saved, not even an audit row."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import AccessEvent
from clients.identity_code import make_identity_code
from clients.models import Assignment, Client, Contact, RelationshipPeriod
from tests.conftest import World

BORN = timezone.localdate() - datetime.timedelta(days=77 * 365)


def valid() -> dict[str, Any]:
    return {
        "first_name": "Helmi",
        "last_name": "Salo",
        "date_of_birth": BORN.isoformat(),
        "identity_code": make_identity_code(BORN, 921),
        "municipality": "Oulu",
        "preferred_language": "sv",
    }


BAD_INPUTS = [
    pytest.param({"identity_code": "010650-921X"}, "identity_code", id="wrong check character"),
    pytest.param({"identity_code": "010650Z921X"}, "identity_code", id="unknown century sign"),
    pytest.param({"date_of_birth": "1950-02-30"}, "date_of_birth", id="no such date"),
    pytest.param({"date_of_birth": "1.6.1950 klo"}, "date_of_birth", id="not a date"),
    pytest.param(
        {"date_of_birth": (BORN + datetime.timedelta(days=365)).isoformat()},
        "date_of_birth",
        id="date does not match the identity code",
    ),
    pytest.param({"preferred_language": "de"}, "preferred_language", id="unknown language"),
    pytest.param({"first_name": ["Helmi"]}, "first_name", id="wrong type"),
    pytest.param({"email": "not-an-address"}, "email", id="bad email"),
    pytest.param({"favourite_colour": "blue"}, "favourite_colour", id="unknown field"),
    pytest.param({"municipality": ""}, "municipality", id="required field empty"),
]


def _counts() -> tuple[int, int, int]:
    return Client.objects.count(), Assignment.objects.count(), AccessEvent.objects.count()


@pytest.mark.parametrize(("change", "field"), BAD_INPUTS)
def test_api_create_refuses_bad_input(world: World, api: APIClient, change: dict[str, Any], field: str) -> None:
    api.force_login(world.coordinator)
    before = _counts()
    response = api.post(reverse("api-client-create"), {**valid(), **change}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert _counts() == before


def test_api_create_with_valid_input_creates_client_and_assignment(world: World, api: APIClient) -> None:
    api.force_login(world.coordinator)
    response = api.post(reverse("api-client-create"), valid(), format="json")
    assert response.status_code == 201, response.json()
    client = Client.objects.get(pk=response.json()["id"])
    assert client.assignments.get().coordinator == world.coordinator
    assert AccessEvent.objects.filter(client=client, action=AccessEvent.Action.CREATE).count() == 1


def test_api_refuses_a_duplicate_identity_code(world: World, api: APIClient) -> None:
    api.force_login(world.coordinator)
    assert api.post(reverse("api-client-create"), valid(), format="json").status_code == 201
    before = _counts()
    response = api.post(reverse("api-client-create"), valid(), format="json")
    assert response.status_code == 400
    assert "identity_code" in response.json()
    assert _counts() == before


def test_api_intake_of_a_new_client_with_a_refused_contact_saves_nothing(world: World, api: APIClient) -> None:
    """The contact is refused only after the new client is made: the client, its relationship,
    its named worker and the audit rows must go with it (the API once left the client behind)."""
    api.force_login(world.coordinator)
    tables = (Client, RelationshipPeriod, Assignment, Contact, AccessEvent)
    before = [table.objects.count() for table in tables]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    contact = {"contacted_on": tomorrow.isoformat(), "channel": "phone", "source": "client", "reason": "Kaatuilu"}
    response = api.post(reverse("api-intake"), {"contact": contact, "client": valid()}, format="json")
    assert response.status_code == 400
    assert "contacted_on" in response.json(), response.json()
    assert [table.objects.count() for table in tables] == before
    assert not Client.objects.filter(identity_code=valid()["identity_code"]).exists()


@pytest.mark.parametrize(("change", "field"), BAD_INPUTS)
def test_api_update_refuses_bad_input(world: World, api: APIClient, change: dict[str, Any], field: str) -> None:
    api.force_login(world.coordinator)
    client = world.own_client
    original = Client.objects.filter(pk=client.pk).values().get()
    response = api.patch(reverse("api-client-detail", kwargs={"pk": client.pk}), change, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Client.objects.filter(pk=client.pk).values().get() == original
    assert not AccessEvent.objects.filter(pk__gt=world.last_event_pk, action=AccessEvent.Action.CHANGE).exists()


def test_api_update_saves_and_logs_a_change(world: World, api: APIClient) -> None:
    api.force_login(world.coordinator)
    url = reverse("api-client-detail", kwargs={"pk": world.own_client.pk})
    response = api.patch(url, {"phone": "040 765 4321", "municipality": "Kajaani"}, format="json")
    assert response.status_code == 200, response.json()
    world.own_client.refresh_from_db()
    assert (world.own_client.phone, world.own_client.municipality) == ("040 765 4321", "Kajaani")
    changes = AccessEvent.objects.filter(pk__gt=world.last_event_pk, action=AccessEvent.Action.CHANGE)
    assert list(changes.values_list("client", "what")) == [(world.own_client.pk, "client")]


@pytest.mark.parametrize(("change", "field"), [p for p in BAD_INPUTS if p.id not in ("wrong type", "unknown field")])
def test_page_form_redisplays_with_messages(world: World, change: dict[str, Any], field: str) -> None:
    client = APIClient()
    client.force_login(world.coordinator)
    before = _counts()
    response = client.post(reverse("client-create"), {**valid(), **change}, format="multipart")
    assert response.status_code == 400
    assert response.templates[0].name == "clients/form.html"
    form = response.context["form"]
    assert field in form.errors or form.non_field_errors(), form.errors
    assert 'class="error' in response.content.decode()
    assert _counts() == before


def test_page_form_creates_a_client(world: World) -> None:
    client = APIClient()
    client.force_login(world.coordinator)
    response = client.post(reverse("client-create"), valid(), format="multipart")
    assert response.status_code == 302
    created = Client.objects.get(identity_code=valid()["identity_code"])
    assert response["Location"] == reverse("client-detail", kwargs={"pk": created.pk})
