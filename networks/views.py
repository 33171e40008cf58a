from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from http import HTTPStatus
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy
from access import selectors as access_selectors
from access.decorators import StaffRequest, staff_required
from access.models import Section
from accounts import selectors as account_selectors
from accounts.forms import person_label
from accounts.models import User
from clients import selectors as client_selectors
from clients import services as client_services
from clients.models import Client
from core.pages import NOT_SENT, Undone, submit

from . import selectors, services
from .forms import (
    CareTeamForm,
    ConsentForm,
    DecisionFormSet,
    MeetingForm,
    NetworkMemberForm,
    RecordMeetingForm,
)
from .models import Consent, Decision, NetworkMeeting, NetworkMember

# Teams, care teams, the client's own network, consents and network meetings. Thin: parse a
# form, call a selector or a service, render. A rule broken in a service (ValidationError)
# shows the form again with its messages (400); a state that forbids the change (ConflictError,
# a closed client) shows the message (409); a role that may read but not act gets 403.


# The client's care team, own network and consents


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    state: str
    state_label: str
    shared: str


@dataclass(frozen=True)
class MemberRow:
    member: NetworkMember
    shared: str


def _consent_state(consent: Consent, today: date) -> tuple[str, str]:
    """The consent's state in words, not by colour alone."""
    if consent.withdrawn_on is not None:
        return "withdrawn", _("Withdrawn")
    if consent.valid_until < today:
        return "expired", _("Expired")
    if consent.given_on > today:
        return "coming", _("Not yet in force")
    return "in-force", _("In force")


def _section_names(values: Iterable[str]) -> str:
    labels = dict(Section.choices)
    return ", ".join(str(labels.get(value, value)) for value in values)


def _shared_with(member: NetworkMember, today: date) -> list[str]:
    """The sections shared with a member under consents in force (prefetched by network_of)."""
    shared = {section for consent in member.consents.all() if consent.in_force(today) for section in consent.sections}
    return [value for value in Section.values if value in shared]


def _network_url(client: Client, anchor: str) -> str:
    return f"{reverse('client-network', kwargs={'pk': client.pk})}#{anchor}"


def _member_choices(client: Client) -> QuerySet[NetworkMember]:
    return selectors.network_of(client).prefetch_related(None)


def _network_page(
    request: StaffRequest,
    client: Client,
    outcome: Undone = NOT_SENT,
    *,
    status_message: str = "",
    bound: Mapping[str, forms.BaseForm] | None = None,
) -> HttpResponse:
    """The client's network page, after a refused change with its ``conflict`` message (409)
    or with the form sent (``bound``) showing its errors (400)."""
    today = timezone.localdate()
    can_change = policy.may_change(client)
    can_manage = policy.may_manage(client)
    context: dict[str, Any] = {
        "client": client,
        "today": today,
        "care_team": list(selectors.care_team_of(client)),
        "members": [
            MemberRow(member, _section_names(_shared_with(member, today))) for member in selectors.network_of(client)
        ],
        "consents": [
            ConsentRow(consent, *_consent_state(consent, today), _section_names(consent.sections))
            for consent in selectors.consents_of(client)
        ],
        "can_change": can_change,
        "can_manage": can_manage,
        "shows_meetings": Section.MEETINGS in policy.sections_for(request.user, client.access_ground),
        "conflict": outcome.conflict,
        "status_message": status_message,
    }
    if can_manage:
        context["care_team_form"] = CareTeamForm(
            prefix="care", professionals=account_selectors.professionals(), initial={"started_on": today}
        )
    if can_change:
        context["member_form"] = NetworkMemberForm(prefix="member")
        context["consent_form"] = ConsentForm(
            prefix="consent", members=_member_choices(client), initial={"given_on": today}
        )
    if outcome.status == HTTPStatus.BAD_REQUEST:
        context.update(bound or {})
    return render(request, "networks/client_network.html", context, status=outcome.status)


@staff_required
@require_http_methods(["GET", "POST"])
def client_network(request: StaffRequest, pk: int) -> HttpResponse:
    """The client's care team, own network and consents; each form posts here with its
    ``action``, which the user's ground must allow."""
    action = NETWORK_ACTIONS.get(request.POST.get("action", "")) if request.method == "POST" else None
    client = access_selectors.client_for_reading(
        user=request.user,
        pk=pk,
        what="client.network",
        section=Section.NETWORK,
        may=action.may if action is not None else None,
    )
    if request.method == "GET":
        return _network_page(request, client)
    if action is None:
        return _network_page(request, client, Undone(status=HTTPStatus.BAD_REQUEST, conflict=_("Unknown form.")))
    return action.handle(request, client)


def _add_care_team_member(request: StaffRequest, client: Client) -> HttpResponse:
    form = CareTeamForm(request.POST, prefix="care", professionals=account_selectors.professionals())
    outcome = submit(
        lambda: services.add_to_care_team(
            client=client, by=request.user, ground=client.access_ground, **form.cleaned_data
        ),
        form,
        check=partial(client_services.ensure_open, client),
    )
    if not outcome.done:
        return _network_page(request, client, outcome, bound={"care_team_form": form})
    messages.success(request, _("The professional was added to the care team."))
    return redirect(_network_url(client, "care-team"))


