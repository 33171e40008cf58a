from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.policy import active_on, teams_led_by
from accounts.models import Role, User
from clients import selectors as client_selectors
from clients.models import Assignment, AssignmentEnd, Client
from networks import selectors as network_selectors
from reminders import selectors as reminder_selectors
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
# The figures of a monthly snapshot that add up across teams (or coordinators), the one that
# is the longest of them, and those kept per kind of work or per end reason.
_SUMMED = (
    "open_clients",
    "weighted_load",
    "over_threshold",
    "overdue",
    "coming",
    "without_worker",
    "worker_changes",
    "days_without_worker",
    "long_clients",
    "same_worker_12m",
    "goals_rated",
    "goals_reached_client",
    "goals_reached_professional",
    "heard_answers",
    "heard_rating_total",
    "uncovered_slots",
    "services_not_started",
    "referrals_unanswered",
)
_LONGEST = ("longest_without_worker",)
_BY_KEY = ("handovers", "overdue_by_kind")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _by_key(parts: list[Any]) -> dict[str, int | float] | None:
    if not all(isinstance(part, dict) for part in parts):
        return None
    totals: dict[str, int | float] = defaultdict(int)
    for part in parts:
        for key, n in part.items():
            if _number(n):
                totals[key] += n
    return dict(totals)


def combine_snapshots(snapshots: list[dict[str, Any]]) -> dict[str, Any]:
    """One month's figures of several snapshots (teams, or one coordinator's in several teams).
    A figure is there only where every snapshot kept it: a total over the snapshots that
    happen to have it (older ones lack figures added since) would mislead. The shares and
    averages are computed from the summed counts behind them."""
    month: dict[str, Any] = {}
    for name in (*_SUMMED, *_LONGEST):
        kept = [figures.get(name) for figures in snapshots]
        values: list[int | float] = [value for value in kept if isinstance(value, int | float) and _number(value)]
        if not values or len(values) < len(kept):
            month[name] = None
        else:
            month[name] = max(values) if name in _LONGEST else sum(values)
    if month["weighted_load"] is not None:
        month["weighted_load"] = round(month["weighted_load"], 1)
    for name in _BY_KEY:
        month[name] = _by_key([figures.get(name) for figures in snapshots])
    long_clients, same = month["long_clients"], month["same_worker_12m"]
    if long_clients is not None and same is not None:
        month["same_worker_share"] = round(100 * same / long_clients) if long_clients else None
    else:
        kept = [figures.get("same_worker_share") for figures in snapshots]
        month["same_worker_share"] = kept[0] if len(kept) == 1 and _number(kept[0]) else None
    answers, total = month["heard_answers"], month["heard_rating_total"]
    month["heard_average"] = round(total / answers, 1) if answers and total is not None else None
    return month


def _trend_window(today: date) -> tuple[date, date]:
    first = (today.replace(day=1) - timedelta(days=TREND_MONTHS * 31)).replace(day=1)
    return first, today.replace(day=1)


def trends(teams: QuerySet[Team], *, today: date | None = None) -> list[dict[str, Any]]:
    """The last 12 months of the teams' figures, from the monthly snapshots (never recomputed):
    per month (``month``), every figure the snapshots keep, the teams' combined. One query."""
    first, this_month = _trend_window(today or timezone.localdate())
    by_month: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for month, figures in MonthlySnapshot.objects.filter(
        team__in=teams, coordinator__isnull=True, month__gte=first, month__lt=this_month
    ).values_list("month", "figures"):
        by_month[month].append(figures)
    months = sorted(by_month)[-TREND_MONTHS:]
    return [{"month": month, **combine_snapshots(by_month[month])} for month in months]


@dataclass(frozen=True)
class CoordinatorTrend:
    team: Team
    coordinator: User
    # Per month of ``coordinator_trends``' months, the coordinator's figures (``None``: no snapshot).
    months: list[dict[str, Any] | None]


