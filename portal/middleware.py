"""Portal sessions end after a short idle time, and nothing of the client's data is kept by
the browser."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from access.portal import is_portal_user

PORTAL_PREFIXES = ("/oma/", "/api/v1/portal/")


class PortalSessionMiddleware:
    """For a portal user, a request restarts the idle clock (``PORTAL_IDLE_SECONDS``) when the
    session is written anyway: at the first request, and when ``core.middleware`` notes the
    last activity (a minute at most). Restarted on every request, it wrote the session every
    time. Every portal response, and every response to a portal user, says ``no-store``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        portal_user = is_portal_user(getattr(request, "user", None))
        if portal_user and (request.session.modified or "_session_expiry" not in request.session):
            request.session.set_expiry(settings.PORTAL_IDLE_SECONDS)
        response = self.get_response(request)
        if portal_user or request.path.startswith(PORTAL_PREFIXES):
            add_never_cache_headers(response)
        return response
