"""The team lead's review (knowledge-based management): caseloads and their weighted load,
overdue and coming work, clients without a named worker, continuity, outcomes and unmet
needs, for the teams a lead leads, each alone or together.

Composed from the other apps' selectors (never their models). Every figure is one grouped
query over all the coordinators and clients in scope, so that the review costs the same
number of queries for 2 coordinators or 200 (``tests/teams/test_review.py``)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access import policy
from accounts.models import Profession, Role, User
from assessments import selectors as assessment_selectors
from budgets import selectors as budget_selectors
from care_plans import selectors as plan_selectors
from clients import selectors as client_selectors
from core.lookups import among
from networks import selectors as network_selectors
from portal import selectors as portal_selectors
from reminders import selectors as reminder_selectors

from .models import (
    DEFAULT_LOAD_THRESHOLD,
    DEFAULT_LOAD_WEIGHTS,
    ClientKind,
    LoadWeight,
    ReviewSettings,
    Substitution,
    Team,
    TeamMembership,
)

# How far ahead "coming" work looks.
COMING_DAYS = 30
# A referral unanswered this long counts as left waiting by its partner.
REFERRAL_UNANSWERED_DAYS = client_selectors.REFERRAL_UNANSWERED_DAYS
YEAR = 365
# The columns of the work table, in the order of the issue.
WORK_KINDS: tuple[str, ...] = tuple(dict.fromkeys(reminder_selectors.WORK_KIND_OF.values()))
# Buckets of days without a named worker.
WITHOUT_WORKER_BUCKETS = ((0, 7), (8, 30), (31, None))


@dataclass
class CoordinatorRow:
    """One coordinator of one team: caseload, weighted load, work and continuity."""

    team: Team
    coordinator: User
    open_clients: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    weighted_load: Decimal = Decimal(0)
    threshold: Decimal = DEFAULT_LOAD_THRESHOLD
    away_until: date | None = None
    substitutes: list[str] = field(default_factory=list)
    overdue: dict[str, int] = field(default_factory=dict)
    coming: dict[str, int] = field(default_factory=dict)
    worker_changes: int = 0
    client_years: float = 0.0
    days_without_worker: int = 0
    long_clients: int = 0
    same_worker_12m: int = 0
    handovers: dict[str, int] = field(default_factory=dict)

    @property
    def over_threshold(self) -> bool:
        return self.weighted_load > self.threshold

    @property
    def changes_per_client_year(self) -> float | None:
        return round(self.worker_changes / self.client_years, 2) if self.client_years else None

    @property
    def same_worker_share(self) -> int | None:
        return round(100 * self.same_worker_12m / self.long_clients) if self.long_clients else None

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue.values())

    @property
    def work_cells(self) -> list[tuple[str, int, int]]:
        """Per kind of work in the table's order: (kind, overdue, coming)."""
        return [(kind, self.overdue.get(kind, 0), self.coming.get(kind, 0)) for kind in WORK_KINDS]

    @property
    def kind_cells(self) -> list[int]:
        return [self.kinds.get(kind, 0) for kind in ClientKind.values]

    @property
    def kind_links(self) -> list[tuple[str, int]]:
        return [(kind, self.kinds.get(kind, 0)) for kind in ClientKind.values]

    @property
    def handover_cells(self) -> list[int]:
        return [self.handovers.get(reason, 0) for reason, _ in client_selectors.assignment_end_reasons()]

    @property
    def handover_links(self) -> list[tuple[str, int]]:
        """Per end reason in the table's order: (reason, assignments ended)."""
        return [(reason, self.handovers.get(reason, 0)) for reason, _ in client_selectors.assignment_end_reasons()]

    @property
    def coming_total(self) -> int:
        return sum(self.coming.values())


