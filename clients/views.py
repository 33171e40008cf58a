"""The client pages: parse a form, call a selector or a service, render. A domain rule broken
in a service (``ValidationError``) shows the form again with its messages (400); a closed
client's record (``ConflictError``) shows the page again with the message (409)."""

from collections.abc import Iterable, Mapping
from datetime import timedelta
from functools import partial
from http import HTTPStatus
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import grants, policy
from access import selectors as access_selectors
from access.decorators import StaffRequest, staff_required
from access.models import Section
from accounts import selectors as account_selectors
from accounts.models import User
from assessments import selectors as assessment_selectors
from core.pages import NOT_SENT, Outcome, Undone, submit
from core.params import as_pk, query_choice, query_page, query_text
from networks import selectors as network_selectors
from teams import selectors as team_selectors

from . import selectors, services
from .forms import (
    AdvanceReferralForm,
    AssignForm,
    ClientForm,
    ClosureForm,
    ConsultationForm,
    ContactForm,
    CoordinationReviewForm,
    HandoverForm,
    HandoverScope,
    IdentityLookupForm,
    IncomingReferralForm,
    IntakeForm,
    IntakeMode,
    NoNamedWorkerForm,
    OutgoingReferralForm,
    ReferralBounceForm,
)
from .models import Assignment, Client, Referral, ReviewDecision

CASELOAD_PAGE_SIZE = 50
LIST_PAGE_SIZE = 50


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
@require_GET
def my_caseload(request: StaffRequest) -> HttpResponse:
    return _caseload(request, request.user.pk)


