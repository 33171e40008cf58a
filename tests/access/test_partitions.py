"""The access log partitioned by month (access.partitions): where a row lands, the job that
creates months ahead, and the retention that drops whole months past the period."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import ProgrammingError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from access import partitions, tasks
from access.checks import SHORTEST_RETENTION_MONTHS, retention_covers_the_look_back
from access.models import AccessEvent
from access.policy import Ground
from access.services import record_access, record_list_access
from tests.conftest import World

RETENTION = 30


def partition_holding(event: AccessEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM access_accessevent WHERE id = %s", [event.pk])
        return str(cursor.fetchone()[0])


def noon_on(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=ZoneInfo("Europe/Helsinki"))


def log_read(world: World, *, on: datetime.date | None = None) -> AccessEvent:
    if on is None:
        return record_access(
            actor=world.lead, client=world.own_client, action="view", what="client", ground=Ground.TEAM_LEAD
        )
    with time_machine.travel(noon_on(on), tick=False):
        return log_read(world)


def test_an_event_lands_in_its_months_partition(world: World) -> None:
    this_month = timezone.localdate().replace(day=1)
    last_year = partitions.add_months(this_month, -12)
    partitions.ensure_partitions(first=last_year, last=last_year)
    assert partition_holding(log_read(world)) == partitions.partition_name(this_month)
    assert partition_holding(log_read(world, on=last_year)) == partitions.partition_name(last_year)


def test_the_events_of_a_list_land_in_one_insert_in_their_month(world: World) -> None:
    other = world.give(world.coordinator)
    with transaction.atomic():
        record_list_access(actor=world.coordinator, clients=[world.own_client, other], what="caseload", ground="x")
    events = AccessEvent.objects.filter(what="caseload", actor=world.coordinator)
    assert {partition_holding(event) for event in events} == {
        partitions.partition_name(timezone.localdate().replace(day=1))
    }
    assert events.count() == 2


def test_a_month_without_a_partition_cannot_refuse_an_event_and_moves_into_its_own_when_created(
    world: World,
) -> None:
    far = partitions.add_months(timezone.localdate().replace(day=1), 120)
    event = log_read(world, on=far)
    assert partition_holding(event) == partitions.DEFAULT_PARTITION
    assert partitions.ensure_partitions(first=far, last=far) == [partitions.partition_name(far)]
    assert partition_holding(event) == partitions.partition_name(far)
    assert partitions.rows_in_default() == 0
    # The moved month is as append-only as any other.
    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(what="changed")


@pytest.mark.django_db
def test_creating_the_months_ahead_is_idempotent() -> None:
    this_month = timezone.localdate().replace(day=1)
    further = partitions.add_months(this_month, 4)
    with override_settings(ACCESS_LOG_PARTITIONS_AHEAD=4):
        with connection.cursor() as cursor:
            assert further not in partitions.existing(cursor)
        tasks.create_access_log_partitions()
        with connection.cursor() as cursor:
            months = partitions.existing(cursor)
        assert {this_month, further} <= set(months)
        assert partitions.ensure_ahead() == []
        tasks.create_access_log_partitions()
        with connection.cursor() as cursor:
            assert partitions.existing(cursor) == months


def test_retention_drops_only_whole_months_past_the_period_and_a_dry_run_nothing(world: World) -> None:
    today = timezone.localdate()
    kept_since = partitions.kept_since(RETENTION)
    partly_kept = log_read(world, on=kept_since)
    past = log_read(world, on=partitions.add_months(kept_since, -1))
    current = log_read(world)
    partitions.ensure_partitions(first=partitions.add_months(kept_since, -2), last=today)
    with connection.cursor() as cursor:
        before = partitions.existing(cursor)

    out = io.StringIO()
    call_command("prune_access_log", "--months", str(RETENTION), stdout=out)
    past_name = partitions.partition_name(past.at.astimezone(ZoneInfo("Europe/Helsinki")).date())
    assert f"Would drop {past_name}" in out.getvalue()
    assert partitions.partition_name(kept_since) not in out.getvalue()
    with connection.cursor() as cursor:
        assert partitions.existing(cursor) == before
    assert AccessEvent.objects.filter(pk=past.pk).exists()

    with connection.cursor() as cursor:
        # The rows above were written in this test's transaction; their foreign keys are checked
        # at its end, which a dropped table may not precede (in production no row is so new).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with override_settings(ACCESS_LOG_RETENTION_MONTHS=RETENTION):
        tasks.drop_expired_access_log_partitions()
    with connection.cursor() as cursor:
        after = partitions.existing(cursor)
    assert set(before) - set(after) == {month for month in before if month < kept_since.replace(day=1)}
    assert not AccessEvent.objects.filter(pk=past.pk).exists()
    assert set(AccessEvent.objects.filter(pk__in=[partly_kept.pk, current.pk]).values_list("pk", flat=True)) == {
        partly_kept.pk,
        current.pk,
    }


@pytest.mark.parametrize(("months", "errors"), [(SHORTEST_RETENTION_MONTHS - 1, 1), (SHORTEST_RETENTION_MONTHS, 0)])
def test_a_retention_shorter_than_the_clients_look_back_is_refused(months: int, errors: int) -> None:
    with override_settings(ACCESS_LOG_RETENTION_MONTHS=months):
        assert len(retention_covers_the_look_back()) == errors
