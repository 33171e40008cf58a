import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from caseflow.celery import app as celery_app
from caseflow.models import WorkerHeartbeat
from caseflow.tasks import record_heartbeat

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_goes_through_redis_to_a_real_worker_and_back(tmp_path: Path) -> None:
    queue = f"test-{uuid.uuid4().hex[:8]}"
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caseflow.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "caseflow",
                "worker",
                "-Q",
                queue,
                "-c",
                "1",
                "--pool",
                "solo",
                "-n",
                f"{queue}@test",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        record_heartbeat.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not WorkerHeartbeat.objects.filter(worker=f"{queue}@test").exists():
            assert worker.poll() is None, log.read_text()
            time.sleep(0.2)
        assert WorkerHeartbeat.objects.filter(worker=f"{queue}@test").exists(), log.read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=20)


@pytest.mark.django_db
def test_healthz_reports_database_and_broker() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_is_unavailable_when_the_broker_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert connection.is_usable()
