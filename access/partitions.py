"""The access log's table, partitioned by month (PostgreSQL declarative partitioning, by range
of ``at``): one partition per calendar month in Helsinki time, so that a month of the client's
"who has looked" reads one partition, and the retention period is kept by dropping whole months
(a DROP TABLE, instead of deleting millions of rows from an append-only log).

A DEFAULT partition takes any row whose month has no partition yet (the beat job that creates
months ahead did not run, or rows were loaded from further back), so that logging an access can
never fail; creating that month's partition later moves those rows into it."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pgtrigger
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from .models import AccessEvent

logger = logging.getLogger(__name__)

TABLE = AccessEvent._meta.db_table
DEFAULT_PARTITION = f"{TABLE}_default"
# Serialises the jobs that create and drop partitions (beat may run twice, a deploy may overlap).
_LOCK = 703_2023


@dataclass(frozen=True)
class Partition:
    month: date
    rows: int | None = None

    @property
    def name(self) -> str:
        return partition_name(self.month)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months from ``month`` (back where negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def month_of(name: str) -> date | None:
    """The month of a partition named by ``partition_name``; None for any other table."""
    prefix = f"{TABLE}_y"
    rest = name.removeprefix(prefix)
    if rest == name or len(rest) != 7 or rest[4] != "m" or not (rest[:4] + rest[5:]).isdigit():
        return None
    return date(int(rest[:4]), int(rest[5:]), 1)


def bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next, at midnight in the project's time zone,
    where a month filter of the log (``access.log.events_about``) begins and ends."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(month.replace(day=1), time(), tzinfo=zone)
    return start, datetime.combine(add_months(month, 1), time(), tzinfo=zone)


def _bound_sql(month: date) -> str:
    start, end = bounds(month)
    return f"FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"


def existing(cursor: CursorWrapper) -> list[date]:
    """The months that have a partition, oldest first (tables of other names are left alone)."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
        [TABLE],
    )
    months = (month_of(name) for (name,) in cursor.fetchall())
    return sorted(month for month in months if month is not None)


def _stray_months(cursor: CursorWrapper) -> list[date]:
    """Months with rows in the DEFAULT partition (normally none, so a scan of nothing)."""
    cursor.execute(
        f"SELECT DISTINCT date_trunc('month', at AT TIME ZONE %s)::date FROM {DEFAULT_PARTITION}",  # noqa: S608
        [settings.TIME_ZONE],
    )
    return [month for (month,) in cursor.fetchall()]


def _create(cursor: CursorWrapper, month: date, *, has_rows: bool) -> None:
    name = partition_name(month)
    if not has_rows:
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES {_bound_sql(month)}")
        return
    # Rows of this month wait in the DEFAULT partition, which would make the new partition's
    # range overlap them: move them into a table of their own, then attach it (which builds its
    # indexes, foreign keys and the append-only trigger as the other partitions have them).
    start, end = bounds(month)
    cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    where = "at >= %s AND at < %s"
    cursor.execute(f"INSERT INTO {name} SELECT * FROM {DEFAULT_PARTITION} WHERE {where}", [start, end])  # noqa: S608
    # A move, not a change of the log: the rows are the same and stay in the same table.
    with pgtrigger.ignore("access.AccessEvent:append_only", databases=[cursor.db.alias]):
        cursor.execute(f"DELETE FROM {DEFAULT_PARTITION} WHERE {where}", [start, end])  # noqa: S608
    cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES {_bound_sql(month)}")


def ensure_partitions(*, first: date, last: date, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Creates the partitions of the months from ``first`` to ``last`` (and of any month with
    rows waiting in the DEFAULT partition) that do not exist yet; returns the names created.
    Idempotent, and safe to run twice at once."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        have = set(existing(cursor))
        wanted: set[date] = set()
        month = first.replace(day=1)
        while month <= last:
            wanted.add(month)
            month = add_months(month, 1)
        stray = set(_stray_months(cursor))
        if wanted | stray <= have:
            return []
        # No row may land in the DEFAULT partition between looking into it and creating the
        # months (reads go on; an insert routed there waits the few milliseconds).
        cursor.execute(f"LOCK TABLE {DEFAULT_PARTITION} IN SHARE MODE")
        stray = set(_stray_months(cursor))
        wanted |= stray
        created = []
        for month in sorted(wanted - have):
            _create(cursor, month, has_rows=month in stray)
            created.append(partition_name(month))
    if created:
        logger.info("Created access log partitions %s", ", ".join(created))
    return created


def ensure_ahead(*, today: date | None = None) -> list[str]:
    """The current month's partition and ``ACCESS_LOG_PARTITIONS_AHEAD`` months after it."""
    this_month = (today or timezone.localdate()).replace(day=1)
    return ensure_partitions(first=this_month, last=add_months(this_month, settings.ACCESS_LOG_PARTITIONS_AHEAD))


def kept_since(retention_months: int, *, today: date | None = None) -> date:
    """The first day whose entries the retention period still keeps: ``retention_months``
    before today, on the same day of the month (or the month's last day)."""
    today = today or timezone.localdate()
    month = add_months(today, -retention_months)
    following = add_months(month, 1)
    last_day = (following - month).days
    return month.replace(day=min(today.day, last_day))


def expired(retention_months: int, *, today: date | None = None, using: str = DEFAULT_DB_ALIAS) -> list[Partition]:
    """The partitions wholly older than the retention period, with their row counts: a month
    partly inside the period, and the current month, are never among them."""
    if retention_months < 1:
        raise ValueError("The retention period is at least one month.")
    limit = datetime.combine(kept_since(retention_months, today=today), time(), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with connections[using].cursor() as cursor:
        months = [month for month in existing(cursor) if bounds(month)[1] <= limit]
        found = []
        for month in months:
            cursor.execute(f"SELECT count(*) FROM {partition_name(month)}")  # noqa: S608
            found.append(Partition(month=month, rows=cursor.fetchone()[0]))
    return found


def drop(partitions: list[Partition], *, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Detaches and drops these partitions (whole months of the log); returns the names."""
    dropped = []
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        have = set(existing(cursor))
        for partition in partitions:
            if partition.month not in have:
                continue
            cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {partition.name}")
            cursor.execute(f"DROP TABLE {partition.name}")
            dropped.append(partition.name)
    if dropped:
        logger.info("Dropped access log partitions past the retention period: %s", ", ".join(dropped))
    return dropped


def rows_in_default(*, using: str = DEFAULT_DB_ALIAS) -> int:
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {DEFAULT_PARTITION}")  # noqa: S608
        return int(cursor.fetchone()[0])
