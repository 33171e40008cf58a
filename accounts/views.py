from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from access.decorators import StaffRequest, staff_required

from . import selectors


@staff_required
@require_GET
def home(request: StaffRequest) -> HttpResponse:
    page = selectors.start_page(request.user)
    return redirect(page) if page else render(request, "administrator_home.html")
