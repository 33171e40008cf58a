"""The access log becomes a table partitioned by month of ``at`` (``access.partitions``): a
partition for each month from the oldest row's to ``ACCESS_LOG_PARTITIONS_AHEAD`` months ahead,
and a DEFAULT partition. No deployment holds data yet, so the rows are copied across. A loader of
older history (the large seed) first calls ``access.partitions.ensure_partitions`` for its
months. No more months than that: every transactional test truncates each partition."""

from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.utils import timezone

from access import partitions

TABLE = "access_accessevent"
OLD = "access_accessevent_unpartitioned"


def _definitions(cursor, table: str) -> tuple[list[str], list[str]]:
    """The statements that recreate the table's indexes, foreign keys and checks, and its
    triggers with their comments (pgtrigger keeps its hash in the comment)."""
    cursor.execute(
        "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
        [table, table],
    )
    statements = [definition.replace(" ONLY ", " ") for (definition,) in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'c')",
        [table],
    )
    statements += [f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}" for name, definition in cursor.fetchall()]
    cursor.execute(
        "SELECT tgname, pg_get_triggerdef(oid), obj_description(oid, 'pg_trigger') FROM pg_trigger "
        "WHERE tgrelid = %s::regclass AND NOT tgisinternal",
        [table],
    )
    triggers = []
    for name, definition, comment in cursor.fetchall():
        triggers.append(definition)
        if comment:
            triggers.append(f"COMMENT ON TRIGGER {name} ON {TABLE} IS '{comment}'")
    return statements, triggers


def _rebuild(schema_editor: BaseDatabaseSchemaEditor, *, by_month: bool) -> None:
    with schema_editor.connection.cursor() as cursor:
        statements, triggers = _definitions(cursor, TABLE)
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        partitioning = " PARTITION BY RANGE (at)" if by_month else ""
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE)" + partitioning
        )
        if by_month:
            cursor.execute(f"SELECT min(at) FROM {OLD}")  # noqa: S608
            (oldest,) = cursor.fetchone()
            this_month = timezone.localdate().replace(day=1)
            first = this_month if oldest is None else min(this_month, timezone.localdate(oldest).replace(day=1))
            cursor.execute(f"CREATE TABLE {partitions.DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT")
            month = first
            last = partitions.add_months(this_month, settings.ACCESS_LOG_PARTITIONS_AHEAD)
            while month <= last:
                cursor.execute(
                    f"CREATE TABLE {partitions.partition_name(month)} PARTITION OF {TABLE} "
                    f"FOR VALUES {partitions._bound_sql(month)}"
                )
                month = partitions.add_months(month, 1)
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")  # noqa: S608
        cursor.execute(f"DROP TABLE {OLD}")
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        (sequence,) = cursor.fetchone()
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {TABLE}_id_seq")
        cursor.execute(f"SELECT setval('{TABLE}_id_seq', coalesce(max(id), 0) + 1, false) FROM {TABLE}")  # noqa: S608
        # A partitioned table's primary key holds the partition column; Django keeps ``id`` as
        # the model's primary key, which stays unique (one sequence gives every id).
        key = "(id, at)" if by_month else "(id)"
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY {key}")
        for statement in statements + triggers:
            cursor.execute(statement)


def partition(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rebuild(schema_editor, by_month=True)


def unpartition(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rebuild(schema_editor, by_month=False)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0007_returning_clients"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accessevent",
            name="at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="at"),
        ),
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
