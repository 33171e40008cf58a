"""Thin tasks of the clients app."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def apply_retention() -> None:
    """Beat runs this nightly (``CELERY_BEAT_SCHEDULE``): lists the records past retention and,
    with ``RETENTION_ANONYMISE`` on, anonymises them. A rerun finds nothing new to do."""
    services.apply_retention()
