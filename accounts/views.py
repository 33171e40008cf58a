from base64 import b32encode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.decorators import StaffRequest, staff_required
from access.portal import is_portal_user

from . import second_factor as second_factor_flow
from . import selectors, services
from .models import User


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The start page: a client's is their portal; staff go to their role's start page."""
    if is_portal_user(request.user):
        return redirect("portal-home")
    return _staff_home(request)


@staff_required
def _staff_home(request: StaffRequest) -> HttpResponse:
    page = selectors.start_page(request.user)
    return redirect(page) if page else render(request, "administrator_home.html")


@staff_required
@require_http_methods(["GET", "POST"])
def second_factor(request: StaffRequest) -> HttpResponse:
    """The code from the authenticator app after the password; on the first visit, the key to
    add to the app (enrolment), confirmed by its first code."""
    user = request.user
    device = second_factor_flow.pending_device(user)
    status, error = 200, ""
    if request.method == "POST":
        if second_factor_flow.verify(request, user, request.POST.get("code", "").strip()):
            return redirect(second_factor_flow.safe_next(request))
        status, error = 400, _("The code was not right. Give the six digits your app shows now.")
    context = {
        "enrolling": not device.confirmed,
        "secret": b32encode(device.bin_key).decode(),
        "config_url": device.config_url,
        "next": second_factor_flow.safe_next(request),
        "error": error,
    }
    return render(request, "registration/second_factor.html", context, status=status)


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: Django's ``set_language`` (cookie for the signed-out), and the
    signed-in user's choice saved on their account, so that it follows them."""
    if isinstance(request.user, User) and request.user.is_authenticated:
        services.set_language(user=request.user, language=request.POST.get("language", ""))
    return i18n_views.set_language(request)
