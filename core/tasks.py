from celery import Task, shared_task
from django.utils import timezone

from .models import WorkerHeartbeat


@shared_task(bind=True, ignore_result=True)
def record_heartbeat(self: Task) -> None:  # type: ignore[type-arg]
    """Beat runs this every minute; /healthz reports how long ago a worker last did."""
    worker = self.request.hostname or "in-process"
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"beat_at": timezone.now()})
