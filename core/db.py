"""Which database a query goes to. Writes, and reads by default, go to the primary
(``default``); the reads inside ``reading_from_replica()`` (the team lead's figures and exports,
heavy and a few seconds' lag is harmless to them) go to the read replica (``replica``), so that
they do not weigh on the primary that every coordinator writes to."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

REPLICA = "replica"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Sends the reads made inside to the replica, as a ``with`` block or a decorator of a view."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Reads inside ``reading_from_replica()`` to the replica, except while the primary holds an
    open transaction: what it has written but not committed is on the primary alone, and a read
    in the same unit of work must see it. Writes always to the primary; the replica is never
    migrated (it copies the primary)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if not _replica_reads.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The same rows, read from either: an event written to the primary may name a client
        # read from the replica.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return False if db == REPLICA else None
