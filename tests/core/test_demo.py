"""`make demo`: gunicorn in front of an embedded PostgreSQL, stopped cleanly by Ctrl-C or SIGTERM;
its database started over when an older layout of the apps migrated it."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
from psycopg import sql

from caseflow.demo import start_over_if_stale

ROOT = Path(__file__).resolve().parents[2]
# A first start makes the database: initdb, every migration and the small seed.
START_SECONDS = 300
STOP_SECONDS = 30

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own loopback server)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def _start_demo(data: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """The demo in a process group of its own, as a terminal would run it; ready to answer."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    with log.open("ab") as output:
        demo = subprocess.Popen(
            [sys.executable, "-m", "caseflow.demo", "--port", str(port), "--data", str(data)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert demo.poll() is None, log.read_text()[-3000:]
        try:
            if _status(f"http://127.0.0.1:{port}/login/") == 200:
                return demo
        except OSError:
            pass
        time.sleep(1)
    demo.kill()
    pytest.fail(f"the demo did not answer in {START_SECONDS} s:\n{log.read_text()[-3000:]}")


def _everything_it_runs(demo: subprocess.Popen[bytes], data: Path) -> list[psutil.Process]:
    """gunicorn's master and workers, and the embedded PostgreSQL (a daemon of its own)."""
    postmaster = int((data / "pgdata" / "postmaster.pid").read_text().split()[0])
    return [*psutil.Process(demo.pid).children(recursive=True), psutil.Process(postmaster)]


def _assert_stopped_cleanly(demo: subprocess.Popen[bytes], processes: list[psutil.Process], port: int) -> None:
    assert demo.wait(STOP_SECONDS) == 0
    _gone, alive = psutil.wait_procs(processes, timeout=STOP_SECONDS)
    assert not alive, [process.cmdline() for process in alive]
    with pytest.raises(urllib.error.URLError):
        _status(f"http://127.0.0.1:{port}/login/")


def test_the_demo_serves_through_gunicorn_and_stops_with_nothing_left_running(tmp_path: Path) -> None:
    data, log = tmp_path / "demo", tmp_path / "demo.log"
    port = _free_port()
    demo = _start_demo(data, port, log)
    try:
        processes = _everything_it_runs(demo, data)
        assert any("gunicorn" in " ".join(process.cmdline()) for process in processes)
        # Static files by WhiteNoise, with no collectstatic and no runserver.
        assert _status(f"http://127.0.0.1:{port}/static/css/app.css") == 200
        # Finnish from the first run, on a database made just now (issue 19, part 7).
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
            first_page = response.read().decode()
        assert '<html lang="fi">' in first_page
        assert "<h1>Kirjaudu sisään</h1>" in first_page
        os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C at the terminal: to the whole process group
        _assert_stopped_cleanly(demo, processes, port)

        demo = _start_demo(data, port, log)  # the data kept: no new migration, no new seed
        processes = _everything_it_runs(demo, data)
        demo.send_signal(signal.SIGTERM)  # a service manager's stop: to the demo process alone
        _assert_stopped_cleanly(demo, processes, port)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
