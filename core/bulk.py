"""Writing many rows fast, for the large demo data sets: PostgreSQL's COPY through psycopg 3's
``cursor.copy``, the ids given by the writer (so that rows can name each other before they are
written) and the tables' identity sequences moved past them at the end.

The load runs with ``session_replication_role = replica`` for its transaction (``SET LOCAL``):
no trigger fires — neither the history (pghistory) triggers, which would double every row, nor
the foreign-key checks — so the generators own their consistency, and a test checks it. CHECK,
UNIQUE and NOT NULL constraints still hold. Knows no domain: tables are Django models."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from psycopg import sql
from tqdm import tqdm

COPY_BATCH = 50_000  # rows between progress updates


class Loader:
    """One bulk load: id allocation per table, COPY with a progress bar, row counts."""

    def __init__(self, *, progress: bool = True) -> None:
        self.progress = progress
        self.counts: dict[str, int] = {}
        self._next_id: dict[str, int] = {}
        self._tables: set[str] = set()

    def ids(self, model: type[models.Model], count: int) -> range:
        """``count`` fresh primary keys of ``model``'s table, after every id already there."""
        table = model._meta.db_table
        if table not in self._next_id:
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("SELECT coalesce(max(id), 0) + 1 FROM {}").format(sql.Identifier(table)).as_string()
                )
                self._next_id[table] = int(cursor.fetchone()[0])
        start = self._next_id[table]
        self._next_id[table] = start + count
        return range(start, start + count)

    def next_id(self, model: type[models.Model]) -> int:
        return self.ids(model, 1).start

    def bar(self, desc: str, total: int | None = None) -> tqdm[Any]:
        return tqdm(total=total, desc=desc, unit=" rows", disable=not self.progress, smoothing=0.1, mininterval=1.0)

    def copy(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        bar: tqdm[Any] | None = None,
    ) -> int:
        """COPYs ``rows`` (tuples in the order of ``columns``) into ``model``'s table; returns
        how many. ``bar`` (a shared progress bar of the stage) is advanced as they go."""
        table = model._meta.db_table
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(column) for column in columns)
        )
        written = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor under Django's wrapper
            with raw.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
                    if bar is not None and written % COPY_BATCH == 0:
                        bar.update(COPY_BATCH)
        if bar is not None:
            bar.update(written % COPY_BATCH)
        self.counts[table] = self.counts.get(table, 0) + written
        self._tables.add(table)
        return written

    def finish(self) -> None:
        """Moves each written table's id sequence past its rows and refreshes its statistics."""
        with connection.cursor() as cursor:
            for table in sorted(self._tables):
                cursor.execute(
                    sql.SQL("SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {}))")
                    .format(sql.Identifier(table))
                    .as_string(),
                    [table],
                )

    def analyze(self) -> None:
        """Fresh planner statistics of the written tables."""
        with connection.cursor() as cursor:
            for table in sorted(self._tables):
                cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)).as_string())


@contextmanager
def triggers_off() -> Iterator[None]:
    """No trigger fires for the rest of the current transaction (needs a superuser, as the
    seed's database owner is in development)."""
    if not connection.in_atomic_block:
        raise RuntimeError("triggers_off() belongs inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
