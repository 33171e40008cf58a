import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from caseflow.access import Ground
from caseflow.accounts.factories import CoordinatorFactory
from caseflow.accounts.models import User
from clients import services
from clients.models import Assignment
from tests.conftest import World


def test_a_new_assignment_closes_the_open_one(world: World) -> None:
    services.assign_coordinator(
        client=world.own_client,
        coordinator=world.colleague,
        started_on=datetime.date(2026, 1, 5),
        by=world.lead,
        ground=Ground.TEAM_LEAD,
        reason="Vaihto",
    )
    periods = list(world.own_client.assignments.order_by("started_on").values_list("coordinator", "ended_on"))
    assert periods == [(world.coordinator.pk, datetime.date(2026, 1, 5)), (world.colleague.pk, None)]


def test_the_database_allows_one_open_assignment_per_client(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            client=world.own_client, coordinator=world.colleague, started_on=datetime.date.today()
        )


def test_an_assignment_cannot_start_before_the_open_one(world: World) -> None:
    with pytest.raises(ValidationError):
        services.assign_coordinator(
            client=world.own_client,
            coordinator=world.colleague,
            started_on=datetime.date(2020, 1, 1),
            by=world.lead,
            ground=Ground.TEAM_LEAD,
        )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_assignments_leave_one_open() -> None:
    world = World()
    contenders = [CoordinatorFactory(), CoordinatorFactory()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def assign(coordinator: User) -> None:
        try:
            barrier.wait()
            services.assign_coordinator(
                client=world.own_client,
                coordinator=coordinator,
                started_on=datetime.date(2026, 2, 1),
                by=world.lead,
                ground=Ground.TEAM_LEAD,
            )
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(c,)) for c in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert world.own_client.assignments.filter(ended_on__isnull=True).count() == 1
    assert sorted(outcomes) == ["ok", "refused"]
