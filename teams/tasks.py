"""Thin periodic tasks of the team review: the monthly snapshots and the weekly digest. Both
are safe to run twice or from two schedulers at once (see the services)."""

from celery import shared_task

from core.db import reading_from_replica

from . import services


@shared_task(ignore_result=True)
@reading_from_replica()
def write_monthly_snapshots() -> None:
    """Beat runs this early each month (``CELERY_BEAT_SCHEDULE``)."""
    services.write_monthly_snapshots()


@shared_task(ignore_result=True)
def send_weekly_digests() -> None:
    """Beat runs this on Monday mornings (``CELERY_BEAT_SCHEDULE``)."""
    services.send_weekly_digests()