@staff_required
@require_GET
def caseload_of(request: StaffRequest, coordinator_id: int) -> HttpResponse:
    return _caseload(request, coordinator_id)


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
    today = timezone.localdate()
    # The due assessments are one summary line that opens in place: its list is fetched by
    # htmx (?show=due), or shown at once on a page asked for with it (without script).
    show = query_choice(request, "show", {"due"}, "")
    if request.htmx and show:
        due = assessment_selectors.due_assessments(coordinator, viewer=user, ground=ground)
        return render(request, "clients/_caseload_due.html", {"due_assessments": due, "today": today})
    search = query_text(request, "q")
    order = query_choice(request, "sort", selectors.CASELOAD_ORDERINGS, "name")
    assignments = selectors.caseload(coordinator=coordinator, search=search, order=order)
    page = Paginator(assignments, CASELOAD_PAGE_SIZE).get_page(query_page(request))
    is_own = coordinator.pk == user.pk
    # Handed over to me and not yet read: first on the page, whichever page of the list it is.
    unread = list(selectors.unread_handover_notes(user)) if is_own else []
    shown = {a.client.pk: a for a in [*unread, *page]}
    selectors.log_caseload_shown(viewer=user, assignments=list(shown.values()), ground=ground)
    may_hand_over = policy.may_hand_over(user, ground)
    if may_hand_over and handover_form is None:
        handover_form = HandoverForm(
            targets=_handover_targets(user, coordinator),
            initial={"owner": coordinator.pk, "on": today},
        )
    caseload_url = reverse("caseload") if is_own else reverse("caseload-of", args=[coordinator.pk])
    due = [] if request.htmx else assessment_selectors.due_assessments(coordinator, viewer=user, ground=ground)
    context = {
        "coordinator": coordinator,
        "caseload_url": caseload_url,
        "is_own": is_own,
        "page": page,
        "search": search,
        "order": order,
        "today": today,
        "unread_notes": unread,
        "upcoming_meetings": [] if request.htmx else list(network_selectors.upcoming_meetings_for(coordinator)),
        "due_assessments": due,
        "due_overdue": sum(1 for item in due if item.due_on < today),
        "show": show,
        "handover_form": handover_form if may_hand_over else None,
        "may_hand_over_all": policy.may_hand_over_all(user, ground),
        "select_all": query_choice(request, "select", {"page"}, "") == "page",
        "selected": {pk for pk in map(as_pk, request.POST.getlist("clients")) if pk is not None},
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
    coordinator, ground = policy.caseload_owner_for(user, as_pk(owner_pk) or user.pk)
    if not policy.may_hand_over(user, ground):
        raise PermissionDenied
    form = HandoverForm(request.POST, targets=_handover_targets(user, coordinator))

    def hand_over() -> list[Assignment]:
        data = form.cleaned_data
        ids = data["clients"]
        if data["scope"] == HandoverScope.ALL:
            if not policy.may_hand_over_all(user, ground):
                raise PermissionDenied
            ids = [row["client"] for row in selectors.caseload_client_ids(coordinator)]
        clients, client_ground = selectors.clients_for_handover(user=user, client_ids=ids)
        return services.hand_over(
            clients=clients, to=list(data["to"]), by=user, ground=client_ground, note=data["note"], on=data["on"]
        )

    outcome = submit(hand_over, form)
    if not outcome.done:
        return _caseload(request, coordinator.pk, handover_form=form, status=outcome.status)
    count = len(outcome.result)
    messages.success(
        request, ngettext("%(count)d client handed over.", "%(count)d clients handed over.", count) % {"count": count}
    )
    if coordinator.pk == user.pk:
        return redirect("caseload")
    return redirect("caseload-of", coordinator_id=coordinator.pk)


@staff_required
@require_POST
def assignment_note_read(request: StaffRequest, pk: int) -> HttpResponse:
    assignment = selectors.received_assignment(user=request.user, pk=pk)
    services.mark_handover_note_read(assignment=assignment, by=request.user)
    return redirect(_next_or(request, reverse("caseload")))


# One client


def _client_page(
    request: StaffRequest, client: Client, outcome: Undone = NOT_SENT, *, bound: Mapping[str, Any] | None = None
) -> HttpResponse:
    """The client's page, after a refused change with its ``conflict`` message (409) or with
    the forms sent (``bound``) showing their errors (400)."""
    today = timezone.localdate()
    assignments = list(selectors.assignment_history(client))
    periods = list(selectors.relationship_periods_of(client))
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
        "periods": periods,
        "coordination_period": next((period for period in periods if period.closed_on is None), None),
        "client_messages": selectors.messages_to(client) if shows_contacts else [],
        "can_change": can_change,
        "can_manage": policy.may_manage(client),
        "consultations": access_selectors.consultations_of(client) if policy.may_manage(client) else [],
        "pending_return": grants.pending_return_of(client),
        # The named worker answers the client's request of who has processed their data.
        "shows_access_log": client.access_ground == policy.Ground.DESIGNATED_COORDINATOR,
        "shows_earlier_relationships": policy.shows_earlier_relationships(client),
        "can_reopen": policy.may_reopen(client),
        "ground_label": policy.Ground.LABELS[client.access_ground],
        "today": today,
        "conflict": outcome.conflict,
    }
    if can_change:
        context["contact_form"] = ContactForm(prefix="contact", initial={"contacted_on": today})
        context["outgoing_form"] = OutgoingReferralForm(prefix="outgoing", initial={"sent_on": today})
        context["incoming_form"] = IncomingReferralForm(prefix="incoming", initial={"received_on": today})
    if outcome.status == HTTPStatus.BAD_REQUEST:
        context.update(bound or {})
    return render(request, "clients/detail.html", context, status=outcome.status)


@staff_required
@require_GET
def client_detail(request: StaffRequest, pk: int) -> HttpResponse:
    client = access_selectors.client_for_reading(user=request.user, pk=pk, what="client.overview")
    return _client_page(request, client)


