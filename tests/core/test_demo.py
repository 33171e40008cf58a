"""`make demo` starts its database over when an older layout of the apps migrated it."""

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from caseflow.demo import start_over_if_stale

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def demo_database() -> Iterator[str]:
    """A database of its own (tests run in parallel), with a migration table to fill."""
    name = f"caseflow_demo_check_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(SERVER, autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(_uri(name), autocommit=True) as database:
        database.execute("CREATE TABLE django_migrations (app text, name text, applied timestamptz)")
    yield name
    with psycopg.connect(SERVER, autocommit=True) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def _uri(name: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def _migrated(name: str, *rows: tuple[str, str]) -> None:
    with psycopg.connect(_uri(name), autocommit=True) as database:
        for app, migration in rows:
            database.execute("INSERT INTO django_migrations VALUES (%s, %s, now())", (app, migration))


def _has_migration_table(name: str) -> bool:
    with psycopg.connect(_uri(name)) as database:
        row = database.execute("SELECT to_regclass('django_migrations')").fetchone()
    return row is not None and row[0] is not None


def test_a_database_of_the_old_layout_starts_over(demo_database: str) -> None:
    _migrated(demo_database, ("clients", "0001_initial"), ("audit", "0001_initial"))
    assert start_over_if_stale(SERVER, _uri(demo_database), demo_database)
    assert not _has_migration_table(demo_database)


def test_a_database_of_this_layout_is_kept(demo_database: str) -> None:
    _migrated(demo_database, ("clients", "0001_initial"), ("assessments", "0001_initial"))
    assert not start_over_if_stale(SERVER, _uri(demo_database), demo_database)
    assert _has_migration_table(demo_database)
