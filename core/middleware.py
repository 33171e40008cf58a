"""Limits on a signed-in browser session, for every page (API tokens are not sessions)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control

# The last activity is written at most this often, so that a page view seldom writes the session.
ACTIVITY_GRANULARITY = 60


def stamp_session(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """Notes when a session signed in, with the sign-in itself, so that a page view writes the
    session only when the last activity is a minute old."""
    now = int(time.time())
    request.session["signed_in_at"] = now
    request.session["seen_at"] = now


class SessionLimitsMiddleware:
    """Ends a session idle for ``SESSION_IDLE_SECONDS`` or older than ``SESSION_MAX_SECONDS``
    (quality.md: sessions expire), and keeps every signed-in response out of the browser's and
    proxies' caches: such responses carry client data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get_response(request)
        now = int(time.time())
        session = request.session
        started = session.setdefault("signed_in_at", now)
        seen = session.get("seen_at", now)
        if now - seen > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_MAX_SECONDS:
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "The session has ended."}, status=401)
            return redirect_to_login(request.get_full_path())
        if now - seen >= ACTIVITY_GRANULARITY or "seen_at" not in session:
            session["seen_at"] = now  # a minute at most, or a session from before the stamp
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