@dataclass
class TeamTotals:
    team: Team
    threshold: Decimal
    rows: list[CoordinatorRow]
    without_worker: int = 0
    without_worker_buckets: list[int] = field(default_factory=list)
    longest_without_worker: int = 0
    # Work falling to the team's leads while a client has no named worker.
    unassigned_overdue: int = 0
    unassigned_coming: int = 0

    def _sum(self, name: str) -> Any:
        return sum(getattr(row, name) for row in self.rows)

    @property
    def open_clients(self) -> int:
        return int(self._sum("open_clients"))

    @property
    def weighted_load(self) -> Decimal:
        return Decimal(self._sum("weighted_load"))

    @property
    def over_threshold(self) -> int:
        return sum(1 for row in self.rows if row.over_threshold)

    @property
    def overdue_total(self) -> int:
        return int(self._sum("overdue_total")) + self.unassigned_overdue

    @property
    def coming_total(self) -> int:
        return int(self._sum("coming_total")) + self.unassigned_coming

    @property
    def changes_per_client_year(self) -> float | None:
        years = self._sum("client_years")
        return round(self._sum("worker_changes") / years, 2) if years else None

    @property
    def days_without_worker(self) -> int:
        return int(self._sum("days_without_worker"))

    @property
    def same_worker_share(self) -> int | None:
        long_clients = self._sum("long_clients")
        return round(100 * self._sum("same_worker_12m") / long_clients) if long_clients else None

    @property
    def work_cells(self) -> list[tuple[str, int, int]]:
        return [
            (
                kind,
                sum(row.overdue.get(kind, 0) for row in self.rows),
                sum(row.coming.get(kind, 0) for row in self.rows),
            )
            for kind in WORK_KINDS
        ]

    @property
    def handover_cells(self) -> list[int]:
        totals = self.handovers
        return [totals.get(reason, 0) for reason, _ in client_selectors.assignment_end_reasons()]

    @property
    def handover_links(self) -> list[tuple[str, int]]:
        totals = self.handovers
        return [(reason, totals.get(reason, 0)) for reason, _ in client_selectors.assignment_end_reasons()]

    @property
    def handovers(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for row in self.rows:
            for reason, n in row.handovers.items():
                totals[reason] += n
        return dict(totals)


@dataclass
class OutcomeRow:
    domain: str
    # The life domain's id, ``None`` for goals without one; ``drill_domain`` is its drill-down value.
    domain_id: int | None
    goals: int
    client_reached: int
    professional_reached: int
    client_average: float | None
    professional_average: float | None

    @property
    def drill_domain(self) -> int:
        return self.domain_id if self.domain_id is not None else NO_DOMAIN

    @property
    def client_share(self) -> int:
        return round(100 * self.client_reached / self.goals) if self.goals else 0

    @property
    def professional_share(self) -> int:
        return round(100 * self.professional_reached / self.goals) if self.goals else 0


@dataclass
class HeardRow:
    """The clients' answers from the portal on how well they were heard at plan reviews, by
    the worker who held the review (1–5)."""

    reviewer: str
    reviewer_id: int | None
    answers: int
    average: float
    rating_total: int = 0


@dataclass
class UncoveredRow:
    """Uncovered slots of one life domain, a count for each time of day in the grid's order."""

    domain: str
    domain_id: int
    times: list[str]
    counts: list[int]

    @property
    def cells(self) -> list[tuple[str, int]]:
        return list(zip(self.times, self.counts, strict=True))


@dataclass
class Review:
    today: date
    teams: list[TeamTotals]
    weights: dict[str, Decimal]
    outcomes: list[OutcomeRow]
    heard: list[HeardRow]
    uncovered: list[UncoveredRow]
    times_of_day: list[tuple[str, str]]
    services_not_started: int
    referrals_unanswered: list[dict[str, Any]]
    # Referrals, answer times and bounces per partner over the last 12 months.
    referral_partners: list[client_selectors.PartnerFigures] = field(default_factory=list)

    @property
    def rows(self) -> list[CoordinatorRow]:
        return [row for team in self.teams for row in team.rows]

    @property
    def max_load(self) -> Decimal:
        loads = [row.weighted_load for row in self.rows] + [team.threshold for team in self.teams]
        return max(loads, default=Decimal(1)) or Decimal(1)


def load_weights() -> dict[str, Decimal]:
    """The added weight of each client kind: the administrator's, or the default."""
    configured = dict(LoadWeight.objects.values_list("kind", "weight"))
    return {kind: configured.get(kind, DEFAULT_LOAD_WEIGHTS[kind]) for kind in ClientKind.values}


def reviewed_teams(lead: User, team_id: int | None = None) -> QuerySet[Team]:
    """The teams ``lead`` leads today, or the one of them asked for; 404 for any other."""
    teams = Team.objects.filter(pk__in=policy.teams_led_by(lead)).order_by("name", "pk")
    if team_id is not None:
        teams = teams.filter(pk=team_id)
        if not teams.exists():
            raise Http404
    return teams


def team_coordinators(teams: QuerySet[Team], today: date) -> QuerySet[TeamMembership]:
    """The coordinators' current memberships of ``teams``, with the people."""
    return (
        TeamMembership.objects.filter(
            policy.active_on(today),
            team__in=teams,
            kind=TeamMembership.Kind.MEMBER,
            user__role=Role.COORDINATOR,
            user__is_active=True,
        )
        .select_related("team", "user")
        .order_by("team__name", "user__last_name", "user__first_name", "user_id")
    )


def _coordinator_ids(teams: QuerySet[Team], today: date) -> QuerySet[TeamMembership, Any]:
    return team_coordinators(teams, today).values("user")


def scope_client_ids(teams: QuerySet[Team], today: date, coordinators: list[int] | None = None) -> list[int]:
    """The ids of the open clients of ``teams``: assigned to their coordinators (``coordinators``,
    when the caller has their ids already), or the teams' own without a named worker. All of
    them are clients the teams' leads see (``access.policy.visible_clients``: ``led``).

    One UNION of the two index reads: as ``pk IN (…) OR pk IN (…)`` on the open clients the
    planner read all 100,000 clients to test each against both (bench/explain/team-review*.txt)."""
    ids = _coordinator_ids(teams, today) if coordinators is None else coordinators
    assigned = client_selectors.open_assignment_clients(ids).values_list("client", flat=True)
    unassigned = client_selectors.clients_without_named_worker(teams).order_by().values_list("pk", flat=True)
    return sorted(assigned.union(unassigned))


def _caseload_figures(coordinators: list[int], scope: list[int], today: date) -> dict[int, dict[str, Any]]:
    """Per coordinator: open clients, clients of each weighted kind and continuity, one query.
    ``scope`` (the ids of ``scope_client_ids``, which hold every client of these assignments)
    lets the planner fetch the clients by their keys: joined on the assignments alone, it read
    all 100,000 clients and every running budget of the county (bench/explain/team-review*.txt)."""
    year_ago = today - timedelta(days=YEAR)
    annotations = client_selectors.client_annotations(today)
    long_relationship = Q(client__relationship_started_on__lte=year_ago)
    rows = (
        client_selectors.open_assignments_of(coordinators)
        .filter(among("client", scope))
        .order_by()
        .values("coordinator")
        .annotate(
            open_clients=Count("pk"),
            child_special_support=Count("pk", filter=Q(client__child_special_support=True)),
            # Each kind tested per client through its index (EXISTS): ``client__in`` read every
            # RAI assessment, running budget and published plan of the county.
            rai=Count("pk", filter=Q(Exists(assessment_selectors.rai_clients().filter(client=OuterRef("client"))))),
            personal_budget=Count(
                "pk",
                filter=Q(Exists(budget_selectors.clients_with_running_budget(today).filter(client=OuterRef("client")))),
            ),
            no_finished_plan=Count(
                "pk", filter=~Q(Exists(plan_selectors.clients_with_published_plan().filter(client=OuterRef("client"))))
            ),
            worker_changes=Sum(annotations["worker_changes_12m"]),
            days_without_worker=Sum(annotations["days_without_worker"]),
            client_days=Sum(
                RawSQL("LEAST(%s - clients_client.relationship_started_on, %s)", (today, YEAR)),
                output_field=IntegerField(),
            ),
            long_clients=Count("pk", filter=long_relationship),
            same_worker_12m=Count("pk", filter=long_relationship & Q(started_on__lte=year_ago)),
        )
    )
    return {row["coordinator"]: dict(row) for row in rows}


def _absences(coordinators: QuerySet[Any, Any] | list[int], today: date) -> dict[int, tuple[date, list[str]]]:
    """Who is away today, until when, and who substitutes."""
    away: dict[int, tuple[date, list[str]]] = {}
    for sub in Substitution.objects.filter(
        absent__in=coordinators, starts_on__lte=today, ends_on__gte=today
    ).select_related("substitute"):
        until, names = away.get(sub.absent_id, (sub.ends_on, []))
        names.append(sub.substitute.get_full_name() or sub.substitute.username)
        away[sub.absent_id] = (max(until, sub.ends_on), names)
    return away


def _weighted(figures: dict[str, Any], weights: dict[str, Decimal]) -> Decimal:
    extra = sum((Decimal(figures.get(kind, 0)) * weight for kind, weight in weights.items()), Decimal(0))
    return (Decimal(figures.get("open_clients", 0)) + extra).quantize(Decimal("0.1"))


def _fill_row(row: CoordinatorRow, figures: dict[str, Any], weights: dict[str, Decimal]) -> None:
    row.open_clients = figures.get("open_clients", 0)
    row.kinds = {kind: figures.get(kind, 0) for kind in ClientKind.values}
    row.weighted_load = _weighted(figures, weights)
    row.worker_changes = figures.get("worker_changes") or 0
    row.days_without_worker = figures.get("days_without_worker") or 0
    row.client_years = (figures.get("client_days") or 0) / YEAR
    row.long_clients = figures.get("long_clients", 0)
    row.same_worker_12m = figures.get("same_worker_12m", 0)


type Counts = dict[str, int]


def _work_by_recipient(work: list[reminder_selectors.DueWork], today: date) -> dict[int, tuple[Counts, Counts]]:
    """Per recipient, the work overdue and coming by kind."""
    counted: dict[int, tuple[Counts, Counts]] = defaultdict(lambda: (defaultdict(int), defaultdict(int)))
    seen: set[tuple[str, int, int]] = set()
    for item in work:
        # A piece of work of a client without a named worker reaches each lead: count it once.
        key = (item.kind, item.subject_id, item.due_on.toordinal())
        if key in seen:
            continue
        seen.add(key)
        overdue, coming = counted[item.recipient_id]
        (overdue if item.due_on < today else coming)[item.kind] += 1
    return counted


def _without_worker(teams: QuerySet[Team], today: date) -> dict[int, list[int]]:
    """Per team, the days each client has been without a named worker."""
    days: dict[int, list[int]] = defaultdict(list)
    rows = client_selectors.clients_without_named_worker(teams)
    for team_id, since in rows.values_list("team_id", "without_worker_since"):  # type: ignore[misc]  # annotated
        days[team_id].append((today - since).days)
    return days


def _bucket(days: list[int]) -> list[int]:
    return [sum(1 for d in days if lo <= d and (hi is None or d <= hi)) for lo, hi in WITHOUT_WORKER_BUCKETS]


def build_review(teams: QuerySet[Team], *, today: date | None = None) -> Review:
    """The review of ``teams`` (already limited to those the viewer leads): a fixed number of
    queries whatever the number of teams, coordinators and clients."""
    today = today or timezone.localdate()
    weights = load_weights()
    team_list = list(teams)
    thresholds = dict(ReviewSettings.objects.filter(team__in=team_list).values_list("team_id", "load_threshold"))
    memberships = list(team_coordinators(teams, today))
    # The coordinators' ids, once: the queries below take them as a short list.
    coordinators = sorted({m.user_id for m in memberships})
    # The clients' ids, once: the figures below take them as a list, so that each reads only
    # their rows through the client indexes (as a subquery the planner took the latest
    # assessment and plan review of every client in the county first; bench/explain/team-review*.txt).
    scope_ids = scope_client_ids(teams, today, coordinators)
    figures = _caseload_figures(coordinators, scope_ids, today)
    away = _absences(coordinators, today)
    work = _work_by_recipient(reminder_selectors.due_work(client_ids=scope_ids, today=today, days=COMING_DAYS), today)
    ends: dict[int, dict[str, int]] = defaultdict(dict)
    for end in client_selectors.assignment_ends(coordinators=coordinators, since=today - timedelta(days=YEAR)):
        ends[end["coordinator"]][end["end_reason"]] = end["n"]
    rows_by_team: dict[int, list[CoordinatorRow]] = defaultdict(list)
    coordinator_ids = set()
    for membership in memberships:
        row = CoordinatorRow(
            team=membership.team,
            coordinator=membership.user,
            threshold=thresholds.get(membership.team_id, DEFAULT_LOAD_THRESHOLD),
        )
        _fill_row(row, figures.get(membership.user_id, {}), weights)
        row.away_until, row.substitutes = away.get(membership.user_id, (None, []))
        overdue, coming = work.get(membership.user_id, ({}, {}))
        row.overdue, row.coming = dict(overdue), dict(coming)
        row.handovers = ends.get(membership.user_id, {})
        coordinator_ids.add(membership.user_id)
        rows_by_team[membership.team_id].append(row)
    without = _without_worker(teams, today)
    names = _domain_names()
    totals = []
    for team in team_list:
        days = without.get(team.pk, [])
        total = TeamTotals(
            team=team,
            threshold=thresholds.get(team.pk, DEFAULT_LOAD_THRESHOLD),
            rows=rows_by_team.get(team.pk, []),
            without_worker=len(days),
            without_worker_buckets=_bucket(days),
            longest_without_worker=max(days, default=0),
        )
        totals.append(total)
    # Work that fell to a lead (no named worker): shown on the teams together.
    if totals:
        for recipient, (overdue, coming) in work.items():
            if recipient not in coordinator_ids:
                totals[0].unassigned_overdue += sum(overdue.values())
                totals[0].unassigned_coming += sum(coming.values())
    return Review(
        today=today,
        teams=totals,
        weights=weights,
        outcomes=_outcomes(scope_ids, names),
        heard=_heard(scope_ids, today),
        uncovered=_uncovered(scope_ids, names),
        times_of_day=assessment_selectors.times_of_day(),
        services_not_started=sum(
            overdue.get(reminder_selectors.SERVICE_NOT_STARTED, 0) for overdue, _ in work.values()
        ),
        referrals_unanswered=list(
            client_selectors.unanswered_referrals_by_counterpart(
                clients=scope_ids, before=today - timedelta(days=REFERRAL_UNANSWERED_DAYS)
            )
        ),
        referral_partners=referral_partner_figures(scope_ids, today),
    )


def referral_partner_figures(scope: list[int], today: date) -> list[client_selectors.PartnerFigures]:
    """Per partner, the referrals of the clients in scope over the last 12 months: how soon
    answered, how often bounced (pompottelu), how many still unanswered. One query."""
    return client_selectors.referral_figures_by_partner(
        clients=scope,
        since=today - timedelta(days=YEAR),
        unanswered_before=today - timedelta(days=REFERRAL_UNANSWERED_DAYS),
    )


def _domain_names() -> dict[int, str]:
    return {domain.pk: domain.name for domain in assessment_selectors.life_domains()}


def _outcomes(scope: list[int], names: dict[int, str]) -> list[OutcomeRow]:
    rows = [
        OutcomeRow(
            domain=names.get(row["goal__domain"], "") if row["goal__domain"] else "",
            domain_id=row["goal__domain"],
            goals=row["goals"],
            client_reached=row["client_reached"],
            professional_reached=row["professional_reached"],
            client_average=round(row["client_average"], 1) if row["client_average"] is not None else None,
            professional_average=round(row["professional_average"], 1)
            if row["professional_average"] is not None
            else None,
        )
        for row in plan_selectors.goal_outcomes_by_domain(scope)
    ]
    return sorted(rows, key=lambda row: (row.domain == "", row.domain))


def _heard(scope: list[int], today: date) -> list[HeardRow]:
    """The last year's answers of the clients in scope, one grouped query."""
    rows = (
        portal_selectors.heard_answers(clients=scope, since=today - timedelta(days=YEAR))
        .order_by()
        .values("review__reviewed_by", "review__reviewed_by__first_name", "review__reviewed_by__last_name")
        .annotate(answers=Count("pk"), average=Avg("rating"), rating_total=Sum("rating"))
    )
    return sorted(
        (
            HeardRow(
                reviewer=f"{row['review__reviewed_by__first_name']} {row['review__reviewed_by__last_name']}".strip(),
                reviewer_id=row["review__reviewed_by"],
                answers=row["answers"],
                average=round(row["average"], 1),
                rating_total=row["rating_total"],
            )
            for row in rows
        ),
        key=lambda row: row.reviewer,
    )


def _uncovered(scope: list[int], names: dict[int, str]) -> list[UncoveredRow]:
    """Uncovered slots per life domain, a count for each time of day in the grid's order."""
    by_domain: dict[int, dict[str, int]] = defaultdict(dict)
    for row in assessment_selectors.uncovered_slots(scope):
        by_domain[row["need__domain"]][row["time_of_day"]] = row["slots"]
    times = [value for value, _ in assessment_selectors.times_of_day()]
    rows = [
        UncoveredRow(names.get(domain, ""), domain, times, [counts.get(t, 0) for t in times])
        for domain, counts in by_domain.items()
    ]
    return sorted(rows, key=lambda row: (row.domain, row.domain_id))


# The load chart: one horizontal bar per coordinator, the threshold marked on each row.
CHART_WIDTH = 640
CHART_LABEL_WIDTH = 180
CHART_VALUE_WIDTH = 70
CHART_ROW = 26
CHART_BAR = 18


@dataclass(frozen=True)
class ChartBar:
    label: str
    value: Decimal
    threshold: Decimal
    over: bool
    y: int
    width: int
    threshold_x: int
    value_x: int


@dataclass(frozen=True)
class LoadChart:
    width: int
    height: int
    plot_x: int
    bars: list[ChartBar]


def load_chart(result: Review) -> LoadChart:
    """The spread of weighted loads as server-rendered SVG geometry; the page shows the same
    figures in a table beside it and says what the chart shows in words."""
    plot = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    top = result.max_load
    bars = []
    for index, row in enumerate(result.rows):
        bars.append(
            ChartBar(
                label=row.coordinator.get_full_name() or row.coordinator.username,
                value=row.weighted_load,
                threshold=row.threshold,
                over=row.over_threshold,
                y=8 + index * CHART_ROW,
                width=max(1, int(plot * row.weighted_load / top)),
                threshold_x=CHART_LABEL_WIDTH + int(plot * row.threshold / top),
                value_x=CHART_LABEL_WIDTH + max(1, int(plot * row.weighted_load / top)) + 6,
            )
        )
    return LoadChart(width=CHART_WIDTH, height=16 + len(bars) * CHART_ROW, plot_x=CHART_LABEL_WIDTH, bars=bars)


@dataclass(frozen=True)
class Summary:
    coordinators: int
    lowest: Decimal
    highest: Decimal
    median: Decimal
    over: list[str]


def summary(result: Review) -> Summary | None:
    """The load spread in words: the range, the median and who is over their threshold."""
    loads = sorted(row.weighted_load for row in result.rows)
    if not loads:
        return None
    middle = len(loads) // 2
    median = loads[middle] if len(loads) % 2 else (loads[middle - 1] + loads[middle]) / 2
    return Summary(
        coordinators=len(loads),
        lowest=loads[0],
        highest=loads[-1],
        median=median.quantize(Decimal("0.1")),
        over=[row.coordinator.get_full_name() or row.coordinator.username for row in result.rows if row.over_threshold],
    )


# The numbers of the review that open the list of clients behind them: caseloads, work,
# continuity, outcomes and unmet needs.
DRILL_METRICS = (
    "open",
    "overdue",
    "coming",
    "without_worker",
    "worker_changes",
    "days_without_worker",
    "same_worker",
    "handovers",
    "goals_rated",
    "goals_reached_client",
    "goals_reached_professional",
    "heard",
    "uncovered",
    "referrals",
)
# A kind narrows a figure: the kind of work, the kind of client (with ``open``) or the
# reason an assignment ended (with ``handovers``).
DRILL_KINDS = (*WORK_KINDS, *ClientKind.values, *(reason for reason, _ in client_selectors.assignment_end_reasons()))
# The drill-down's life domain of goals that have none.
NO_DOMAIN = 0
# The figures read from the coordinators' open assignments, narrowed per coordinator.
_CONTINUITY = ("worker_changes", "days_without_worker", "same_worker")
_OUTCOMES = {"goals_rated": "", "goals_reached_client": "client", "goals_reached_professional": "professional"}


@dataclass(frozen=True)
class Figure:
    """One number of the review: the figure (``metric``) and what narrows it, as the page's
    links and the API's query name it."""

    metric: str
    coordinator: int | None = None
    kind: str = ""
    # A life domain's id (``NO_DOMAIN``: goals without one); ``None``: every domain.
    domain: int | None = None
    time: str = ""
    # Unanswered referrals: one partner's (its id), or one other counterpart's (its free text).
    counterpart: str = ""
    partner: int | None = None


def _of_kind(assignments: QuerySet[Any, Any], kind: str, today: date) -> QuerySet[Any, Any]:
    """Open assignments narrowed to clients of a weighted kind."""
    if kind == ClientKind.CHILD_SPECIAL_SUPPORT:
        return assignments.filter(client__child_special_support=True)
    if kind == ClientKind.RAI:
        return assignments.filter(client__in=assessment_selectors.rai_clients())
    if kind == ClientKind.PERSONAL_BUDGET:
        return assignments.filter(client__in=budget_selectors.clients_with_running_budget(today))
    if kind == ClientKind.NO_FINISHED_PLAN:
        return assignments.exclude(client__in=plan_selectors.clients_with_published_plan())
    return assignments


def _continuity_clients(assignments: QuerySet[Any, Any], metric: str, today: date) -> QuerySet[Any, Any]:
    """The clients behind a continuity figure, from the coordinators' open assignments: the
    same annotations ``_caseload_figures`` sums."""
    annotations = client_selectors.client_annotations(today)
    if metric == "worker_changes":
        assignments = assignments.alias(changes=annotations["worker_changes_12m"]).filter(changes__gt=0)
    elif metric == "days_without_worker":
        assignments = assignments.alias(days=annotations["days_without_worker"]).filter(days__gt=0)
    else:
        year_ago = today - timedelta(days=YEAR)
        assignments = assignments.filter(client__relationship_started_on__lte=year_ago, started_on__lte=year_ago)
    return assignments.values("client")


def _work_clients(scope: list[int], figure: Figure, coordinators: QuerySet[Any, Any], today: date) -> list[int]:
    work = reminder_selectors.due_work(client_ids=scope, today=today, days=COMING_DAYS)
    wanted = set(coordinators.values_list("user_id", flat=True)) if figure.coordinator is not None else None
    return sorted(
        {
            item.client_id
            for item in work
            if (item.due_on < today) == (figure.metric == "overdue")
            and (not figure.kind or item.kind == figure.kind)
            and (wanted is None or item.recipient_id in wanted)
        }
    )


def drill_client_ids(
    teams: QuerySet[Team], figure: Figure, *, today: date | None = None
) -> QuerySet[Any, Any] | list[int]:
    """The ids of the clients behind one number of the review of ``teams``: the same
    selectors, narrowed the same way, as the figure itself."""
    today = today or timezone.localdate()
    coordinators = _coordinator_ids(teams, today)
    if figure.coordinator is not None:
        coordinators = coordinators.filter(user_id=figure.coordinator)
    metric = figure.metric
    if metric == "open":
        return _of_kind(client_selectors.open_assignments_of(coordinators), figure.kind, today).values("client")
    if metric in _CONTINUITY:
        return _continuity_clients(client_selectors.open_assignments_of(coordinators), metric, today)
    if metric == "handovers":
        return client_selectors.ended_assignment_clients(
            coordinators=coordinators, since=today - timedelta(days=YEAR), reason=figure.kind
        )
    if metric == "without_worker":
        return client_selectors.clients_without_named_worker(teams).values("pk")
    # As in ``build_review``: the ids as a list, so that each figure reads only their rows.
    scope = scope_client_ids(teams, today)
    if metric in ("overdue", "coming"):
        return _work_clients(scope, figure, coordinators, today)
    if metric in _OUTCOMES:
        domain = None if figure.domain == NO_DOMAIN else figure.domain
        return plan_selectors.goal_outcome_clients(scope, domain=domain, reached_by=_OUTCOMES[metric])
    if metric == "heard":
        answers = portal_selectors.heard_answers(clients=scope, since=today - timedelta(days=YEAR))
        if figure.coordinator is not None:
            answers = answers.filter(review__reviewed_by=figure.coordinator)
        return answers.values("client")
    if metric == "uncovered":
        return assessment_selectors.uncovered_slot_clients(scope, domain=figure.domain, time_of_day=figure.time)
    return client_selectors.unanswered_referral_clients(
        clients=scope,
        before=today - timedelta(days=REFERRAL_UNANSWERED_DAYS),
        counterpart=figure.counterpart,
        partner=figure.partner,
    )


def clients_behind(lead: User, teams: QuerySet[Team], figure: Figure) -> list[Any]:
    """The clients behind one number, only those ``lead`` may see (``access.policy``), each with
    its named worker; the list is logged as read. The page and the API both call this."""
    ids = drill_client_ids(teams, figure)
    clients = client_selectors.with_named_worker(policy.visible_clients(lead, ids=ids))
    shown = list(clients.order_by("last_name", "first_name", "pk"))
    client_selectors.log_list_shown(viewer=lead, clients=shown, what=f"team_review.{figure.metric}")
    return shown


def _metric_labels() -> dict[str, str]:
    return {
        "open": _("Open clients"),
        "overdue": _("Overdue work"),
        "coming": _("Work due in the next 30 days"),
        "without_worker": _("Clients without a named worker"),
        "worker_changes": _("Clients whose named worker changed in the last 12 months"),
        "days_without_worker": _("Clients who were without a named worker during their current relationship"),
        "same_worker": _("Clients with the same named worker for the last 12 months"),
        "handovers": _("Clients whose assignment ended in the last 12 months"),
        "goals_rated": _("Clients with goals rated at their latest plan review"),
        "goals_reached_client": _("Clients with goals reached or improved, by their own rating"),
        "goals_reached_professional": _("Clients with goals reached or improved, by the professional's rating"),
        "heard": _("Clients who answered in the portal how they were heard at a plan review"),
        "uncovered": _("Clients with times of the week nobody covers"),
        "referrals": _("Clients with referrals unanswered for over 30 days"),
    }


def describe_figure(figure: Figure) -> list[tuple[str, str]]:
    """The figure and what narrows it, in words: the heading of the drill-down list and the
    filters written in its export."""
    parts = [(_("Figure"), _metric_labels()[figure.metric])]
    if figure.kind:
        kinds = {
            **reminder_selectors.work_kind_labels(),
            **dict(ClientKind.choices),
            **dict(client_selectors.assignment_end_reasons()),
        }
        parts.append((_("Kind"), str(kinds.get(figure.kind, figure.kind))))
    if figure.domain is not None:
        name = _domain_names().get(figure.domain, "") if figure.domain != NO_DOMAIN else ""
        parts.append((_("Life domain"), name or _("No life domain")))
    if figure.time:
        parts.append((_("Time of day"), dict(assessment_selectors.times_of_day()).get(figure.time, figure.time)))
    if figure.counterpart:
        parts.append((_("Counterpart"), figure.counterpart))
    if figure.partner is not None:
        parts.append((_("Partner"), client_selectors.partner_name(figure.partner)))
    if figure.coordinator is not None:
        person = User.objects.filter(pk=figure.coordinator).first()
        role = _("Review held by") if figure.metric == "heard" else _("Coordinator")
        parts.append((role, (person.get_full_name() or person.username) if person else str(figure.coordinator)))
    return parts


@dataclass
class Move:
    client_id: int
    weight: Decimal
    source: User
    target: User
    client: Any = None


# The balance view stops proposing after this many moves: a lead confirms them one by one.
MAX_MOVES = 30


def _client_weights(coordinators: QuerySet[Any, Any], weights: dict[str, Decimal], today: date) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in client_selectors.open_assignments_of(coordinators)
        .annotate(
            rai=Exists(assessment_selectors.rai_clients().filter(client=OuterRef("client"))),
            budget=Exists(budget_selectors.clients_with_running_budget(today).filter(client=OuterRef("client"))),
            plan=Exists(plan_selectors.clients_with_published_plan().filter(client=OuterRef("client"))),
        )
        .values("client", "coordinator", "client__child_special_support", "rai", "budget", "plan")
    ]
    for row in rows:
        weight = Decimal(1)
        weight += weights[ClientKind.CHILD_SPECIAL_SUPPORT] if row["client__child_special_support"] else 0
        weight += weights[ClientKind.RAI] if row["rai"] else 0
        weight += weights[ClientKind.PERSONAL_BUDGET] if row["budget"] else 0
        weight += weights[ClientKind.NO_FINISHED_PLAN] if not row["plan"] else 0
        row["weight"] = weight
    return rows


