"""A broker that is down or hung costs a web request seconds, not a minute: the timeouts in
settings bound every wait, /healthz says 503, and a PDF request is kept to be sent again.

The web process is a subprocess with its own broker URL, as in production: changing the
running Celery app's broker would leave its pooled connections behind for later tests."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django.conf import settings

from tests.workers import ROOT, compose_worker_command

WEB = """
import json, time
import django
django.setup()
from django.test import Client
from care_plans.services import queue_pdf
started = time.monotonic()
health = Client(HTTP_HOST="127.0.0.1").get("/healthz")
queued = queue_pdf(0)
print(json.dumps({"health": health.status_code, "broker": health.json()["broker"], "queued": queued,
                  "seconds": round(time.monotonic() - started, 1)}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def private_redis() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    try:
        yield server, f"redis://127.0.0.1:{port}/0"
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGCONT)
            server.terminate()
        server.wait(timeout=10)


def _web_request(broker: str) -> dict[str, object]:
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caseflow.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": broker,
    }
    # Without the timeouts a hung Redis holds the request for a minute or more: the bound
    # here says "it came back", not how fast (bench/ measures speed).
    done = subprocess.run([sys.executable, "-c", WEB], cwd=ROOT, env=env, capture_output=True, timeout=30, check=True)
    return json.loads(done.stdout.decode().strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.worker
@pytest.mark.django_db
def test_a_hung_broker_answers_503_and_keeps_the_pdf_request(
    private_redis: tuple[subprocess.Popen[bytes], str],
) -> None:
    server, broker = private_redis
    assert _web_request(broker)["broker"] == "ok"
    os.kill(server.pid, signal.SIGSTOP)  # accepts connections, answers nothing
    answer = _web_request(broker)
    assert (answer["health"], answer["broker"], answer["queued"]) == (503, "down", False), answer


@pytest.mark.worker
@pytest.mark.django_db
def test_a_broker_that_is_down_answers_503_and_keeps_the_pdf_request(
    private_redis: tuple[subprocess.Popen[bytes], str],
) -> None:
    server, broker = private_redis
    server.terminate()
    server.wait(timeout=10)
    answer = _web_request(broker)
    assert (answer["health"], answer["broker"], answer["queued"]) == (503, "down", False), answer


def test_the_compose_workers_consume_every_queue_a_task_is_routed_to() -> None:
    consumed: set[str] = set()
    for service in ("worker", "pdf-worker"):
        command = compose_worker_command(service)
        consumed |= set(command[command.index("-Q") + 1].split(",")) if "-Q" in command else {"celery"}
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {"celery"}
    assert routed <= consumed