@staff_required
@require_http_methods(["GET", "POST"])
def client_create(request: StaffRequest) -> HttpResponse:
    user = request.user
    if not policy.may_create_clients(user):
        raise PermissionDenied
    form = ClientForm(request.POST or None)
    outcome = submit(
        lambda: services.create_client(
            by=user, fields=form.cleaned_data, team=team_selectors.team_of_coordinator(user)
        ),
        form,
        sent=request.method == "POST",
    )
    if outcome.done:
        return redirect("client-detail", pk=outcome.result.pk)
    return render(request, "clients/form.html", {"form": form, "client": None}, status=outcome.status)


@staff_required
@require_http_methods(["GET", "POST"])
def client_edit(request: StaffRequest, pk: int) -> HttpResponse:
    client = access_selectors.client_for_reading(
        user=request.user, pk=pk, what="client.edit", may=policy.Ground.MAY_CHANGE
    )
    form = ClientForm(request.POST or None, instance=client)
    outcome = submit(
        lambda: services.update_client(
            client=client,
            by=request.user,
            ground=client.access_ground,
            fields={name: form.cleaned_data[name] for name in form.changed_data},
        ),
        form,
        sent=request.method == "POST",
    )
    if outcome.done:
        return redirect("client-detail", pk=client.pk)
    if outcome.status == HTTPStatus.CONFLICT:
        return _client_page(request, client, outcome)
    return render(request, "clients/form.html", {"form": form, "client": client}, status=outcome.status)


@staff_required
@require_POST
def client_contact_create(request: StaffRequest, pk: int) -> HttpResponse:
    client = access_selectors.client_for_reading(
        user=request.user, pk=pk, what="client.contact", may=policy.Ground.MAY_CHANGE
    )
    form = ContactForm(request.POST, prefix="contact")
    outcome = submit(
        lambda: services.record_contact(
            client=client, by=request.user, ground=client.access_ground, **form.cleaned_data
        ),
        form,
        check=partial(services.ensure_open, client),
    )
    if not outcome.done:
        return _client_page(request, client, outcome, bound={"contact_form": form})
    messages.success(request, _("The contact was recorded."))
    return redirect(_client_url(client, "contacts"))


@staff_required
@require_POST
def client_referral_create(request: StaffRequest, pk: int) -> HttpResponse:
    """An outgoing referral, followed up until answered; or an incoming one, which is a
    contact too and starts the assessment clock."""
    client = access_selectors.client_for_reading(
        user=request.user, pk=pk, what="client.referral", may=policy.Ground.MAY_CHANGE
    )
    incoming = request.POST.get("direction") == Referral.Direction.INCOMING
    form: forms.Form = (
        IncomingReferralForm(request.POST, prefix="incoming")
        if incoming
        else OutgoingReferralForm(request.POST, prefix="outgoing")
    )
    outcome = submit(
        lambda: _save_referral(request, client, form.cleaned_data, incoming=incoming),
        form,
        # An incoming referral is saved as a contact: the contact's names of the fields.
        rename={"contacted_on": "received_on", "source_name": "counterpart"},
        check=partial(services.ensure_open, client),
    )
    if not outcome.done:
        return _client_page(request, client, outcome, bound={"incoming_form" if incoming else "outgoing_form": form})
    messages.success(request, _("The referral was recorded."))
    return redirect(_client_url(client, "referrals"))


