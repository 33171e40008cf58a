"""Care plan tasks: rendering a published version's PDF on its own queue ("pdf"), and sending
again the requests a broker outage left pending."""

from datetime import timedelta

from celery import Task, shared_task
from django.db.models import Q
from django.utils import timezone

from . import pdf, selectors, services
from .models import PlanPdf, PlanVersion

MAX_RETRIES = 4
# A request the broker did not take is sent again after this long (the publishing request's
# own on-commit send comes first); one it took but no worker finished in STALE_AFTER was lost
# with a killed worker. A 5-page plan renders in about half a second.
UNQUEUED_AFTER = timedelta(seconds=30)
STALE_AFTER = timedelta(minutes=3)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def render_plan_pdf(self: Task, version_pk: int) -> None:  # type: ignore[type-arg]
    """Renders the PDF of a published version in the client's language and stores it with its
    hash. Idempotent: a version gone or already rendered is left alone. A failure is retried
    with a growing delay; the last failure is recorded on the PDF, to be shown and re-queued."""
    if not PlanPdf.objects.filter(version_id=version_pk).exclude(status=PlanPdf.Status.READY).exists():
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
    html = pdf.plan_html(version)
    content: bytes = weasyprint.HTML(string=html, base_url=str(pdf.BASE_DIR)).write_pdf(**pdf.WRITE_OPTIONS)
    return content


@shared_task
def requeue_pending_pdfs() -> int:
    """Sends again the PDF requests that a broker outage kept from the queue, and those queued
    but not rendered in ``STALE_AFTER`` (a killed worker). Rendering is idempotent, so a
    duplicate costs only time."""
    now = timezone.now()
    unqueued = Q(queued_at__isnull=True, requested_at__lt=now - UNQUEUED_AFTER)
    lost = Q(queued_at__lt=now - STALE_AFTER)
    stale = PlanPdf.objects.filter(unqueued | lost, status=PlanPdf.Status.PENDING)
    pks = list(stale.values_list("version_id", flat=True)[:500])
    sent = 0
    for pk in pks:
        if not services.queue_pdf(pk):
            break  # the broker is still away: the next sweep tries again, without waiting on each
        sent += 1
    return sent
