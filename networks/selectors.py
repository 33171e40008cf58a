from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event

from caseflow.access import active_on, teams_led_by
from caseflow.accounts.models import Role, User
from clients.models import Assignment, AssignmentEnd, Client

from .models import CareTeamMember, Consent, Decision, NetworkMeeting, NetworkMember, Team, TeamMembership

HELSINKI = ZoneInfo("Europe/Helsinki")


def led_team_members(lead: User) -> QuerySet[TeamMembership]:
    """The coordinators in the teams ``lead`` leads today, each with ``caseload_size`` and
    ``handed_over_12m`` (clients they handed over in the last 12 months): the team lead's
    review list, in one query whatever the number of teams and coordinators."""
    today = timezone.localdate()
    led_teams = teams_led_by(lead, on=today)
    open_count = (
        Assignment.objects.filter(coordinator=OuterRef("user"), ended_on__isnull=True)
        .order_by()
        .values("coordinator")
        .annotate(n=Count("*"))
        .values("n")
    )
    handed_over = (
        Assignment.objects.filter(
            coordinator=OuterRef("user"), end_reason=AssignmentEnd.HANDOVER, ended_on__gte=today - timedelta(days=365)
        )
        .order_by()
        .values("coordinator")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        TeamMembership.objects.filter(
            active_on(today), team__in=led_teams, kind=TeamMembership.Kind.MEMBER, user__role=Role.COORDINATOR
        )
        .select_related("team", "user")
        .annotate(
            caseload_size=Coalesce(Subquery(open_count, output_field=IntegerField()), 0),
            handed_over_12m=Coalesce(Subquery(handed_over, output_field=IntegerField()), 0),
        )
        .order_by("team__name", "user__last_name", "user__first_name")
    )


def teams_for(user: User) -> QuerySet[Team]:
    """The teams ``user`` may review: all for an administrator, the led ones for a lead, their
    own for everyone else; each with ``member_count`` (current members)."""
    today = timezone.localdate()
    if user.role == Role.ADMINISTRATOR:
        teams = Team.objects.all()
    else:
        teams = Team.objects.filter(pk__in=TeamMembership.objects.filter(active_on(today), user=user).values("team"))
    return teams.annotate(
        member_count=Count(
            "memberships",
            filter=Q(memberships__started_on__lte=today)
            & (Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gte=today)),
        )
    ).order_by("name")


def team_members(team: Team) -> QuerySet[TeamMembership]:
    """A team's memberships, current first, with the people."""
    return team.memberships.select_related("user").order_by(
        F("ended_on").desc(nulls_first=True), "kind", "user__last_name", "user__first_name"
    )


def care_team_of(client: Client) -> QuerySet[CareTeamMember]:
    return client.care_team.select_related("professional").order_by(
        F("ended_on").desc(nulls_first=True), "started_on", "pk"
    )


def network_of(client: Client) -> QuerySet[NetworkMember]:
    """The client's own network with each member's consents (one query for the consents)."""
    return client.network.filter(removed_on__isnull=True).prefetch_related(
        Prefetch("consents", queryset=Consent.objects.order_by("-given_on", "-pk"))
    )


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
