"""Reading what a request names without trusting it: the parameter helpers every page and
endpoint uses, and the middleware that refuses what no parameter may carry."""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# A bigint has 19 digits; 18 can never overflow one.
MAX_PK_DIGITS = 18
# No query parameter is a search text longer than this; forms are checked by their fields.
MAX_QUERY_VALUE = 1000
# NUL (which PostgreSQL refuses in text) and the other control characters but tab and newlines.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def as_pk(value: object) -> int | None:
    """A primary key given as text, or None: ASCII digits only, because ``"²".isdigit()`` is
    true and ``int()`` then fails, and ``int()`` reads other scripts' digits too."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()) or len(value) > MAX_PK_DIGITS:
        return None
    return int(value) or None


def _refusal(request: HttpRequest) -> str | None:
    for name, value in request.GET.lists():
        if CONTROL.search(name) or any(CONTROL.search(v) or len(v) > MAX_QUERY_VALUE for v in value):
            return name
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for name, value in request.POST.lists():
            if CONTROL.search(name) or any(CONTROL.search(v) for v in value):
                return name
    return None


class HostileInputMiddleware:
    """Answers 400 before any view to a query or form that carries a control character or an
    over-long query value, so that no view has to remember to, and none answers 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _refusal(request)
        if name is None:
            return self.get_response(request)
        message = _("The parameter %(name)s holds characters or a length that no field takes.") % {
            "name": CONTROL.sub("?", name)[:50]
        }
        if request.path.startswith("/api/"):
            return JsonResponse({CONTROL.sub("?", name)[:50]: [message]}, status=400)
        return render(request, "400.html", {"message": message}, status=400)