def _best_move(clients: list[dict[str, Any]], gap: Decimal, target: User, moved: set[int]) -> dict[str, Any] | None:
    """The client whose move narrows the gap most without turning it round; a child needing
    special support only to a social worker (SHL §42)."""
    candidates = [
        c
        for c in clients
        if c["client"] not in moved
        and c["weight"] < gap
        and (not c["client__child_special_support"] or target.profession == Profession.SOCIAL_WORKER)
    ]
    return min(candidates, key=lambda c: (abs(gap / 2 - c["weight"]), c["client"]), default=None)


def propose_moves(teams: QuerySet[Team], *, today: date | None = None) -> list[Move]:
    """Moves of clients within each team that even out the weighted load: from the heaviest
    caseload to the lightest, while a move narrows the gap by more than an ordinary client."""
    today = today or timezone.localdate()
    weights = load_weights()
    memberships = list(team_coordinators(teams, today))
    rows = _client_weights(_coordinator_ids(teams, today), weights, today)
    by_coordinator: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_coordinator[row["coordinator"]].append(row)
    moves: list[Move] = []
    moved: set[int] = set()
    teams_members: dict[int, list[User]] = defaultdict(list)
    for membership in memberships:
        teams_members[membership.team_id].append(membership.user)
    for members in teams_members.values():
        load = {u.pk: sum((c["weight"] for c in by_coordinator[u.pk]), Decimal(0)) for u in members}
        while len(members) > 1 and len(moves) < MAX_MOVES:
            heavy = max(members, key=lambda u: (load[u.pk], -u.pk))
            light = min(members, key=lambda u: (load[u.pk], u.pk))
            gap = load[heavy.pk] - load[light.pk]
            best = _best_move(by_coordinator[heavy.pk], gap, light, moved) if gap > 1 else None
            if best is None:
                break
            moved.add(best["client"])
            by_coordinator[heavy.pk].remove(best)
            by_coordinator[light.pk].append(best)
            load[heavy.pk] -= best["weight"]
            load[light.pk] += best["weight"]
            moves.append(Move(best["client"], best["weight"], heavy, light))
    return moves


