"""Care plan tasks: rendering a published version's PDF on its own queue ("pdf"), and sending
again the requests a broker outage or a dead worker left pending."""

import functools
import logging
from datetime import datetime, timedelta
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready
from django.db.models import Q
from django.utils import timezone

from core import workers
from portal import selectors as portal_selectors

from . import pdf, selectors, services
from .models import PlanPdf, PlanVersion

logger = logging.getLogger(__name__)

MAX_RETRIES = 4
# A request the broker did not take is sent again after this long (the publishing request's
# own on-commit send comes first); one it took but no worker took from the queue in
# STALE_AFTER was lost with the queue. One a worker took is sent again as soon as that worker
# no longer answers (killed), or after TAKEN_STALE_AFTER in any case (the broker's visibility
# timeout: longer than a render with its retries). A 5-page plan renders in about a quarter of a second.
UNQUEUED_AFTER = timedelta(seconds=30)
STALE_AFTER = timedelta(minutes=3)
TAKEN_STALE_AFTER = timedelta(minutes=15)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def render_plan_pdf(self: Task, version_pk: int) -> None:  # type: ignore[type-arg]
    """Renders the PDF of a published version in the client's language and stores it with its
    hash. Idempotent: a version gone or already rendered is left alone. A failure is retried
    with a growing delay; the last failure is recorded on the PDF, to be shown and re-queued."""
    if not services.take_pdf(version_pk=version_pk, worker=workers.identity()):
        return
    try:
        content = render_pdf(version_pk)
    except PlanVersion.DoesNotExist:
        return
    except Exception as error:
        final = self.request.retries >= MAX_RETRIES
        services.record_pdf_failure(version_pk=version_pk, error=repr(error), final=final)
        if final:
            return
        raise self.retry(exc=error, countdown=min(300, 10 * 2**self.request.retries)) from error
    services.store_pdf(version_pk=version_pk, content=content)


def render_pdf(version_pk: int) -> bytes:
    """The version's PDF: its content read, laid out in the client's language, written."""
    import weasyprint  # loaded by the PDF worker only, not by every web process

    version = selectors.version_with_content(version_pk)
    html = pdf.plan_html(version, contacts=portal_selectors.worker_contacts(version.plan.client))
    fetcher, fonts = _renderer()
    document = weasyprint.HTML(string=html, base_url=str(pdf.BASE_DIR), url_fetcher=fetcher)
    content: bytes = document.write_pdf(font_config=fonts, **pdf.WRITE_OPTIONS)
    return content


@functools.cache
def _renderer() -> tuple[Any, Any]:
    """What WeasyPrint would make anew for every document, made once per worker process: the
    URL fetcher (its HTTPS handler loads the system's certificates, ~20 ms) and the font
    configuration with the fonts it has loaded (~15 ms). The plan's page has no @font-face
    rule, which is what a font configuration would keep between documents. The fetcher reads
    local files only: a plan's page links nothing, and its text is the client's."""
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("file",)), FontConfiguration()


@shared_task(bind=True)
def requeue_pending_pdfs(self: Task) -> int:  # type: ignore[type-arg]
    """Sends again the PDF requests that a broker outage kept from the queue, those queued but
    not taken in ``STALE_AFTER``, and those taken by a worker that has died (it no longer
    answers) or long ago. Rendering is idempotent, so a duplicate costs only time."""
    now = timezone.now()
    unqueued = Q(queued_at__isnull=True, requested_at__lt=now - UNQUEUED_AFTER)
    lost = Q(taken_by="", queued_at__lt=now - STALE_AFTER)
    stale = PlanPdf.objects.filter(unqueued | lost, status=PlanPdf.Status.PENDING)
    pks = list(stale.values_list("version_id", flat=True)[:500])
    pks += _released(self, taken_before=now - TAKEN_STALE_AFTER)
    sent = 0
    for pk in pks:
        if not services.queue_pdf(pk):
            break  # the broker is still away: the next sweep tries again, without waiting on each
        sent += 1
    return sent


def _released(task: Task, *, taken_before: datetime) -> list[int]:  # type: ignore[type-arg]
    """The pending PDFs taken by a worker that no longer answers, or before ``taken_before``,
    taken back from it. Read before asking the workers: a worker that takes a PDF after the
    question changes its row, and keeps it."""
    taken = selectors.pdfs_being_rendered()
    if not taken:
        return []
    alive = workers.live_identities(task.app)
    if alive is None:
        return []  # the broker cannot be asked; nor could a render be queued
    return [
        pk
        for pk, worker, taken_at in taken
        if (worker not in alive or taken_at is None or taken_at < taken_before)
        and services.release_pdf(version_pk=pk, taken_by=worker)
    ]


@worker_ready.connect
def _requeue_when_a_worker_starts(**kwargs: Any) -> None:
    """A worker starting is often one that replaces a worker that died: the renders that died
    with it are sent again now, not at beat's next minute."""
    try:
        requeue_pending_pdfs.apply_async(retry=False)
    except Exception:  # the broker's connection errors vary by transport
        logger.warning("Could not ask for the pending PDFs to be queued again.", exc_info=True)
