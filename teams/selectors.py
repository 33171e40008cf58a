from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from access import policy
from access.policy import active_on, teams_led_by
from accounts.models import Role, User
from clients import selectors as client_selectors
from clients.models import Assignment, AssignmentEnd, Client
from networks import selectors as network_selectors
from teams.models import DigestSubscription, MonthlySnapshot, Substitution, Team, TeamMembership


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


def substitutions_for(user: User) -> QuerySet[Substitution]:
    """Substitutions ``user`` is part of or arranged, current and coming."""
    today = timezone.localdate()
    led = policy.coordinators_led_by(user).values("pk")
    return (
        Substitution.objects.filter(Q(absent=user) | Q(substitute=user) | Q(absent__in=led), ends_on__gte=today)
        .select_related("absent", "substitute")
        .order_by("starts_on", "pk")
    )


def team_of_coordinator(coordinator: User) -> Team | None:
    """The team a coordinator works in today (the first, if several)."""
    membership = (
        TeamMembership.objects.filter(
            policy.active_on(timezone.localdate()), user=coordinator, kind=TeamMembership.Kind.MEMBER
        )
        .select_related("team")
        .order_by("started_on", "pk")
        .first()
    )
    return membership.team if membership else None


def team_led_by(lead: User) -> Team | None:
    """The team ``lead`` leads today (the first by name, if several): where a client opened by
    a team lead without a named worker belongs."""
    return Team.objects.filter(pk__in=policy.teams_led_by(lead)).order_by("name", "pk").first()


def digest_enabled(lead: User) -> bool:
    """Whether ``lead`` gets the weekly review digest (on unless they turned it off)."""
    return bool(DigestSubscription.objects.filter(lead=lead).values_list("enabled", flat=True).first() in (None, True))


TREND_MONTHS = 12


def trends(teams: QuerySet[Team], *, today: date | None = None) -> list[dict[str, Any]]:
    """The last 12 months of the teams' figures, from the monthly snapshots (never recomputed):
    per month, the teams' figures summed."""
    today = today or timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=TREND_MONTHS * 31)).replace(day=1)
    months: dict[date, dict[str, Any]] = {}
    for snapshot in MonthlySnapshot.objects.filter(
        team__in=teams, coordinator__isnull=True, month__gte=first, month__lt=today.replace(day=1)
    ).order_by("month"):
        month = months.setdefault(snapshot.month, {"month": snapshot.month})
        for name in TREND_FIGURES:
            value = snapshot.figures.get(name)
            if isinstance(value, int | float):
                month[name] = month.get(name, 0) + value
    return list(months.values())[-TREND_MONTHS:]


# The figures each snapshot keeps and the trend table shows, month by month.
TREND_FIGURES = (
    "open_clients",
    "weighted_load",
    "overdue",
    "coming",
    "without_worker",
    "worker_changes",
    "days_without_worker",
    "goals_rated",
    "goals_reached_client",
    "goals_reached_professional",
    "uncovered_slots",
    "services_not_started",
    "referrals_unanswered",
)


def my_clients(member: User, *, search: str = "") -> list[Client]:
    """The clients on whose care team ``member`` is (and whom they may see), with their next
    planned meeting and the sections of the record the member may open; a search by name
    stays within them. One query, and one that logs the list."""
    clients = (
        policy.visible_clients(member)
        .filter(pk__in=network_selectors.care_teams_of(member))
        .annotate(
            next_meeting=Subquery(
                network_selectors.next_meetings().filter(client=OuterRef("pk")).values("starts_at")[:1]
            )
        )
    )
    for word in search.split():
        clients = clients.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
    shown: list[Client] = list(clients.order_by("last_name", "first_name", "pk"))
    for client in shown:
        client.sections = sorted(policy.sections_for(member, client.access_ground))  # type: ignore[attr-defined]
    client_selectors.log_list_shown(viewer=member, clients=shown, what="my_clients")
    return shown