def _add_network_member(request: StaffRequest, client: Client) -> HttpResponse:
    form = NetworkMemberForm(request.POST, prefix="member")
    outcome = submit(
        lambda: services.add_network_member(
            client=client, by=request.user, ground=client.access_ground, fields=form.cleaned_data
        ),
        form,
        check=partial(client_services.ensure_open, client),
    )
    if not outcome.done:
        return _network_page(request, client, outcome, bound={"member_form": form})
    messages.success(request, _("The person was added to the client's network."))
    return redirect(_network_url(client, "network"))


def _give_consent(request: StaffRequest, client: Client) -> HttpResponse:
    form = ConsentForm(request.POST, prefix="consent", members=_member_choices(client))
    outcome = submit(
        lambda: services.give_consent(client=client, by=request.user, ground=client.access_ground, **form.cleaned_data),
        form,
        check=partial(client_services.ensure_open, client),
    )
    if not outcome.done:
        return _network_page(request, client, outcome, bound={"consent_form": form})
    messages.success(request, _("The consent was recorded."))
    return redirect(_network_url(client, "consents"))


@dataclass(frozen=True)
class NetworkAction:
    """A form of the network page: the grounds that may send it, and what it does."""

    may: frozenset[str]
    handle: Callable[[StaffRequest, Client], HttpResponse]


NETWORK_ACTIONS = {
    "care-team": NetworkAction(policy.Ground.MAY_MANAGE, _add_care_team_member),
    "member": NetworkAction(policy.Ground.MAY_CHANGE, _add_network_member),
    "consent": NetworkAction(policy.Ground.MAY_CHANGE, _give_consent),
}


@staff_required
@require_POST
def consent_withdraw(request: StaffRequest, pk: int) -> HttpResponse:
    """The client withdraws a consent, effective at once. With htmx, only the network and
    consents part of the page is replaced."""
    consent = selectors.consent_for(user=request.user, pk=pk, what="client.consent", may=policy.Ground.MAY_CHANGE)
    client = consent.client
    outcome = submit(lambda: services.withdraw_consent(consent=consent, by=request.user, ground=client.access_ground))
    if not outcome.done and request.htmx:
        # htmx swaps no error response: the message waits for the reloaded page.
        messages.error(request, outcome.conflict)
        return HttpResponse(status=outcome.status, headers={"HX-Refresh": "true"})
    if not outcome.done:
        return _network_page(request, client, outcome)
    done = _("The consent was withdrawn; nothing more is shared under it.")
    if request.htmx:
        return _network_page(request, client, status_message=done)
    messages.success(request, done)
    return redirect(_network_url(client, "consents"))


# Network meetings


def _meeting_professionals(client: Client, organiser: User) -> QuerySet[User]:
    """Who may be invited as a professional: the client's current care team, the named worker
    and the organiser."""
    today = timezone.localdate()
    care_team = selectors.care_team_of(client).filter(policy.active_on(today)).values("professional")
    named_worker = client_selectors.assignment_history(client).filter(ended_on__isnull=True).values("coordinator")
    return User.objects.filter(
        Q(pk__in=care_team) | Q(pk__in=named_worker) | Q(pk=organiser.pk), is_active=True
    ).order_by("last_name", "first_name", "pk")


def _meetings_page(
    request: StaffRequest, client: Client, outcome: Undone = NOT_SENT, *, form: MeetingForm | None = None
) -> HttpResponse:
    """The client's meetings, after a refused plan with its ``conflict`` message (409) or with
    the ``form`` sent showing its errors (400)."""
    today = timezone.localdate()
    now = timezone.now()
    meetings = list(selectors.meetings_of(client))
    can_manage = policy.may_manage(client)
    context: dict[str, Any] = {
        "client": client,
        "coming": [m for m in meetings if m.status == NetworkMeeting.Status.PLANNED and m.ends_at >= now],
        "earlier": [m for m in reversed(meetings) if m.status != NetworkMeeting.Status.PLANNED or m.ends_at < now],
        "can_manage": can_manage,
        "shows_network": Section.NETWORK in policy.sections_for(request.user, client.access_ground),
        "conflict": outcome.conflict,
    }
    if can_manage:
        members = list(selectors.network_of(client))
        invitable = [member for member in members if Section.MEETINGS in _shared_with(member, today)]
        context["has_invitable"] = bool(invitable)
        context["not_invitable"] = [member for member in members if member not in invitable]
        sent = form if outcome.status == HTTPStatus.BAD_REQUEST else None
        context["form"] = sent or _meeting_form(request, client, invitable)
    return render(request, "networks/client_meetings.html", context, status=outcome.status)


