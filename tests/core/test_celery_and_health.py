import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from core.models import WorkerHeartbeat
from core.tasks import record_heartbeat
from tests.workers import start_worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_goes_through_redis_to_a_real_worker_and_back(tmp_path: Path) -> None:
    name = f"test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    worker = start_worker(name, log)
    try:
        record_heartbeat.delay()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not WorkerHeartbeat.objects.filter(worker=f"{name}@test").exists():
            assert worker.poll() is None, log.read_text()
            time.sleep(0.2)
        assert WorkerHeartbeat.objects.filter(worker=f"{name}@test").exists(), log.read_text()
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
def test_healthz_is_unavailable_when_the_broker_is_down(settings: Any) -> None:
    # Settings, not the Celery app's configuration: changing the app's would leave its pooled
    # connections pointing at the dead port for the tests after this one.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/healthz")
    assert response.status_code == 503, response.json()
    assert response.json()["broker"] == "down"
    assert connection.is_usable()
