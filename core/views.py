from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import bad_request as bad_request_page
from django.views.defaults import page_not_found
from rest_framework.exceptions import NotFound, ParseError

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


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A path that names no route (an id that is not a number, say): JSON as the API's own
    404 under /api/, so that an API client and the schema see one kind of body; a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django refuses before any view (more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields,
    a body over DATA_UPLOAD_MAX_MEMORY_SIZE): JSON under /api/, a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(ParseError.default_detail)}, status=400)
    return bad_request_page(request, exception)