def _save_referral(request: StaffRequest, client: Client, data: dict[str, Any], *, incoming: bool) -> None:
    if incoming:
        services.receive_referral(
            client=client,
            by=request.user,
            ground=client.access_ground,
            partner=data["partner"],
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
    referral = selectors.referral_for(user=request.user, pk=pk, what="referral.advance", may=policy.Ground.MAY_CHANGE)
    client = referral.client
    form = AdvanceReferralForm(request.POST)
    outcome = submit(
        lambda: services.advance_referral(
            referral=referral, status=form.cleaned_data["status"], by=request.user, ground=client.access_ground
        ),
        form,
        check=partial(services.ensure_open, client),
    )
    if not outcome.done:
        return _client_page(request, client, outcome, bound={"advance_form": form})
    messages.success(request, _("The referral was updated."))
    return redirect(_next_or(request, _client_url(client, "referrals")))


@staff_required
@require_http_methods(["GET", "POST"])
def referral_bounce(request: StaffRequest, pk: int) -> HttpResponse:
    """Records that a referral bounced: came back unanswered, was refused, or was redirected
    to another partner (which makes the new referral)."""
    referral = selectors.referral_for(user=request.user, pk=pk, what="referral.bounce", may=policy.Ground.MAY_CHANGE)
    client = referral.client
    sent = request.method == "POST"
    form = ReferralBounceForm(request.POST if sent else None, initial={"bounced_on": timezone.localdate()})
    outcome = submit(
        lambda: services.record_referral_bounce(
            referral=referral, by=request.user, ground=client.access_ground, **form.cleaned_data
        ),
        form,
        check=partial(services.ensure_open, client),
        sent=sent,
    )
    if outcome.done:
        messages.success(request, _("The bounce was recorded."))
        return redirect(_client_url(client, "referrals"))
    context = {"client": client, "referral": referral, "form": form, "conflict": outcome.conflict}
    return render(request, "clients/referral_bounce.html", context, status=outcome.status)


@staff_required
@require_http_methods(["GET", "POST"])
def client_named_worker(request: StaffRequest, pk: int) -> HttpResponse:
    """Names a coordinator as the client's named worker (SHL §42), or records why none is
    needed."""
    user = request.user
    client = access_selectors.client_for_reading(
        user=user, pk=pk, what="client.named_worker", may=policy.Ground.MAY_MANAGE
    )
    sent = request.method == "POST"
    no_one = request.POST.get("action") == "none"
    assign_form = AssignForm(
        request.POST if sent and not no_one else None,
        prefix="assign",
        coordinators=policy.assignable_coordinators(user),
        initial={"started_on": timezone.localdate()},
    )
    none_form = NoNamedWorkerForm(request.POST if sent and no_one else None, prefix="none")
    check = partial(services.ensure_open, client)
    outcome: Outcome[object]
    if no_one:
        outcome = submit(
            lambda: services.record_no_named_worker(
                client=client, by=user, ground=client.access_ground, reason=none_form.cleaned_data["reason"]
            ),
            none_form,
            check=check,
            sent=sent,
        )
        if outcome.done:
            messages.success(request, _("The reason why no named worker is needed was recorded."))
            return redirect(_client_url(client, "named-worker"))
    else:
        outcome = submit(
            lambda: services.assign_coordinator(
                client=client, by=user, ground=client.access_ground, **assign_form.cleaned_data
            ),
            assign_form,
            check=check,
            sent=sent,
        )
        if outcome.done:
            messages.success(request, _("The named worker was changed."))
            return _after_change(request, client)
    context = {
        "client": client,
        "current": selectors.assignment_history(client).filter(ended_on__isnull=True).first(),
        "assign_form": assign_form,
        "none_form": none_form,
        "conflict": outcome.conflict,
    }
    return render(request, "clients/named_worker.html", context, status=outcome.status)


@staff_required
@require_http_methods(["GET", "POST"])
def client_consultation_create(request: StaffRequest, pk: int) -> HttpResponse:
    """Grants a one-off consultation of the client's record (those who manage the client). A
    search (``q``) narrows the professionals to choose among, the first few of them only; with
    htmx, the search answers with the choices alone. Refused, the page keeps the one chosen."""
    user = request.user
    client = access_selectors.client_for_reading(
        user=user, pk=pk, what="client.consultation", may=policy.Ground.MAY_MANAGE
    )
    query = query_text(request, "q")
    candidates = access_selectors.consultation_candidates(user)
    sent = request.method == "POST"
    form = ConsultationForm(request.POST if sent else None, prefix="consultation", people=candidates)
    outcome = submit(
        lambda: grants.grant_consultation(client=client, by=user, ground=client.access_ground, **form.cleaned_data),
        form,
        check=partial(services.ensure_open, client),
        sent=sent,
    )
    if outcome.done:
        messages.success(request, _("The consultation was granted."))
        return redirect(_client_url(client, "consultations"))
    found = account_selectors.search_professionals(query, among=candidates)
    chosen = getattr(form, "cleaned_data", {}).get("professional")
    shown = found.people if chosen is None else [chosen, *(person for person in found.people if person != chosen)]
    form.offer(shown)
    context = {
        "client": client,
        "form": form,
        "query": query,
        "shown": shown,
        "more": found.more,
        "conflict": outcome.conflict,
    }
    fragment = request.htmx and not request.htmx.history_restore_request and not sent
    template = "clients/_consultation_people.html" if fragment else "clients/consultation.html"
    response = render(request, template, context, status=outcome.status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@staff_required
@require_POST
def consultation_revoke(request: StaffRequest, pk: int) -> HttpResponse:
    """Ends a consultation now (those who manage the client)."""
    user = request.user
    consultation = access_selectors.consultation_for(user=user, pk=pk, what="consultation.revoke")
    client = consultation.client
    outcome = submit(
        lambda: grants.revoke_consultation(consultation=consultation, by=user, ground=client.access_ground)
    )
    if not outcome.done:
        return _client_page(request, client, outcome)
    messages.success(request, _("The consultation was revoked."))
    return redirect(_client_url(client, "consultations"))


@staff_required
@require_POST
def returning_client_confirm(request: StaffRequest, pk: int) -> HttpResponse:
    """A lead of the client's team confirms a returning client reopened by a new worker."""
    user = request.user
    returning = access_selectors.returning_client_for(user=user, pk=pk, what="returning_client.confirm")
    client = returning.client
    outcome = submit(lambda: grants.confirm_returning_client(returning=returning, by=user))
    if not outcome.done:
        return _client_page(request, client, outcome)
    messages.success(request, _("The returning client was confirmed."))
    return redirect(_client_url(client))


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
    client = access_selectors.client_for_reading(user=user, pk=pk, what="client.close", may=policy.Ground.MAY_MANAGE)
    sent = request.method == "POST"
    form = ClosureForm(request.POST if sent else None, initial=_closure_initial(client))
    outcome = submit(
        lambda: services.close_client(
            client=client,
            by=user,
            ground=client.access_ground,
            closed_on=form.cleaned_data["closed_on"],
            reason=form.cleaned_data["reason"],
            summary=form.cleaned_data["summary"],
            reached=form.cleaned_data["reached"],
            client_view=form.cleaned_data["client_view"],
            client_view_words=form.cleaned_data["client_view_words"],
        ),
        form,
        check=partial(services.ensure_open, client),
        sent=sent,
    )
    if outcome.done:
        messages.success(request, _("The client relationship was closed."))
        return _after_change(request, client)
    context = {"client": client, "form": form, "conflict": outcome.conflict}
    return render(request, "clients/close.html", context, status=outcome.status)


def _closure_initial(client: Client) -> dict[str, Any]:
    """Today, and after a coordination review that decided to end coordination, the client's
    view given there."""
    initial: dict[str, Any] = {"closed_on": timezone.localdate()}
    latest = selectors.coordination_reviews_of(client).first()
    if latest is not None and latest.decision == ReviewDecision.CLOSE:
        initial |= {"client_view": latest.client_view, "client_view_words": latest.client_view_words}
    return initial


@staff_required
@require_http_methods(["GET", "POST"])
def client_coordination(request: StaffRequest, pk: int) -> HttpResponse:
    """The client's coordination: its review point and reviews, and (for those who manage the
    client) the form that records a review. A decision to end goes on to the closure."""
    user = request.user
    sent = request.method == "POST"
    client = access_selectors.client_for_reading(
        user=user, pk=pk, what="client.coordination", may=policy.Ground.MAY_MANAGE if sent else None
    )
    can_manage = policy.may_manage(client) and not client.is_closed
    today = timezone.localdate()
    form = CoordinationReviewForm(request.POST if sent else None, initial={"reviewed_on": today})
    outcome = submit(
        lambda: services.record_coordination_review(
            client=client, by=user, ground=client.access_ground, **form.cleaned_data
        ),
        form,
        check=partial(services.ensure_open, client),
        sent=sent,
    )
    if outcome.done:
        if outcome.result.decision == ReviewDecision.CLOSE:
            messages.success(request, _("The review was recorded. Close the client relationship next."))
            return redirect("client-close", pk=client.pk)
        messages.success(request, _("The coordination review was recorded."))
        return redirect("client-coordination", pk=client.pk)
    period = selectors.open_period_of(client)
    reviews = selectors.coordination_reviews_of(client)
    if not policy.shows_earlier_relationships(client):
        # A returning client's earlier reviews wait for the team lead's confirmation, as the
        # earlier closing notes do.
        reviews = reviews.filter(period=period)
    context = {
        "client": client,
        "period": period,
        "reviews": reviews,
        "form": form if can_manage else None,
        "today": today,
        "conflict": outcome.conflict,
    }
    return render(request, "clients/coordination.html", context, status=outcome.status)


@staff_required
@require_POST
def client_reopen(request: StaffRequest, pk: int) -> HttpResponse:
    """Starts a new relationship today; a coordinator who reopens becomes the named worker."""
    user = request.user
    client = access_selectors.client_for_reading(user=user, pk=pk, what="client.reopen", may=policy.Ground.MAY_REOPEN)
    outcome = submit(
        lambda: services.reopen_client(
            client=client,
            by=user,
            ground=client.access_ground,
            opened_on=timezone.localdate(),
            coordinator=policy.default_named_worker(user),
        )
    )
    if not outcome.done:
        return _client_page(request, client, outcome, bound={"reopen_errors": outcome.problems})
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
        query = query_text(request, "q")
        worker = policy.default_named_worker(user)
        # Searched for someone: most likely an existing client.
        initial = {"mode": IntakeMode.EXISTING if query else None, "coordinator": worker.pk if worker else None}
        return _intake_page(
            request,
            contact_form=ContactForm(initial={"contacted_on": timezone.localdate()}),
            intake_form=IntakeForm(coordinators=coordinators, initial=initial),
            client_form=ClientForm(),
            query=query,
            results=selectors.search_clients(user=user, query=query) if query else [],
        )
    if request.POST.get("action") == "lookup":
        return _intake_lookup(request, coordinators)
    contact_form = ContactForm(request.POST)
    intake_form = IntakeForm(request.POST, coordinators=coordinators)
    new = request.POST.get("mode") == IntakeMode.NEW
    # A client's fields matter only for a new client; otherwise they are kept as typed.
    client_form = ClientForm(request.POST) if new else ClientForm(initial=request.POST.dict())
    outcome = submit(
        lambda: _record_intake(user, contact_form, intake_form, client_form if new else None),
        contact_form,
        *([client_form] if new else []),
        intake_form,
        rename=INTAKE_FIELDS,
    )
    if outcome.done:
        return _after_intake(request, outcome.result, typed_in=new)
    return _intake_page(
        request,
        contact_form=contact_form,
        intake_form=intake_form,
        client_form=client_form,
        status=outcome.status,
        conflict=outcome.conflict,
    )


def _intake_lookup(request: StaffRequest, coordinators: QuerySet[User]) -> HttpResponse:
    """The intake page's lookup by identity code: what the caller may know of the person, with
    the rest of the form kept as typed."""
    form = IdentityLookupForm(request.POST)
    outcome = submit(
        lambda: selectors.look_up_identity_code(user=request.user, code=form.cleaned_data["existing_identity_code"]),
        form,
        rename=INTAKE_FIELDS,
    )
    typed = request.POST.dict()
    return _intake_page(
        request,
        contact_form=ContactForm(initial=typed),
        intake_form=IntakeForm(initial=typed, coordinators=coordinators),
        client_form=ClientForm(initial=typed),
        status=outcome.status if not outcome.done else HTTPStatus.OK,
        conflict="" if outcome.done else outcome.conflict,
        lookup=outcome.result if outcome.done else None,
        lookup_form=form,
    )


def _record_intake(
    user: User, contact_form: ContactForm, intake_form: IntakeForm, client_form: ClientForm | None
) -> Client:
    """One service records it all or nothing."""
    data = intake_form.cleaned_data
    new = client_form is not None
    client, _contact = services.intake(
        by=user,
        contact=contact_form.cleaned_data,
        client_id=None if new else data["existing_client"],
        identity_code="" if new else data["existing_identity_code"],
        new_client=client_form.cleaned_data if client_form is not None else None,
        coordinator=data["coordinator"],
        no_named_worker_reason=data["no_named_worker_reason"],
        returning_reason="" if new else data["returning_reason"],
        review_due_on=data["review_due_on"] if new else None,
    )
    return client


def _after_intake(request: StaffRequest, client: Client, *, typed_in: bool) -> HttpResponse:
    if selectors.sees_client(user=request.user, pk=client.pk):
        messages.success(request, _("The contact was recorded."))
        return redirect(_client_url(client))
    if typed_in:  # a new client the caller has just written in, given to a colleague
        messages.success(
            request,
            _("The contact was recorded for %(name)s. Their named worker or team lead sees it on the client's page.")
            % {"name": client.full_name},
        )
        return redirect("intake")
    # A client the caller may not see: the message does not name them.
    messages.success(
        request, _("The contact was recorded. The client's named worker or team lead sees it on the client's page.")
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
    conflict: str = "",
    lookup: selectors.IdentityLookup | None = None,
    lookup_form: IdentityLookupForm | None = None,
) -> HttpResponse:
    context = {
        "conflict": conflict,
        "lookup": lookup,
        "lookup_form": lookup_form,
        "contact_form": contact_form,
        "intake_form": intake_form,
        "client_form": client_form,
        "query": query,
        "results": list(results),
        "picked": as_pk(intake_form["existing_client"].value()),
        "pick": True,
        "today": timezone.localdate(),
    }
    return render(request, "clients/intake.html", context, status=status)


@staff_required
@require_GET
def client_search(request: StaffRequest) -> HttpResponse:
    """Clients the user may see whose name is like ``q``: a list of links, or on the intake
    page (``pick``) a choice of the client to attach a contact to."""
    query = query_text(request, "q")
    context = {
        "query": query,
        "results": selectors.search_clients(user=request.user, query=query),
        "pick": query_choice(request, "pick", {"1"}, "") == "1",
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
    page = Paginator(selectors.overdue_referrals(user), LIST_PAGE_SIZE).get_page(query_page(request))
    selectors.log_overdue_referrals_shown(viewer=user, referrals=page)
    context = {"page": page, "today": timezone.localdate()}
    return render(request, "clients/referrals_overdue.html", context)


@staff_required
@require_GET
def referral_partners(request: StaffRequest) -> HttpResponse:
    """The referral partners with what became of the referrals made to them from the user's
    caseload (a team lead: their teams') in the last 12 months: answer times and bounces. Only
    counts, no client: nothing to log."""
    today = timezone.localdate()
    figures = selectors.referral_figures_by_partner(
        clients=selectors.caseload_client_ids(request.user),
        since=today - timedelta(days=selectors.PARTNER_FIGURES_DAYS),
        unanswered_before=today - timedelta(days=selectors.REFERRAL_UNANSWERED_DAYS),
    )
    counted = {f.partner.pk for f in figures if f.partner is not None}
    context = {
        "figures": figures,
        "others": [p for p in selectors.referral_partners() if p.pk not in counted],
        "unanswered_days": selectors.REFERRAL_UNANSWERED_DAYS,
    }
    return render(request, "clients/referral_partners.html", context)
