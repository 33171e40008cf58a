"""Thin tasks: the periodic sweep, and the delivery of one reminder (retried on transient
failure, idempotent: a reminder delivered already is left alone)."""

from celery import Task, shared_task
from django.conf import settings

from . import services


@shared_task(ignore_result=True)
def sweep_reminders() -> None:
    """Beat runs this periodically (``CELERY_BEAT_SCHEDULE``)."""
    services.sweep()


@shared_task(bind=True, ignore_result=True, max_retries=None, acks_late=True)
def deliver_reminder(self: Task, reminder_pk: int) -> None:  # type: ignore[type-arg]
    try:
        services.deliver(reminder_pk)
    except services.TransientDeliveryError as error:
        if self.request.retries >= settings.REMINDER_DELIVERY_MAX_RETRIES:
            # Left pending: the next sweep queues it again after the requeue interval.
            return
        countdown = min(settings.REMINDER_RETRY_SECONDS * 2**self.request.retries, 3600)
        raise self.retry(exc=error, countdown=countdown) from error
