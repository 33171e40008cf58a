"""The staff's second factor (TOTP, django-otp): after the password, a code from an
authenticator app. Required where ``SECOND_FACTOR_REQUIRED`` is on (production); the demo
and the tests turn it off, and its own tests turn it on. Clients sign in to their portal with
strong electronic identification instead."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.middleware import is_verified
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.policy import is_staff
from core.params import MAX_QUERY_VALUE, query_text

from .models import User

# Where a signed-in user without a verified second factor may still go.
OPEN_PATHS = ("/second-factor/", "/logout/", "/login/", "/static/", "/i18n/", "/healthz")


def pending_device(user: User) -> TOTPDevice:
    """The user's confirmed authenticator, or the unconfirmed one being enrolled (made once)."""
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def verify(request: HttpRequest, user: User, code: str) -> bool:
    """Checks the code against the user's authenticator; the first correct code confirms an
    enrolment. Marks the session verified."""
    device = TOTPDevice.objects.select_for_update().get(pk=pending_device(user).pk)
    if not (code.isascii() and code.isdigit() and len(code) == device.digits and device.verify_token(code)):
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return True


def safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or query_text(request, "next", max_length=MAX_QUERY_VALUE)
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if allowed else reverse("home")


class SecondFactorMiddleware:
    """Sends a signed-in member of staff who has not given their second code to give it; the
    API answers 403 to such a session (tokens are issued to a password and expire)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.SECOND_FACTOR_REQUIRED
            and isinstance(user, User)
            and is_staff(user)
            and not is_verified(user)
            and not request.path.startswith(OPEN_PATHS)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Give the second factor first."}, status=403)
            return redirect(f"{reverse('second-factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
