import pytest
from django.db import ProgrammingError, connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from rest_framework.test import APIClient

from access.models import AccessEvent
from access.policy import Ground
from clients.models import Client
from tests.conftest import World


def new_events(world: World) -> QuerySet[AccessEvent]:
    """The events written since the world was built (building it writes some)."""
    return AccessEvent.objects.filter(pk__gt=world.last_event_pk)


@pytest.mark.parametrize("route", ["client-detail", "api-client-detail"])
def test_opening_a_client_writes_exactly_one_access_event(world: World, api: APIClient, route: str) -> None:
    api.force_login(world.lead)
    response = api.get(reverse(route, kwargs={"pk": world.own_client.pk}))
    assert response.status_code == 200
    event = new_events(world).get()
    assert (event.actor, event.client, event.action, event.ground) == (
        world.lead,
        world.own_client,
        AccessEvent.Action.VIEW,
        Ground.TEAM_LEAD,
    )


def test_a_refused_read_leaves_no_access_event(world: World, api: APIClient) -> None:
    api.force_login(world.other_lead)
    assert api.get(reverse("client-detail", kwargs={"pk": world.own_client.pk})).status_code == 404
    assert not new_events(world).exists()


def test_the_caseload_logs_each_client_it_shows(world: World, api: APIClient) -> None:
    world.give(world.coordinator, count=3)
    api.force_login(world.coordinator)
    api.get(reverse("caseload"))
    listed = AccessEvent.objects.filter(action=AccessEvent.Action.LIST, actor=world.coordinator)
    assert listed.count() == 4
    assert set(listed.values_list("ground", flat=True)) == {Ground.DESIGNATED_COORDINATOR}


def test_the_access_log_cannot_be_changed_or_deleted(world: World, api: APIClient) -> None:
    api.force_login(world.coordinator)
    api.get(reverse("client-detail", kwargs={"pk": world.own_client.pk}))
    event = new_events(world).get()
    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(what="nothing")
    with (
        pytest.raises(ProgrammingError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM access_accessevent")
    assert AccessEvent.objects.get(pk=event.pk).what == "client.overview"


def test_the_administrator_does_not_read_the_log_and_the_data_protection_role_reads_it(world: World) -> None:
    client = APIClient()
    client.force_login(world.coordinator)
    client.get(reverse("client-detail", kwargs={"pk": world.own_client.pk}))
    event = new_events(world).get()
    client.force_login(world.admin)
    # Not on the admin site at all: the administrator sees no client data.
    assert client.get("/admin/access/accessevent/").status_code == 404
    client.force_login(world.data_protection)
    response = client.get(reverse("access-log"), {"client": world.own_client.pk})
    assert event in response.context["events"]
    assert AccessEvent.objects.get(pk=event.pk).what == "client.overview"


def test_client_changes_are_kept_as_row_history(world: World, api: APIClient) -> None:
    api.force_login(world.coordinator)
    api.patch(
        reverse("api-client-detail", kwargs={"pk": world.own_client.pk}), {"phone": "050 111 2222"}, format="json"
    )
    history = Client.pgh_event_model.objects.filter(pgh_obj=world.own_client).order_by("pgh_id")  # type: ignore[attr-defined]
    assert [event.pgh_label for event in history] == ["insert", "update"]
    assert history.last().phone == "050 111 2222"