def _meeting_form(
    request: StaffRequest, client: Client, invitable: Sequence[NetworkMember], data: QueryDict | None = None
) -> MeetingForm:
    """The planning form: professionals from the care team, network members with a consent in
    force for meetings (the service refuses others)."""
    return MeetingForm(
        data,
        professionals=_meeting_professionals(client, request.user),
        members=_member_choices(client).filter(pk__in=[member.pk for member in invitable]),
        initial={"on": timezone.localdate(), "client_attends": True, "professionals": [request.user.pk]},
    )


def _invitable(client: Client) -> list[NetworkMember]:
    today = timezone.localdate()
    return [member for member in selectors.network_of(client) if Section.MEETINGS in _shared_with(member, today)]


@staff_required
@require_http_methods(["GET", "POST"])
def client_meetings(request: StaffRequest, pk: int) -> HttpResponse:
    """A client's network meetings; the named worker or their team lead plans one."""
    client = access_selectors.client_for_reading(
        user=request.user,
        pk=pk,
        what="client.meetings",
        section=Section.MEETINGS,
        may=policy.Ground.MAY_MANAGE if request.method == "POST" else None,
    )
    if request.method == "GET":
        return _meetings_page(request, client)
    form = _meeting_form(request, client, _invitable(client), request.POST)

    def plan() -> NetworkMeeting:
        data = form.cleaned_data
        return services.plan_meeting(
            client=client,
            by=request.user,
            ground=client.access_ground,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data["place"],
            call_link=data["call_link"],
            agenda=data["agenda"],
            client_attends=data["client_attends"],
            professionals=list(data["professionals"]),
            network_members=list(data["network_members"]),
        )

    outcome = submit(
        plan,
        form,
        rename={"starts_at": "starts", "ends_at": "ends"},
        check=partial(client_services.ensure_open, client),
    )
    if not outcome.done:
        return _meetings_page(request, client, outcome, form=form)
    messages.success(request, _("The meeting was planned."))
    return redirect("meeting-detail", pk=outcome.result.pk)


def _responsible_choices(meeting: NetworkMeeting) -> list[Any]:
    """Who can be responsible for a decision: the client, a participating professional or an
    invited network member, in the service's ``client`` / ``professional:<id>`` / ``member:<id>``."""
    choices: list[Any] = [
        ("", _("Choose")),
        ("client", _("The client (%(name)s)") % {"name": meeting.client.full_name}),
    ]
    professionals = [(f"professional:{person.pk}", person_label(person)) for person in meeting.professionals.all()]
    members = [(f"member:{member.pk}", member.name) for member in meeting.network_members.all()]
    if professionals:
        choices.append((_("Professionals"), professionals))
    if members:
        choices.append((_("From the client's network"), members))
    return choices


def _responsible_name(decision: Decision) -> str:
    if decision.responsible_professional is not None:
        return person_label(decision.responsible_professional)
    if decision.responsible_member is not None:
        return decision.responsible_member.name
    return _("The client")


@staff_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """One network meeting; recording it (notes, the client's own view, decisions) marks it
    held."""
    post = request.POST if request.method == "POST" else None
    meeting = selectors.meeting_for(
        user=request.user, pk=pk, what="meeting", may=policy.Ground.MAY_MANAGE if post is not None else None
    )
    client = meeting.client
    record_form = RecordMeetingForm(post, initial={"notes": meeting.notes, "client_view": meeting.client_view})
    decision_forms = DecisionFormSet(
        post, prefix="decisions", form_kwargs={"responsible_choices": _responsible_choices(meeting)}
    )
    outcome = submit(
        lambda: services.record_meeting(
            meeting=meeting,
            by=request.user,
            ground=client.access_ground,
            notes=record_form.cleaned_data["notes"],
            client_view=record_form.cleaned_data["client_view"],
            decisions=[form.cleaned_data for form in decision_forms if form.cleaned_data.get("text")],
        ),
        record_form,
        decision_forms,
        # Only a record sent is refused for a closed client: its meetings stay readable.
        check=partial(client_services.ensure_open, client) if post is not None else None,
        sent=post is not None,
    )
    if outcome.done:
        messages.success(request, _("The meeting was recorded."))
        return redirect(f"{reverse('meeting-detail', kwargs={'pk': meeting.pk})}#decisions")
    can_record = policy.may_manage(client) and meeting.status != NetworkMeeting.Status.CANCELLED
    context = {
        "meeting": meeting,
        "client": client,
        "decisions": [(decision, _responsible_name(decision)) for decision in meeting.decisions.all()],
        "can_record": can_record,
        "has_started": meeting.starts_at <= timezone.now(),
        "record_form": record_form,
        "decision_forms": decision_forms,
        "shows_network": Section.NETWORK in policy.sections_for(request.user, client.access_ground),
        "conflict": outcome.conflict,
        "today": timezone.localdate(),
    }
    return render(request, "networks/meeting_detail.html", context, status=outcome.status)


@staff_required
@require_GET
def my_decisions(request: StaffRequest) -> HttpResponse:
    """Open meeting decisions the user is responsible for. A client is named only while the
    user may still see them; the listing is logged."""
    rows = selectors.open_decisions_for(request.user)
    return render(request, "networks/my_decisions.html", {"rows": rows, "today": timezone.localdate()})
