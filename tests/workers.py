"""A real Celery worker for the tests whose behaviour depends on one: a subprocess started with
the command line of one of the compose file's workers (its queues included: ``worker`` takes
everything but PDFs, ``pdf-worker`` the PDFs), against the test database and this test
process's own broker database."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings
from kombu import Queue

from caseflow.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


def compose_worker_command(service: str = "worker") -> list[str]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return shlex.split(compose["services"][service]["command"])


def _purge(queues: list[str]) -> None:
    """Empties the queues before the worker starts (not at its start, which would race with
    what the test sends next)."""
    with celery_app.connection_for_write(url=settings.CELERY_BROKER_URL) as connection:
        for queue in queues:
            Queue(queue, channel=connection.default_channel).purge()


def start_worker(
    name: str,
    log: Path,
    service: str = "worker",
    *,
    extra_env: dict[str, str] | None = None,
    purge: bool = True,
) -> subprocess.Popen[bytes]:
    """The compose file's worker ``service`` as node ``name@test``, logging to ``log``; it starts
    from empty queues, dropping what earlier tests sent to a broker no worker listened on (unless
    ``purge`` is off: a worker that replaces one that died takes over what is queued)."""
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        **(extra_env or {}),
        "DJANGO_SETTINGS_MODULE": "caseflow.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    command = compose_worker_command(service)
    assert command[0] == "celery"
    if purge:
        _purge(command[command.index("-Q") + 1].split(","))
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", *command, "-n", f"{name}@test", "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
