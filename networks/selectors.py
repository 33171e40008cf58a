from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event

from access import policy
from access import selectors as access_selectors
from access.models import Section
from access.services import record_list_access
from accounts.models import User
from clients.models import Assignment, Client

from .models import CareTeamMember, Consent, Decision, NetworkMeeting, NetworkMember

HELSINKI = ZoneInfo("Europe/Helsinki")


def care_team_of(client: Client) -> QuerySet[CareTeamMember]:
    return client.care_team.select_related("professional").order_by(
        F("ended_on").desc(nulls_first=True), "started_on", "pk"
    )


def network_of(client: Client) -> QuerySet[NetworkMember]:
    """The client's own network with each member's consents (one query for the consents)."""
    return client.network.filter(removed_on__isnull=True).prefetch_related(
        Prefetch("consents", queryset=Consent.objects.order_by("-given_on", "-pk"))
    )


def members_with_consent(client: Client, section: str) -> QuerySet[NetworkMember]:
    """The client's current network, each marked ``has_consent`` where a consent to share
    ``section`` with them is in force today (one query): for the choice of whose view to record,
    the service checking the consent again at the moment of recording."""
    today = timezone.localdate()
    in_force = Consent.objects.filter(
        network_member=OuterRef("pk"),
        sections__contains=[section],
        given_on__lte=today,
        valid_until__gte=today,
        withdrawn_on__isnull=True,
    )
    return client.network.filter(removed_on__isnull=True).annotate(has_consent=Exists(in_force))


def consents_of(client: Client) -> QuerySet[Consent]:
    return client.consents.select_related("network_member", "recorded_by")


def meetings_of(client: Client) -> QuerySet[NetworkMeeting]:
    return client.meetings.select_related("organiser").prefetch_related(
        "professionals",
        "network_members",
        Prefetch(
            "decisions",
            queryset=Decision.objects.select_related("responsible_professional", "responsible_member"),
        ),
    )


def next_meeting_of(client: Client) -> NetworkMeeting | None:
    """The client's next network meeting that is not cancelled."""
    return (
        client.meetings.filter(starts_at__gte=timezone.now())
        .exclude(status=NetworkMeeting.Status.CANCELLED)
        .order_by("starts_at", "pk")
        .first()
    )


def upcoming_meetings_for(coordinator: User, *, days: int = 14) -> QuerySet[NetworkMeeting]:
    """Planned meetings of the coordinator's clients in the coming days, for the caseload."""
    now = timezone.now()
    clients = Assignment.objects.filter(coordinator=coordinator, ended_on__isnull=True).values("client")
    return (
        NetworkMeeting.objects.filter(
            client__in=clients,
            status=NetworkMeeting.Status.PLANNED,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=days),
        )
        .select_related("client")
        .order_by("starts_at", "pk")
    )


def decisions_of_client(client: Client) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(meeting__client=client)
        .select_related("meeting", "responsible_professional", "responsible_member")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )


@dataclass(frozen=True)
class DecisionRow:
    """An open decision with its client while the user may still see them (else None)."""

    decision: Decision
    client: Client | None
    shows_meeting: bool


def open_decisions_for(user: User) -> list[DecisionRow]:
    """The open decisions ``user`` is responsible for. A client is named only while the user
    may still see them, and the clients named are logged."""
    decisions = list(decisions_for(user))
    client_ids = {decision.meeting.client_id for decision in decisions}
    visible = {client.pk: client for client in policy.visible_clients(user, ids=client_ids)}
    record_list_access(actor=user, clients=visible.values(), what="decisions.mine")
    return [
        DecisionRow(
            decision,
            client := visible.get(decision.meeting.client_id),
            client is not None and Section.MEETINGS in policy.sections_for(user, client.access_ground),
        )
        for decision in decisions
    ]


def decisions_for(professional: User) -> QuerySet[Decision]:
    """Open decisions a professional is responsible for, across their clients."""
    return (
        Decision.objects.filter(responsible_professional=professional, done_on__isnull=True)
        .select_related("meeting__client")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )


def meeting_invitation(meeting: NetworkMeeting) -> bytes:
    """The meeting as an iCalendar invitation, times in Europe/Helsinki. The client's name is
    left out: an invitation travels through calendars the organisation does not control."""
    calendar = Calendar()
    calendar.add("prodid", "-//Caseflow//verkostopalaveri//FI")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@caseflow")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(meeting.starts_at, HELSINKI))
    event.add("dtend", timezone.localtime(meeting.ends_at, HELSINKI))
    event.add("summary", gettext("Network meeting"))
    event.add("location", meeting.place or meeting.call_link)
    if meeting.call_link:
        event.add("url", meeting.call_link)
    event.add("status", "CANCELLED" if meeting.status == NetworkMeeting.Status.CANCELLED else "CONFIRMED")
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def meeting_for(*, user: User, pk: int, what: str, may: frozenset[str] | None = None) -> NetworkMeeting:
    """A meeting with its decisions and people, opened through its client: authorised and logged."""
    client = access_selectors.client_of(NetworkMeeting, pk, user=user, what=what, section=Section.MEETINGS, may=may)
    meeting = meetings_of(client).get(pk=pk)
    meeting.client = client
    return meeting


def consent_for(*, user: User, pk: int, what: str, may: frozenset[str] | None = None) -> Consent:
    """A consent, opened through its client's network: authorised and logged."""
    client = access_selectors.client_of(Consent, pk, user=user, what=what, section=Section.NETWORK, may=may)
    consent = consents_of(client).get(pk=pk)
    consent.client = client
    return consent


def undone_decisions_of(professionals: QuerySet[User, Any]) -> QuerySet[Decision]:
    """Meeting decisions ``professionals`` are responsible for and have not done."""
    return Decision.objects.filter(responsible_professional__in=professionals, done_on__isnull=True)


def care_teams_of(professional: User) -> QuerySet[CareTeamMember, Any]:
    """The clients on whose care team ``professional`` is today, as ``client`` ids."""
    return CareTeamMember.objects.filter(policy.active_on(timezone.localdate()), professional=professional).values(
        "client"
    )


def next_meetings() -> QuerySet[NetworkMeeting, Any]:
    """The start of each client's next planned meeting, to annotate a list of clients with
    (``Subquery(next_meetings().filter(client=OuterRef("pk")).values("starts_at")[:1])``)."""
    return NetworkMeeting.objects.filter(status=NetworkMeeting.Status.PLANNED, starts_at__gte=timezone.now()).order_by(
        "starts_at"
    )