def proposed_moves_for(lead: User, teams: QuerySet[Team]) -> list[Move]:
    """The balance view's proposals with the clients the lead may see, logged as read."""
    moves = propose_moves(teams)
    visible = {c.pk: c for c in policy.visible_clients(lead, ids=[m.client_id for m in moves])}
    shown = [m for m in moves if m.client_id in visible]
    for move in shown:
        move.client = visible[move.client_id]
    client_selectors.log_list_shown(viewer=lead, clients=[m.client for m in shown], what="team_review.balance")
    return shown


def snapshot_figures(result: Review) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """The figures a monthly snapshot keeps: the team's (``result`` of one team) and each
    coordinator's, as JSON-ready numbers."""
    team = result.teams[0]
    per_coordinator = {
        row.coordinator.pk: {
            "open_clients": row.open_clients,
            "weighted_load": float(row.weighted_load),
            "overdue": row.overdue_total,
            "coming": row.coming_total,
            "worker_changes": row.worker_changes,
            "days_without_worker": row.days_without_worker,
            "same_worker_share": row.same_worker_share,
            "long_clients": row.long_clients,
            "same_worker_12m": row.same_worker_12m,
            "handovers": dict(row.handovers),
            "overdue_by_kind": dict(row.overdue),
        }
        for row in team.rows
    }
    figures = {
        "open_clients": team.open_clients,
        "weighted_load": float(team.weighted_load),
        "over_threshold": team.over_threshold,
        "overdue": team.overdue_total,
        "coming": team.coming_total,
        "overdue_by_kind": {kind: n for kind, n, _coming in team.work_cells if n},
        "without_worker": team.without_worker,
        "longest_without_worker": team.longest_without_worker,
        "worker_changes": sum(row.worker_changes for row in team.rows),
        "days_without_worker": team.days_without_worker,
        "same_worker_share": team.same_worker_share,
        # The counts behind the share, so that the trends combine teams by adding them.
        "long_clients": sum(row.long_clients for row in team.rows),
        "same_worker_12m": sum(row.same_worker_12m for row in team.rows),
        "handovers": team.handovers,
        "heard_answers": sum(row.answers for row in result.heard),
        "heard_rating_total": sum(row.rating_total for row in result.heard),
        "goals_rated": sum(o.goals for o in result.outcomes),
        "goals_reached_client": sum(o.client_reached for o in result.outcomes),
        "goals_reached_professional": sum(o.professional_reached for o in result.outcomes),
        "uncovered_slots": sum(sum(row.counts) for row in result.uncovered),
        "services_not_started": result.services_not_started,
        "referrals_unanswered": sum(r["n"] for r in result.referrals_unanswered),
    }
    return figures, per_coordinator


