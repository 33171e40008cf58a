"""The care plan PDF rendered by a real Celery worker through Redis, read back with pypdf."""

import contextlib
import io
import os
import re
import signal
import time
import uuid
from pathlib import Path

import pypdf
import pytest

from access.policy import Ground
from care_plans import selectors, services
from care_plans.models import PlanPdf, PlanVersion
from clients.models import Client
from tests.conftest import World
from tests.workers import start_worker

COORDINATOR = Ground.DESIGNATED_COORDINATOR


def swedish_plan(world: World) -> PlanVersion:
    """own_client in Swedish, with goals enough for several pages, a disagreement and a backup plan."""
    Client.objects.filter(pk=world.own_client.pk).update(preferred_language="sv")
    draft = world.plan_draft
    content = selectors.draft_content(selectors.version_with_content(draft.pk))
    for n in range(14):
        content["goals"].append(
            {
                "client_words": f"Jag vill klara mig själv, mål nummer {n}.",
                "professional_words": "Självständighet i vardagen " * 8,
                "actions": [{"text": f"Åtgärd {n}.{m}", "responsible": "client"} for m in range(3)],
            }
        )
    goal_key = content["goals"][0]["key"]
    content["disagreements"] = [
        {
            "subject": "goal",
            "goal": goal_key,
            "client_position": "Jag behöver ingen hjälp på morgonen",
            "professional_position": "Risk för fall på morgonen",
            "reasons": "Två fall i höstas",
        }
    ]
    content["services"] = [
        {"service": "Hemvård", "provider": "Kommunen", "slots": [{"weekday": 0, "time_of_day": "morning"}]}
    ]
    draft.refresh_from_db()
    return services.save_draft(
        version=draft,
        by=world.coordinator,
        ground=COORDINATOR,
        revision=draft.revision,
        content={**content, "backup_plan": "Dottern Liisa kommer om hemvården uteblir."},
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_published_plan_is_rendered_by_the_worker_in_the_clients_language(world: World, tmp_path: Path) -> None:
    # The render takes its real route: on commit, to the "pdf" queue, which the compose PDF worker consumes.
    draft = swedish_plan(world)
    log = tmp_path / "worker.log"
    worker = start_worker(f"pdf-{uuid.uuid4().hex[:8]}", log, service="pdf-worker")
    try:
        services.publish_version(version=draft, by=world.coordinator, ground=COORDINATOR, revision=draft.revision)
        deadline = time.monotonic() + 90
        pdf = PlanPdf.objects.get(version=draft)
        while time.monotonic() < deadline and pdf.status == PlanPdf.Status.PENDING:
            assert worker.poll() is None, log.read_text()
            time.sleep(0.3)
            pdf.refresh_from_db()
        assert pdf.status == PlanPdf.Status.READY, (pdf.error, log.read_text())
    finally:
        worker.terminate()
        worker.wait(timeout=20)

    reader = pypdf.PdfReader(io.BytesIO(bytes(pdf.content or b"")))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert len(pages) >= 2
    assert reader.trailer["/Root"]["/Lang"] == "sv"  # type: ignore[index]
    assert "måndag" in text  # the service's times, in the client's language
    assert "Jag vill klara mig själv, mål nummer 0." in text
    assert "Jag behöver ingen hjälp på morgonen" in text
    assert "Risk för fall på morgonen" in text
    assert "Dottern Liisa kommer om hemvården uteblir." in text
    client = Client.objects.get(pk=world.own_client.pk)
    for number, page in enumerate(pages, start=1):
        assert client.full_name in page  # the header names the client on every page
        assert re.search(rf"\b{number}\D+{len(pages)}\b", page.splitlines()[-1]), page.splitlines()[-3:]


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_render_whose_worker_is_killed_is_finished_by_the_next_worker_within_a_minute(
    world: World, tmp_path: Path
) -> None:
    # The first worker holds the render (tests/worker_hooks.py) once it has taken the PDF, and is
    # killed with SIGKILL there; the broker keeps its message unacknowledged for the visibility
    # timeout (15 minutes). The next worker, under the same node name as a restarted container's,
    # finds the render's worker gone and renders it.
    draft = world.plan_draft
    log = tmp_path / "worker.log"
    name = f"pdf-{uuid.uuid4().hex[:8]}"
    first = start_worker(name, log, "pdf-worker", extra_env={"PDF_RENDER_HOLD_FILE": str(tmp_path / "never")})
    pool: list[int] = []
    second = None
    try:
        services.publish_version(version=draft, by=world.coordinator, ground=COORDINATOR, revision=draft.revision)
        pdf = PlanPdf.objects.get(version=draft)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not pdf.taken_by:
            assert first.poll() is None, log.read_text()
            time.sleep(0.2)
            pdf.refresh_from_db()
        assert pdf.taken_by.startswith(f"{name}@test pid {first.pid} "), (pdf.taken_by, log.read_text())
        pool = _children(first.pid)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)

        second = start_worker(name, log, "pdf-worker", purge=False)
        recovery = time.monotonic()
        while time.monotonic() < recovery + 60 and pdf.status == PlanPdf.Status.PENDING:
            assert second.poll() is None, log.read_text()
            time.sleep(0.3)
            pdf.refresh_from_db()
        assert pdf.status == PlanPdf.Status.READY, (pdf.taken_by, log.read_text())
        print(f"rendered {time.monotonic() - recovery:.1f} s after the next worker started")  # noqa: T201
        assert not pdf.taken_by.startswith(f"{name}@test pid {first.pid} ")
    finally:
        for pid in pool:  # the pool dies with its parent (PR_SET_PDEATHSIG); should one not
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=20)

    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(bytes(pdf.content or b""))).pages)
    assert Client.objects.get(pk=world.own_client.pk).full_name in text
