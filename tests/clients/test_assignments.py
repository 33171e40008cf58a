import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from access.policy import Ground
from accounts.factories import CoordinatorFactory
from accounts.models import User
from clients import services
from clients.models import Assignment
from tests.conftest import World


def test_a_new_assignment_closes_the_open_one(world: World) -> None:
    services.assign_coordinator(
        client=world.own_client,
        coordinator=world.colleague,
        started_on=world.relationships_since + datetime.timedelta(days=30),
        by=world.lead,
        ground=Ground.TEAM_LEAD,
        reason="Vaihto",
    )
    periods = list(world.own_client.assignments.order_by("started_on").values_list("coordinator", "ended_on"))
    assert periods == [
        (world.coordinator.pk, world.relationships_since + datetime.timedelta(days=30)),
        (world.colleague.pk, None),
    ]


def test_the_database_allows_one_open_assignment_per_client(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(client=world.own_client, coordinator=world.colleague, started_on=timezone.localdate())


def test_an_assignment_cannot_start_before_the_open_one(world: World) -> None:
    with pytest.raises(ValidationError):
        services.assign_coordinator(
            client=world.own_client,
            coordinator=world.colleague,
            started_on=world.relationships_since - datetime.timedelta(days=1),
            by=world.lead,
            ground=Ground.TEAM_LEAD,
        )


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_assignments_leave_one_open() -> None:
    """The second assignment is made while the first is still uncommitted: it waits on the
    first's row lock, then finds the place taken and gets a clear error."""
    world = World()
    first_coordinator, second_coordinator = CoordinatorFactory(), CoordinatorFactory()
    first_assigned, release_first = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def assign(coordinator: User) -> None:
        services.assign_coordinator(
            client=world.own_client,
            coordinator=coordinator,
            started_on=world.relationships_since + datetime.timedelta(days=30),
            by=world.lead,
            ground=Ground.TEAM_LEAD,
        )

    def first() -> None:
        try:
            with transaction.atomic():
                assign(first_coordinator)
                first_assigned.set()
                release_first.wait(60)
            outcomes["first"] = "ok"
        finally:
            connection.close()

    def second() -> None:
        first_assigned.wait(60)
        try:
            assign(second_coordinator)
            outcomes["second"] = "ok"
        except ValidationError as error:
            outcomes["second"] = error.error_list[0].code or ""
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    release_first.set()
    for thread in threads:
        thread.join()
    assert outcomes["first"] == "ok"
    assert outcomes["second"] == "assigned_concurrently"
    [current] = world.own_client.assignments.filter(ended_on__isnull=True)
    assert current.coordinator == first_coordinator