@dataclass(frozen=True)
class WorkLeft:
    """What a coordinator still carries: the no-orphans check before they leave."""

    open_clients: int
    open_reminders: int
    undone_decisions: int

    @property
    def any(self) -> bool:
        return bool(self.open_clients or self.open_reminders or self.undone_decisions)

    def describe(self) -> str:
        parts = []
        if self.open_clients:
            parts.append(ngettext("%(n)d open client", "%(n)d open clients", self.open_clients))
        if self.open_reminders:
            parts.append(ngettext("%(n)d open reminder", "%(n)d open reminders", self.open_reminders))
        if self.undone_decisions:
            parts.append(
                ngettext("%(n)d undone meeting decision", "%(n)d undone meeting decisions", self.undone_decisions)
            )
        counts = [self.open_clients, self.open_reminders, self.undone_decisions]
        return ", ".join(part % {"n": n} for part, n in zip(parts, [c for c in counts if c], strict=True))


def work_left(person: User) -> WorkLeft:
    """The open clients, open reminders and undone meeting decisions of ``person``."""
    people = User.objects.filter(pk=person.pk)
    return WorkLeft(
        open_clients=client_selectors.open_assignments_of(people).count(),
        open_reminders=reminder_selectors.open_reminders_of(person).count(),
        undone_decisions=network_selectors.undone_decisions_of(people).count(),
    )


