"""The client pages: parse a form, call a selector or a service, render. A domain rule broken
in a service (``ValidationError``) shows the form again with its messages (400); a closed
client's record (``ConflictError``) shows the page again with the message (409)."""

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy
from access.decorators import StaffRequest, staff_required
from access.models import Section
from accounts.models import Role, User
from assessments import selectors as assessment_selectors
from core.errors import ConflictError
from core.pages import add_errors
from networks import selectors as network_selectors
from teams import selectors as team_selectors

from . import selectors, services
from .forms import (
    AdvanceReferralForm,
    AssignForm,
    ClientForm,
    ClosureForm,
    ContactForm,
    HandoverForm,
    HandoverScope,
    IncomingReferralForm,
    IntakeForm,
    IntakeMode,
    NoNamedWorkerForm,
    OutgoingReferralForm,
)
from .models import Client, Referral

CASELOAD_PAGE_SIZE = 50
LIST_PAGE_SIZE = 50
# Who opens clients and arranges the work around them; team members and administrators do not.
# A closed client has no designated coordinator: the coordinator it was closed under may start
# a new relationship, as may those who manage it.
REOPENERS = policy.Ground.MAY_MANAGE | {policy.Ground.FORMER_COORDINATOR}


def _next_or(request: StaffRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _client_url(client: Client, section: str = "") -> str:
    url = reverse("client-detail", kwargs={"pk": client.pk})
    return f"{url}#{section}" if section else url


# The caseload


@staff_required
def my_caseload(request: StaffRequest) -> HttpResponse:
    return _caseload(request, request.user.pk)


@staff_required
def caseload_of(request: StaffRequest, coordinator_id: int) -> HttpResponse:
    return _caseload(request, coordinator_id)


def _may_hand_over(user: User, ground: str) -> bool:
    return policy.works_caseloads(user) and ground in policy.Ground.MAY_MANAGE


def _handover_targets(user: User, owner: User) -> QuerySet[User]:
    return selectors.handover_targets(user).exclude(pk=owner.pk)


def _caseload(
    request: StaffRequest,
    coordinator_pk: int,
    *,
    handover_form: HandoverForm | None = None,
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    user = request.user
    coordinator, ground = policy.caseload_owner_for(user, coordinator_pk)
    search = request.GET.get("q", "").strip()[:100]
    order = request.GET.get("sort", "name")
    if order not in selectors.CASELOAD_ORDERINGS:
        order = "name"
    assignments = selectors.caseload(coordinator=coordinator, search=search, order=order)
    page = Paginator(assignments, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    is_own = coordinator.pk == user.pk
    # Handed over to me and not yet read: first on the page, whichever page of the list it is.
    unread = list(selectors.unread_handover_notes(user)) if is_own else []
    shown = {a.client.pk: a for a in [*unread, *page]}
    selectors.log_caseload_shown(viewer=user, assignments=list(shown.values()), ground=ground)
    may_hand_over = _may_hand_over(user, ground)
    if may_hand_over and handover_form is None:
        handover_form = HandoverForm(
            targets=_handover_targets(user, coordinator),
            initial={"owner": coordinator.pk, "on": timezone.localdate()},
        )
    context = {
        "coordinator": coordinator,
        "caseload_url": reverse("caseload") if is_own else reverse("caseload-of", args=[coordinator.pk]),
        "is_own": is_own,
        "page": page,
        "search": search,
        "order": order,
        "today": timezone.localdate(),
        "unread_notes": unread,
        "upcoming_meetings": [] if request.htmx else list(network_selectors.upcoming_meetings_for(coordinator)),
        "due_assessments": []
        if request.htmx
        else assessment_selectors.due_assessments(coordinator, viewer=user, ground=ground),
        "handover_form": handover_form if may_hand_over else None,
        "may_hand_over_all": may_hand_over and ground == policy.Ground.TEAM_LEAD,
        "select_all": request.GET.get("select") == "page",
        "selected": {pk for pk in map(_as_pk, request.POST.getlist("clients")) if pk is not None},
    }
    template = "clients/_caseload_table.html" if request.htmx else "clients/caseload.html"
    return render(request, template, context, status=status)


@staff_required
@require_POST
def caseload_handover(request: StaffRequest) -> HttpResponse:
    """Hands the chosen clients of a caseload (or, for a team lead, all of them) over to one or
    more coordinators, all in one go or none."""
    user = request.user
    if not policy.works_caseloads(user):
        raise PermissionDenied
    owner_pk = request.POST.get("owner", "")
    coordinator, ground = policy.caseload_owner_for(user, int(owner_pk) if owner_pk.isdigit() else user.pk)
    if not _may_hand_over(user, ground):
        raise PermissionDenied
    form = HandoverForm(request.POST, targets=_handover_targets(user, coordinator))
    if form.is_valid():
        data = form.cleaned_data
        ids = data["clients"]
        if data["scope"] == HandoverScope.ALL:
            if ground != policy.Ground.TEAM_LEAD:
                raise PermissionDenied
            ids = [row["client"] for row in selectors.caseload_client_ids(coordinator)]
        try:
            clients, client_ground = selectors.clients_for_handover(user=user, client_ids=ids)
            created = services.hand_over(
                clients=clients, to=list(data["to"]), by=user, ground=client_ground, note=data["note"], on=data["on"]
            )
        except ValidationError as error:
            add_errors(error, form)
        else:
            count = len(created)
            messages.success(
                request,
                ngettext("%(count)d client handed over.", "%(count)d clients handed over.", count) % {"count": count},
            )
            if coordinator.pk == user.pk:
                return redirect("caseload")
            return redirect("caseload-of", coordinator_id=coordinator.pk)
    return _caseload(request, coordinator.pk, handover_form=form, status=HTTPStatus.BAD_REQUEST)


@staff_required
@require_POST
def assignment_note_read(request: StaffRequest, pk: int) -> HttpResponse:
    assignment = selectors.received_assignment(user=request.user, pk=pk)
    services.mark_handover_note_read(assignment=assignment, by=request.user)
    return redirect(_next_or(request, reverse("caseload")))


# One client


def _client_page(
    request: StaffRequest,
    client: Client,
    *,
    status: int = HTTPStatus.OK,
    conflict: str = "",
    bound: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """The client's page; ``bound`` holds the forms sent with their errors, ``conflict`` the
    message of a refused change."""
    today = timezone.localdate()
    assignments = list(selectors.assignment_history(client))
    current = next((a for a in assignments if a.ended_on is None), None)
    unread_note = (
        current
        if current is not None
        and current.coordinator_id == request.user.pk
        and current.handover_note
        and current.note_read_at is None
        else None
    )
    can_change = policy.may_change(client)
    # A professional on the care team sees only the parts of the record their work needs.
    sections = policy.sections_for(request.user, client.access_ground)
    shows_contacts = Section.CONTACTS in sections
    context: dict[str, Any] = {
        "client": client,
        "assignments": assignments,
        "current": current,
        "unread_note": unread_note,
        "continuity": selectors.continuity_of(client),
        "shows_assessment": Section.ASSESSMENT in sections,
        "shows_network": Section.NETWORK in sections,
        "shows_meetings": Section.MEETINGS in sections,
        "shows_contacts": shows_contacts,
        "contacts": selectors.contacts_of(client) if shows_contacts else [],
        "referrals": selectors.referrals_of(client) if shows_contacts else [],
        "periods": selectors.relationship_periods_of(client),
        "client_messages": selectors.messages_to(client) if shows_contacts else [],
        "can_change": can_change,
        "can_manage": client.access_ground in policy.Ground.MAY_MANAGE,
        "can_reopen": client.is_closed and client.access_ground in REOPENERS,
        "ground_label": policy.Ground.LABELS[client.access_ground],
        "today": today,
        "conflict": conflict,
    }
    if can_change:
        context["contact_form"] = ContactForm(prefix="contact", initial={"contacted_on": today})
        context["outgoing_form"] = OutgoingReferralForm(prefix="outgoing", initial={"sent_on": today})
        context["incoming_form"] = IncomingReferralForm(prefix="incoming", initial={"received_on": today})
    context.update(bound or {})
    return render(request, "clients/detail.html", context, status=status)


@staff_required
def client_detail(request: StaffRequest, pk: int) -> HttpResponse:
    client = selectors.client_for_reading(user=request.user, pk=pk, what="client.overview")
    return _client_page(request, client)


@staff_required
@require_http_methods(["GET", "POST"])
def client_create(request: StaffRequest) -> HttpResponse:
    if request.user.role != Role.COORDINATOR:
        raise PermissionDenied
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.create_client(
                by=request.user, fields=form.cleaned_data, team=team_selectors.team_of_coordinator(request.user)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("client-detail", pk=client.pk)
    return render(request, "clients/form.html", {"form": form, "client": None}, status=400 if form.errors else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def client_edit(request: StaffRequest, pk: int) -> HttpResponse:
    client = selectors.client_for_reading(user=request.user, pk=pk, what="client.edit")
    policy.authorise(client, policy.Ground.MAY_CHANGE)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_client(client=client, by=request.user, ground=client.access_ground, fields=changed)
        except ConflictError as error:
            return _client_page(request, client, status=HTTPStatus.CONFLICT, conflict=error.message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("client-detail", pk=client.pk)
    return render(request, "clients/form.html", {"form": form, "client": client}, status=400 if form.errors else 200)


def _client_to_change(request: StaffRequest, pk: int, what: str) -> Client:
    client = selectors.client_for_reading(user=request.user, pk=pk, what=what)
    policy.authorise(client, policy.Ground.MAY_CHANGE)
    return client


@staff_required
@require_POST
def client_contact_create(request: StaffRequest, pk: int) -> HttpResponse:
    client = _client_to_change(request, pk, "client.contact")
    form = ContactForm(request.POST, prefix="contact")
    try:
        services.ensure_open(client)
        if form.is_valid():
            services.record_contact(client=client, by=request.user, ground=client.access_ground, **form.cleaned_data)
            messages.success(request, _("The contact was recorded."))
            return redirect(_client_url(client, "contacts"))
    except ConflictError as error:
        return _client_page(request, client, status=HTTPStatus.CONFLICT, conflict=error.message)
    except ValidationError as error:
        add_errors(error, form)
    return _client_page(request, client, status=HTTPStatus.BAD_REQUEST, bound={"contact_form": form})


@staff_required
@require_POST
def client_referral_create(request: StaffRequest, pk: int) -> HttpResponse:
    """An outgoing referral, followed up until answered; or an incoming one, which is a
    contact too and starts the assessment clock."""
    client = _client_to_change(request, pk, "client.referral")
    incoming = request.POST.get("direction") == Referral.Direction.INCOMING
    form: forms.Form = (
        IncomingReferralForm(request.POST, prefix="incoming")
        if incoming
        else OutgoingReferralForm(request.POST, prefix="outgoing")
    )
    try:
        services.ensure_open(client)
        if form.is_valid():
            _save_referral(request, client, form.cleaned_data, incoming=incoming)
            messages.success(request, _("The referral was recorded."))
            return redirect(_client_url(client, "referrals"))
    except ConflictError as error:
        return _client_page(request, client, status=HTTPStatus.CONFLICT, conflict=error.message)
    except ValidationError as error:
        # An incoming referral is saved as a contact: the contact's names of the fields.
        add_errors(error, form, rename={"contacted_on": "received_on", "source_name": "counterpart"})
    name = "incoming_form" if incoming else "outgoing_form"
    return _client_page(request, client, status=HTTPStatus.BAD_REQUEST, bound={name: form})


def _save_referral(request: StaffRequest, client: Client, data: dict[str, Any], *, incoming: bool) -> None:
    if incoming:
        services.receive_referral(
            client=client,
            by=request.user,
            ground=client.access_ground,
            counterpart=data["counterpart"],
            source=data["source"],
            reason=data["reason"],
            received_on=data["received_on"],
            urgent=data["urgent"],
        )
    else:
        services.create_referral(client=client, by=request.user, ground=client.access_ground, **data)


@staff_required
@require_POST
def referral_advance(request: StaffRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_for(user=request.user, pk=pk, what="referral.advance")
    client = referral.client
    policy.authorise(client, policy.Ground.MAY_CHANGE)
    form = AdvanceReferralForm(request.POST)
    try:
        services.ensure_open(client)
        if form.is_valid():
            services.advance_referral(
                referral=referral, status=form.cleaned_data["status"], by=request.user, ground=client.access_ground
            )
            messages.success(request, _("The referral was updated."))
            return redirect(_next_or(request, _client_url(client, "referrals")))
    except ConflictError as error:
        return _client_page(request, client, status=HTTPStatus.CONFLICT, conflict=error.message)
    except ValidationError as error:
        add_errors(error, form)
    return _client_page(request, client, status=HTTPStatus.BAD_REQUEST, bound={"advance_form": form})


@staff_required
@require_http_methods(["GET", "POST"])
def client_named_worker(request: StaffRequest, pk: int) -> HttpResponse:
    """Names a coordinator as the client's named worker (SHL §42), or records why none is
    needed."""
    user = request.user
    client = selectors.client_for_reading(user=user, pk=pk, what="client.named_worker")
    policy.authorise(client, policy.Ground.MAY_MANAGE)
    today = timezone.localdate()
    assign_form = AssignForm(
        prefix="assign", coordinators=policy.assignable_coordinators(user), initial={"started_on": today}
    )
    none_form = NoNamedWorkerForm(prefix="none")
    status, conflict = HTTPStatus.OK, ""
    try:
        services.ensure_open(client)
        if request.method == "POST":
            status = HTTPStatus.BAD_REQUEST
            if request.POST.get("action") == "none":
                none_form = NoNamedWorkerForm(request.POST, prefix="none")
                if none_form.is_valid():
                    services.record_no_named_worker(
                        client=client, by=user, ground=client.access_ground, reason=none_form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The reason why no named worker is needed was recorded."))
                    return redirect(_client_url(client, "named-worker"))
            else:
                assign_form = AssignForm(
                    request.POST, prefix="assign", coordinators=policy.assignable_coordinators(user)
                )
                if assign_form.is_valid():
                    services.assign_coordinator(
                        client=client, by=user, ground=client.access_ground, **assign_form.cleaned_data
                    )
                    messages.success(request, _("The named worker was changed."))
                    return _after_change(request, client)
    except ConflictError as error:
        status, conflict = HTTPStatus.CONFLICT, error.message
    except ValidationError as error:
        add_errors(error, none_form if request.POST.get("action") == "none" else assign_form)
    context = {
        "client": client,
        "current": selectors.assignment_history(client).filter(ended_on__isnull=True).first(),
        "assign_form": assign_form,
        "none_form": none_form,
        "conflict": conflict,
    }
    return render(request, "clients/named_worker.html", context, status=status)


def _after_change(request: StaffRequest, client: Client) -> HttpResponse:
    """To the client's page, or to the caseload if the change ended the user's policy."""
    if selectors.sees_client(user=request.user, pk=client.pk):
        return redirect(_client_url(client))
    return redirect("caseload")


@staff_required
@require_http_methods(["GET", "POST"])
def client_close(request: StaffRequest, pk: int) -> HttpResponse:
    """Ends the client relationship deliberately, with a reason and a closing summary."""
    user = request.user
    client = selectors.client_for_reading(user=user, pk=pk, what="client.close")
    policy.authorise(client, policy.Ground.MAY_MANAGE)
    form = ClosureForm(request.POST if request.method == "POST" else None, initial={"closed_on": timezone.localdate()})
    status, conflict = HTTPStatus.OK, ""
    try:
        services.ensure_open(client)
        if request.method == "POST":
            status = HTTPStatus.BAD_REQUEST
            if form.is_valid():
                data = form.cleaned_data
                services.close_client(
                    client=client,
                    by=user,
                    ground=client.access_ground,
                    closed_on=data["closed_on"],
                    reason=data["reason"],
                    summary=data["summary"],
                )
                messages.success(request, _("The client relationship was closed."))
                return _after_change(request, client)
    except ConflictError as error:
        status, conflict = HTTPStatus.CONFLICT, error.message
    except ValidationError as error:
        add_errors(error, form)
    return render(request, "clients/close.html", {"client": client, "form": form, "conflict": conflict}, status=status)


@staff_required
@require_POST
def client_reopen(request: StaffRequest, pk: int) -> HttpResponse:
    """Starts a new relationship today; a coordinator who reopens becomes the named worker."""
    user = request.user
    client = selectors.client_for_reading(user=user, pk=pk, what="client.reopen")
    policy.authorise(client, REOPENERS)
    try:
        services.reopen_client(
            client=client,
            by=user,
            ground=client.access_ground,
            opened_on=timezone.localdate(),
            coordinator=user if user.role == Role.COORDINATOR else None,
        )
    except ConflictError as error:
        return _client_page(request, client, status=HTTPStatus.CONFLICT, conflict=error.message)
    except ValidationError as error:
        return _client_page(request, client, status=HTTPStatus.BAD_REQUEST, bound={"reopen_errors": error.messages})
    messages.success(request, _("The client relationship was reopened."))
    return _after_change(request, client)


# Intake


# The service's names of the intake fields, as the page's form calls them.
INTAKE_FIELDS = {
    "client_id": "existing_client",
    "identity_code": "existing_identity_code",
}


@staff_required
@require_http_methods(["GET", "POST"])
def intake(request: StaffRequest) -> HttpResponse:
    """Records a contact (yhteydenotto) and attaches it to an existing client or opens a new
    client relationship from it."""
    user = request.user
    if not policy.works_caseloads(user):
        raise PermissionDenied
    coordinators = policy.assignable_coordinators(user)
    if request.method == "GET":
        query = request.GET.get("q", "").strip()[:100]
        # Searched for someone: most likely an existing client.
        initial: dict[str, object] = {"mode": IntakeMode.EXISTING if query else None}
        if user.role == Role.COORDINATOR:
            initial["coordinator"] = user.pk
        return _intake_page(
            request,
            contact_form=ContactForm(initial={"contacted_on": timezone.localdate()}),
            intake_form=IntakeForm(coordinators=coordinators, initial=initial),
            client_form=ClientForm(),
            query=query,
            results=selectors.search_clients(user=user, query=query) if query else [],
        )
    contact_form = ContactForm(request.POST)
    intake_form = IntakeForm(request.POST, coordinators=coordinators)
    new = request.POST.get("mode") == IntakeMode.NEW
    # A client's fields matter only for a new client; otherwise they are kept as typed.
    client_form = ClientForm(request.POST) if new else ClientForm(initial=request.POST.dict())
    valid = [contact_form.is_valid(), intake_form.is_valid(), not new or client_form.is_valid()]
    picked: list[Client] = []
    if all(valid):
        try:
            client = _record_intake(user, contact_form, intake_form, client_form, picked)
        except ValidationError:
            pass  # already on the forms
        else:
            return _after_intake(request, client)
    return _intake_page(
        request,
        contact_form=contact_form,
        intake_form=intake_form,
        client_form=client_form,
        results=picked,
        status=HTTPStatus.BAD_REQUEST,
    )


def _record_intake(
    user: User, contact_form: ContactForm, intake_form: IntakeForm, client_form: ClientForm, picked: list[Client]
) -> Client:
    """One service records it all or nothing; its refusals go on the forms."""
    data = intake_form.cleaned_data
    new = data["mode"] == IntakeMode.NEW
    try:
        client, _contact = services.intake(
            by=user,
            contact=contact_form.cleaned_data,
            client_id=None if new else data["existing_client"],
            identity_code="" if new else data["existing_identity_code"],
            new_client=client_form.cleaned_data if new else None,
            coordinator=data["coordinator"],
            no_named_worker_reason=data["no_named_worker_reason"],
        )
    except ValidationError as error:
        add_errors(error, contact_form, client_form, intake_form, rename=INTAKE_FIELDS)
        raise
    if data["existing_client"]:
        picked.append(client)
    return client


def _after_intake(request: StaffRequest, client: Client) -> HttpResponse:
    if selectors.sees_client(user=request.user, pk=client.pk):
        messages.success(request, _("The contact was recorded."))
        return redirect(_client_url(client))
    messages.success(
        request,
        _("The contact was recorded for %(name)s. Their named worker or team lead sees it on the client's page.")
        % {"name": client.full_name},
    )
    return redirect("intake")


def _intake_page(
    request: StaffRequest,
    *,
    contact_form: ContactForm,
    intake_form: IntakeForm,
    client_form: ClientForm,
    query: str = "",
    results: Iterable[Client] = (),
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    context = {
        "contact_form": contact_form,
        "intake_form": intake_form,
        "client_form": client_form,
        "query": query,
        "results": list(results),
        "picked": _as_pk(intake_form["existing_client"].value()),
        "pick": True,
        "today": timezone.localdate(),
    }
    return render(request, "clients/intake.html", context, status=status)


def _as_pk(value: object) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


@staff_required
@require_GET
def client_search(request: StaffRequest) -> HttpResponse:
    """Clients the user may see whose name is like ``q``: a list of links, or on the intake
    page (``pick``) a choice of the client to attach a contact to."""
    query = request.GET.get("q", "").strip()[:100]
    context = {
        "query": query,
        "results": selectors.search_clients(user=request.user, query=query),
        "pick": request.GET.get("pick") == "1",
        "picked": None,
        "today": timezone.localdate(),
    }
    template = "clients/_search_results.html" if request.htmx else "clients/search.html"
    return render(request, template, context)


# Referrals and substitutions


@staff_required
@require_GET
def referrals_overdue(request: StaffRequest) -> HttpResponse:
    """Referrals past their follow-up date in the user's caseload (a team lead: their teams'),
    for anyone on the staff: the selector finds none for those with no caseload."""
    user = request.user
    page = Paginator(selectors.overdue_referrals(user), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.log_overdue_referrals_shown(viewer=user, referrals=page)
    context = {"page": page, "today": timezone.localdate()}
    return render(request, "clients/referrals_overdue.html", context)