def coordinator_trends(
    teams: QuerySet[Team], *, today: date | None = None
) -> tuple[list[date], list[CoordinatorTrend]]:
    """The last 12 months of each coordinator's figures in ``teams``, from their monthly
    snapshots: the months, and per team and coordinator their figures in each. One query."""
    first, this_month = _trend_window(today or timezone.localdate())
    snapshots = list(
        MonthlySnapshot.objects.filter(
            team__in=teams, coordinator__isnull=False, month__gte=first, month__lt=this_month
        )
        .select_related("team", "coordinator")
        .order_by("team__name", "coordinator__last_name", "coordinator__first_name", "coordinator_id", "month")
    )
    months = sorted({snapshot.month for snapshot in snapshots})[-TREND_MONTHS:]
    rows: dict[tuple[int, int], tuple[Team, User, dict[date, dict[str, Any]]]] = {}
    for snapshot in snapshots:
        assert snapshot.coordinator is not None  # filtered above
        key = (snapshot.team_id, snapshot.coordinator.pk)
        rows.setdefault(key, (snapshot.team, snapshot.coordinator, {}))[2][snapshot.month] = combine_snapshots(
            [snapshot.figures]
        )
    return months, [
        CoordinatorTrend(team, coordinator, [figures.get(month) for month in months])
        for team, coordinator, figures in rows.values()
    ]


def _trend_labels() -> list[tuple[str, str]]:
    """Every figure of the trends in the order of the review, with its name; a figure kept per
    end reason or kind of work is named ``figure.key``."""
    reasons = [
        (f"handovers.{value}", _("Ended: %(reason)s") % {"reason": label})
        for value, label in client_selectors.assignment_end_reasons()
    ]
    kinds = [
        (f"overdue_by_kind.{value}", _("Overdue: %(kind)s") % {"kind": label})
        for value, label in reminder_selectors.work_kind_labels().items()
    ]
    return [
        ("open_clients", _("Open clients")),
        ("weighted_load", _("Weighted load")),
        ("over_threshold", _("Coordinators above the threshold")),
        ("overdue", _("Overdue")),
        *kinds,
        ("coming", _("Due in 30 days")),
        ("without_worker", _("Without a named worker")),
        ("longest_without_worker", _("Longest without a named worker (days)")),
        ("worker_changes", _("Worker changes")),
        ("days_without_worker", _("Days without a named worker")),
        ("same_worker_share", _("Same worker for 12 months (%)")),
        *reasons,
        ("goals_rated", _("Goals rated")),
        ("goals_reached_client", _("Reached, the client's rating")),
        ("goals_reached_professional", _("Reached, the professional's rating")),
        ("heard_answers", _("Answers on being heard")),
        ("heard_average", _("Heard, average (1–5)")),
        ("uncovered_slots", _("Uncovered times")),
        ("services_not_started", _("Services not started")),
        ("referrals_unanswered", _("Unanswered referrals")),
    ]


def trend_value(figures: dict[str, Any] | None, name: str) -> Any:
    """One figure of a month's figures, ``figure.key`` for one kept per key; ``None`` where the
    snapshot did not keep it."""
    if figures is None:
        return None
    if "." not in name:
        return figures.get(name)
    outer, key = name.split(".", 1)
    kept = figures.get(outer)
    return kept.get(key, 0) if isinstance(kept, dict) else None


@dataclass(frozen=True)
class TrendRow:
    name: str
    label: str
    values: list[Any]


def trend_table(months: list[dict[str, Any]]) -> list[TrendRow]:
    """The trends as the page and the export show them: a row per figure, a value per month."""
    return [TrendRow(name, label, [trend_value(m, name) for m in months]) for name, label in _trend_labels()]


# The figures of a coordinator's snapshot, which the per-coordinator trend shows one at a time.
COORDINATOR_TREND_FIGURES = (
    "open_clients",
    "weighted_load",
    "overdue",
    "coming",
    "worker_changes",
    "days_without_worker",
    "same_worker_share",
)


def coordinator_trend_choices() -> list[tuple[str, str]]:
    """The figures of the per-coordinator trend, with their names."""
    return [
        (name, label)
        for name, label in _trend_labels()
        if name in COORDINATOR_TREND_FIGURES or name.startswith(("handovers.", "overdue_by_kind."))
    ]


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
