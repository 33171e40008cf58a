"""The runbook in docs/backup.md, run: a dump of a database with a published plan and its PDF,
restored into a fresh database, has the same rows, the frozen versions still frozen and the
PDF's SHA-256 intact."""

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from care_plans.models import PlanPdf
from tests.conftest import World

TABLES = ["clients_client", "access_accessevent", "care_plans_planversion", "care_plans_plangoal", "care_plans_planpdf"]


def _url(name: str) -> str:
    database = settings.DATABASES["default"]
    return f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/{name}"


def _counts(cursor: Any) -> dict[str, int]:
    counts = {}
    for table in TABLES:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (names from the list above)
        counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def restored_name() -> Iterator[str]:
    name = f"caseflow_restored_{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.django_db(transaction=True)
def test_a_dump_restores_with_the_same_rows_frozen_versions_and_intact_pdfs(
    world: World, tmp_path: Path, restored_name: str
) -> None:
    # The world holds a published version with its ready PDF, and the draft after it.
    assert PlanPdf.objects.get(version=world.plan_published).status == PlanPdf.Status.READY
    source = settings.DATABASES["default"]["NAME"]
    dump = tmp_path / "caseflow.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _url(source)], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", restored_name], check=True)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_url(restored_name)}", str(dump)], check=True
    )

    with connection.cursor() as cursor:
        expected = _counts(cursor)
    with psycopg.connect(_url(restored_name), autocommit=True) as restored:
        restored_cursor = restored.cursor()
        assert _counts(restored_cursor) == expected
        restored_cursor.execute(
            "SELECT count(*) FROM care_plans_planpdf"
            " WHERE status = 'ready' AND encode(sha256(content), 'hex') <> sha256"
        )
        assert restored_cursor.fetchone() == (0,)
        with pytest.raises(psycopg.Error):
            restored_cursor.execute("UPDATE care_plans_planversion SET client_wishes = 'x' WHERE status = 'published'")
