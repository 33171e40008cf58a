"""Thin periodic tasks of the access log's partitions (``access.partitions``): both are safe to
run twice or from two schedulers at once."""

from celery import shared_task
from django.conf import settings

from . import partitions


@shared_task(ignore_result=True)
def create_access_log_partitions() -> None:
    """Beat runs this daily (``CELERY_BEAT_SCHEDULE``): a month's partition exists months before
    its first entry, and rows that waited in the DEFAULT partition move into theirs."""
    partitions.ensure_ahead()


@shared_task(ignore_result=True)
def drop_expired_access_log_partitions() -> None:
    """Beat runs this monthly: drops the whole months past ``ACCESS_LOG_RETENTION_MONTHS``."""
    partitions.drop(partitions.expired(settings.ACCESS_LOG_RETENTION_MONTHS))
