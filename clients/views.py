from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caseflow import access
from caseflow.accounts.models import Role
from caseflow.decorators import StaffRequest, staff_required

from . import selectors, services
from .forms import ClientForm

CASELOAD_PAGE_SIZE = 50


@staff_required
def my_caseload(request: StaffRequest) -> HttpResponse:
    return _caseload(request, request.user.pk)


@staff_required
def caseload_of(request: StaffRequest, coordinator_id: int) -> HttpResponse:
    return _caseload(request, coordinator_id)


def _caseload(request: StaffRequest, coordinator_pk: int) -> HttpResponse:
    coordinator, ground = access.caseload_owner_for(request.user, coordinator_pk)
    search = request.GET.get("q", "").strip()[:100]
    order = request.GET.get("sort", "name")
    if order not in selectors.CASELOAD_ORDERINGS:
        order = "name"
    assignments = selectors.caseload(coordinator=coordinator, search=search, order=order)
    page = Paginator(assignments, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.log_caseload_shown(viewer=request.user, assignments=list(page), ground=ground)
    context = {
        "coordinator": coordinator,
        "is_own": coordinator.pk == request.user.pk,
        "page": page,
        "search": search,
        "order": order,
        "today": timezone.localdate(),
    }
    template = "clients/_caseload_table.html" if request.htmx else "clients/caseload.html"
    return render(request, template, context)


@staff_required
def client_detail(request: StaffRequest, pk: int) -> HttpResponse:
    client = selectors.client_for_reading(user=request.user, pk=pk, what="client.overview")
    context = {
        "client": client,
        "assignments": selectors.assignment_history(client),
        "can_edit": client.access_ground == access.Ground.DESIGNATED_COORDINATOR,
        "ground_label": access.Ground.LABELS[client.access_ground],
        "today": timezone.localdate(),
    }
    return render(request, "clients/detail.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def client_create(request: StaffRequest) -> HttpResponse:
    if request.user.role != Role.COORDINATOR:
        raise PermissionDenied
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.create_client(by=request.user, fields=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("client-detail", pk=client.pk)
    return render(request, "clients/form.html", {"form": form, "client": None}, status=400 if form.errors else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def client_edit(request: StaffRequest, pk: int) -> HttpResponse:
    client = selectors.client_for_reading(user=request.user, pk=pk, what="client.edit")
    if client.access_ground != access.Ground.DESIGNATED_COORDINATOR:
        raise PermissionDenied
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_client(client=client, by=request.user, ground=client.access_ground, fields=changed)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("client-detail", pk=client.pk)
    return render(request, "clients/form.html", {"form": form, "client": client}, status=400 if form.errors else 200)
