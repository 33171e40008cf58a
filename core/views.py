from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from caseflow.celery import app as celery_app

from .models import WorkerHeartbeat


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_status() -> str:
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return "in-process"
    # The URL from settings, read now: a fresh connection, never one of the app's pooled ones.
    try:
        with celery_app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=0, timeout=1)
        return "ok"
    except Exception:
        return "down"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and operators: 200 when the database and the broker answer."""
    database = "ok" if _database_ok() else "down"
    broker = _broker_status()
    heartbeat_age = None
    if database == "ok":
        last = WorkerHeartbeat.objects.aggregate(last=Max("beat_at"))["last"]
        heartbeat_age = round((timezone.now() - last).total_seconds()) if last else None
    healthy = database == "ok" and broker != "down"
    return JsonResponse(
        {"database": database, "broker": broker, "worker_heartbeat_age_seconds": heartbeat_age},
        status=200 if healthy else 503,
    )
