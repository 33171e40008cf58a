"""The read replica (core.db): the team lead's figures and exports read from it, writes never
go to it, and a read inside an open transaction stays on the primary."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.utils import InternalError
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import AccessEvent
from clients.models import Client
from core.db import REPLICA, reading_from_replica
from teams import tasks
from teams.models import MonthlySnapshot
from tests.conftest import World


def test_reads_inside_go_to_the_replica_and_writes_never() -> None:
    assert router.db_for_read(Client) == DEFAULT_DB_ALIAS
    with reading_from_replica():
        assert router.db_for_read(Client) == REPLICA
        assert Client.objects.all().db == REPLICA
        assert router.db_for_write(Client) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Client) == DEFAULT_DB_ALIAS
    assert not router.allow_migrate(REPLICA, "clients")


def test_as_a_decorator_it_routes_only_the_call() -> None:
    @reading_from_replica()
    def figures() -> str:
        return Client.objects.all().db

    assert figures() == REPLICA
    assert Client.objects.all().db == DEFAULT_DB_ALIAS


def test_a_read_in_an_open_transaction_stays_on_the_primary(world: World) -> None:
    with transaction.atomic(), reading_from_replica():
        client = world.give(world.coordinator)
        assert Client.objects.all().db == DEFAULT_DB_ALIAS
        assert Client.objects.filter(pk=client.pk).exists()


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_the_review_its_api_and_exports_read_from_the_replica(world: World) -> None:
    world.give(world.colleague, 2)
    browser = Browser()
    browser.force_login(world.lead)
    routes = [
        reverse("team-review-figures"),
        reverse("api-team-review-figures"),
        reverse("team-review-export", args=["caseloads", "csv"]),
        reverse("team-review-export", args=["caseloads", "xlsx"]),
    ]
    for route in routes:
        with (
            CaptureQueriesContext(connections[REPLICA]) as replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        ):
            assert browser.get(route).status_code == 200
        read = [query["sql"] for query in replica.captured_queries]
        assert any("teams_teammembership" in sql for sql in read), route
        assert not any("teams_teammembership" in query["sql"] for query in primary.captured_queries), route
    # The monthly snapshots: figures read from the replica, the snapshot rows written to the primary.
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        tasks.write_monthly_snapshots()
    assert any("teams_teammembership" in query["sql"] for query in replica.captured_queries)
    assert MonthlySnapshot.objects.filter(team=world.team_a, coordinator=None).exists()
    # The replica connection is read-only, as a replica is: a write routed there would fail.
    with pytest.raises(InternalError, match="read-only"):
        Client.objects.using(REPLICA).filter(pk=world.own_client.pk).update(first_name="x")
    # Writes made while reading from the replica go to the primary.
    with reading_from_replica():
        client = Client.objects.get(pk=world.own_client.pk)
        assert client._state.db == REPLICA
        AccessEvent.objects.create(actor=world.lead, client=client, action="view", what="client", ground="x")
    assert AccessEvent.objects.filter(client=world.own_client, ground="x").exists()
