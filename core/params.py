"""Reading what a request names without trusting it: the one way every page and endpoint reads
a query parameter (an id, a page, a date, a choice, a search text), and the middleware that
refuses what no parameter may carry. A malformed parameter raises ``BadParameterError``: a 400
naming the parameter, as JSON for the API (core.api) and as the 400 page for a page (here).
A group of parameters that a page also shows as a form (the team review's filters, a
comparison's two versions, the portal's month) is read by that Form, whose errors name them."""

import re
from collections.abc import Callable, Collection
from datetime import date

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.request import Request

# A bigint has 19 digits; 18 can never overflow one.
MAX_PK_DIGITS = 18
# No query parameter is a search text longer than this; forms are checked by their fields.
MAX_QUERY_VALUE = 1000
# A search box's text: longer is no name or word anyone looks for.
MAX_SEARCH_TEXT = 100
# NUL (which PostgreSQL refuses in text) and the other control characters but tab and newlines.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class BadParameterError(Exception):
    """A query parameter that is malformed: answered 400 with its name and ``message``."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


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


def _raw(request: HttpRequest | Request, name: str) -> str | None:
    """The parameter's text, stripped, or None when it is absent or empty."""
    value = (request.query_params if isinstance(request, Request) else request.GET).get(name)
    if value is None:
        return None
    if CONTROL.search(value) or len(value) > MAX_QUERY_VALUE:
        raise BadParameterError(name, _refusal_message(name))
    return value.strip() or None


def query_pk(request: HttpRequest | Request, name: str, default: int | None = None) -> int | None:
    """An id (ASCII digits, positive, bigint-sized), or ``default`` when none is given."""
    raw = _raw(request, name)
    if raw is None:
        return default
    pk = as_pk(raw)
    if pk is None:
        raise BadParameterError(name, _("Enter a whole number."))
    return pk


def query_page(request: HttpRequest | Request, name: str = "page") -> int:
    """A page number of a list, the first when none is given; past the last is the paginator's."""
    return query_pk(request, name) or 1


def query_date(request: HttpRequest | Request, name: str, default: date | None = None) -> date | None:
    """A date as YYYY-MM-DD in ASCII digits, or ``default`` when none is given."""
    raw = _raw(request, name)
    if raw is None:
        return default
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameterError(name, _("Enter a valid date.")) from None


def query_choice(request: HttpRequest | Request, name: str, choices: Collection[str], default: str) -> str:
    """One of ``choices``, or ``default`` when none is given."""
    raw = _raw(request, name)
    if raw is None:
        return default
    if raw not in choices:
        raise BadParameterError(name, _("Select a valid choice. That choice is not one of the available choices."))
    return raw


def query_text(request: HttpRequest | Request, name: str, max_length: int = MAX_SEARCH_TEXT) -> str:
    """Free text such as a search, stripped: "" when none is given, refused when longer than
    ``max_length`` (a page's box does not take more) or carrying a control character."""
    raw = _raw(request, name) or ""
    if len(raw) > max_length:
        message = ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            max_length,
        )
        raise BadParameterError(name, message % {"limit_value": max_length, "show_value": len(raw)})
    return raw


def _refusal_message(name: str) -> str:
    return _("The parameter %(name)s holds characters or a length that no field takes.") % {
        "name": CONTROL.sub("?", name)[:50]
    }


def _refused(request: HttpRequest, name: str, message: str, shown: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({CONTROL.sub("?", name)[:50]: [message]}, status=400)
    return render(request, "400.html", {"message": shown}, status=400)


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
        message = _refusal_message(name)
        return _refused(request, name, message, message)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A page's malformed parameter (the API's is answered by core.api's handler)."""
        if isinstance(exception, BadParameterError):
            name = CONTROL.sub("?", exception.name)[:50]
            return _refused(request, name, exception.message, f"{name}: {exception.message}")
        return None
