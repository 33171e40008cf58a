import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from caseflow.celery import app as celery_app
from core.models import WorkerHeartbeat
from core.tasks import record_heartbeat
from tests.workers import start_worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_goes_through_redis_to_a_real_worker_and_back(tmp_path: Path) -> None:
    queue = f"test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    worker = start_worker(queue, log)
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
    # Both: the web's connection for writing reads broker_write_url once it has been set.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(celery_app.conf, "broker_write_url", "redis://127.0.0.1:1/0")
    response = Client().get("/healthz")
    assert response.status_code == 503, response.json()
    assert response.json()["broker"] == "down"
    assert connection.is_usable()