# Endings: coordination that ends on purpose


@dataclass(frozen=True)
class EndingsRow:
    """One team's client relationships closed in the last 12 months: planned against unplanned
    endings (``clients.services.close_client`` says which is which) and the clients' own views
    of whether coordination helped, in the order of ``views``."""

    team: str
    team_id: int | None
    planned: int
    unplanned: int
    planned_share: int | None
    views: list[int]


@dataclass(frozen=True)
class Endings:
    since: date
    until: date
    views: list[tuple[str, str]]
    rows: list[EndingsRow]


def endings(teams: QuerySet[Team], *, today: date | None = None) -> Endings:
    """Planned and unplanned endings of the last 12 months per team, with a total row when
    there is more than one team: one grouped query (``clients.selectors.endings_by_team``)."""
    today = today or timezone.localdate()
    since = today - timedelta(days=YEAR)
    listed = list(teams.order_by("name"))
    counted = client_selectors.endings_by_team(team_ids=[team.pk for team in listed], since=since, until=today)
    views = list(client_selectors.client_view_choices())
    rows = []
    for team in listed:
        found = counted.get(team.pk)
        planned, unplanned = (found.planned, found.unplanned) if found else (0, 0)
        rows.append(
            EndingsRow(
                team=team.name,
                team_id=team.pk,
                planned=planned,
                unplanned=unplanned,
                planned_share=found.planned_share if found else None,
                views=[found.views.get(value, 0) if found else 0 for value, _label in views],
            )
        )
    if len(rows) > 1:
        planned, unplanned = sum(r.planned for r in rows), sum(r.unplanned for r in rows)
        total = planned + unplanned
        rows.append(
            EndingsRow(
                team=_("All teams"),
                team_id=None,
                planned=planned,
                unplanned=unplanned,
                planned_share=round(100 * planned / total) if total else None,
                views=[sum(column) for column in zip(*(r.views for r in rows), strict=True)],
            )
        )
    return Endings(since=since, until=today, views=views, rows=rows)
