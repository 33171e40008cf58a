from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from access.decorators import StaffRequest, staff_required
from access.portal import is_portal_user

from . import selectors


def home(request: HttpRequest) -> HttpResponse:
    """The start page: a client's is their portal; staff go to their role's start page."""
    if is_portal_user(request.user):
        return redirect("portal-home")
    return _staff_home(request)


@staff_required
def _staff_home(request: StaffRequest) -> HttpResponse:
    page = selectors.start_page(request.user)
    return redirect(page) if page else render(request, "administrator_home.html")
