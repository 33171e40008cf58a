from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

from accounts.models import User

from .policy import is_staff


class StaffRequest(HttpRequest):
    """The request a ``staff_required`` view receives: signed in, on the staff."""

    user: User
    htmx: HtmxDetails


View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Signs in the anonymous; answers 404 to a signed-in user who is not staff."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def staff_user(request: Request) -> User:
    """The signed-in staff member of an endpoint (``IsStaffUser`` has checked) with the
    project's user type."""
    user: User = request.user  # type: ignore[assignment]
    return user
