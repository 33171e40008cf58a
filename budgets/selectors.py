"""Reads of personal budgets: the ledger per line, the burn rate, the forecast, the chart of
spending over the period, and the set-based query of lines past their threshold."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import DecimalField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Round, TruncMonth
from django.http import Http404
from django.utils.translation import get_language

from access import selectors as access_selectors
from access.models import Section
from accounts.models import User
from care_plans.models import PlanService, PlanVersion
from clients.models import Client

from .models import Budget, BudgetLine, Provider, Reallocation, ServiceType, Spending
from .money import ZERO, to_cents

HUNDRED = Decimal(100)


def budgets_of(client: Client) -> QuerySet[Budget]:
    """The client's budgets, latest period first, each with its totals (one query)."""
    return (
        Budget.objects.filter(client=client)
        .annotate(
            spent_total=Sum("lines__spent", default=ZERO),
            committed_total=Sum("lines__committed", default=ZERO),
        )
        .order_by("-period_start", "-pk")
    )


def running_budget_of(client: Client, today: date) -> Budget | None:
    """The client's accepted budget whose period has not ended, with ``left_total``: what is
    neither spent nor committed."""
    return (
        budgets_of(client)
        .filter(status=Budget.Status.ACCEPTED, period_end__gte=today)
        .annotate(left_total=F("amount") - F("spent_total") - F("committed_total"))
        .first()
    )


def budget_with_lines(pk: int) -> Budget:
    """One budget with its lines, their service types, providers and linked plan services."""
    services = PlanService.objects.select_related("version")
    lines = BudgetLine.objects.select_related("service_type", "provider").prefetch_related(
        Prefetch("plan_services", queryset=services)
    )
    return (
        Budget.objects.select_related("client", "assessment", "offered_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .get(pk=pk)
    )


def plan_services_for(client: Client) -> QuerySet[PlanService]:
    """The services agreed in the client's care plan that a budget line can pay for: those of
    the latest published version, or of the draft while nothing is published yet."""
    versions = PlanVersion.objects.filter(plan__client=client).order_by("-number")
    version = versions.filter(status=PlanVersion.Status.PUBLISHED).first() or versions.first()
    if version is None:
        return PlanService.objects.none()
    return PlanService.objects.filter(version=version).select_related("version__plan").order_by("order", "pk")


def providers(service_type: ServiceType | None = None) -> QuerySet[Provider]:
    """Approved providers, with the service types they are approved for."""
    rows = Provider.objects.filter(active=True).prefetch_related("service_types")
    if service_type is not None:
        rows = rows.filter(service_types=service_type)
    return rows


def service_types() -> QuerySet[ServiceType]:
    return ServiceType.objects.filter(active=True)


@dataclass
class LedgerLine:
    line: BudgetLine
    allocated: Decimal
    spent: Decimal
    committed: Decimal
    left: Decimal
    used_percent: Decimal
    expected_percent: Decimal
    burn_per_month: Decimal
    runs_out_on: date | None
    over_threshold: bool


@dataclass
class Ledger:
    budget: Budget
    today: date
    lines: list[LedgerLine] = field(default_factory=list)
    elapsed_days: int = 0

    @property
    def allocated(self) -> Decimal:
        return sum((line.allocated for line in self.lines), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((line.spent for line in self.lines), ZERO)

    @property
    def committed(self) -> Decimal:
        return sum((line.committed for line in self.lines), ZERO)

    @property
    def left(self) -> Decimal:
        return sum((line.left for line in self.lines), ZERO)


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * HUNDRED / whole).quantize(Decimal("0.1")) if whole else ZERO


def ledger(budget: Budget, today: date) -> Ledger:
    """Each line's allocated, spent, committed and left; the share used against the share of
    the period gone; the burn rate (used per 30 days so far) and, at that rate, the day the
    line runs out if that is before the period ends. Uses the prefetched lines."""
    start, end = budget.period_start, budget.period_end
    period = (end - start).days + 1
    elapsed = max(0, min((today - start).days + 1, period))
    result = Ledger(budget=budget, today=today, elapsed_days=elapsed)
    expected = _percent(Decimal(elapsed), Decimal(period))
    for line in budget.lines.all():
        used = line.spent + line.committed
        left = line.allocated - used
        per_day = used / elapsed if elapsed else ZERO
        runs_out_on = None
        if per_day > 0 and left >= 0:
            day = today + timedelta(days=int(left / per_day))
            runs_out_on = day if day <= end else None
        used_percent = _percent(used, line.allocated)
        result.lines.append(
            LedgerLine(
                line=line,
                allocated=line.allocated,
                spent=line.spent,
                committed=line.committed,
                left=left,
                used_percent=used_percent,
                expected_percent=expected,
                burn_per_month=to_cents(per_day * 30),
                runs_out_on=runs_out_on,
                over_threshold=line.allocated > 0 and used_percent >= budget.threshold_percent,
            )
        )
    return result


def lines_over_threshold(today: date) -> QuerySet[BudgetLine]:
    """Lines of accepted budgets running on ``today`` whose use (spent + committed) has reached
    their budget's threshold share of the allocation — in one query, computed in SQL, for the
    reminder sweep. Each row has ``used_amount`` and ``used_percent``, and its budget and client."""
    used = ExpressionWrapper(F("spent") + F("committed"), output_field=DecimalField(max_digits=12, decimal_places=2))
    return (
        BudgetLine.objects.filter(
            budget__status=Budget.Status.ACCEPTED,
            budget__period_start__lte=today,
            budget__period_end__gte=today,
            allocated__gt=0,
        )
        .annotate(
            used_amount=used,
            used_percent=Round(
                ExpressionWrapper(
                    used * Value(HUNDRED) / F("allocated"), output_field=DecimalField(max_digits=9, decimal_places=2)
                ),
                2,
            ),
        )
        .filter(Q(used_amount__gte=F("allocated") * F("budget__threshold_percent") / Value(HUNDRED)))
        .select_related("budget__client", "service_type")
        .order_by("budget__client_id", "pk")
    )


def over_threshold_condition(today: date) -> str:
    """The condition of ``lines_over_threshold``, the rule itself, as SQL over the tables
    ``budgets_budgetline`` and ``budgets_budget`` by their own names (values inlined), for a
    set-based query that joins them itself: the reminder sweep applies it to its batch of
    clients, where an ``IN`` of the selector's query read every line of the county."""
    query = lines_over_threshold(today).query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return str(connection.ops.compose_sql(sql, params))  # type: ignore[attr-defined]  # PostgreSQL's


def spendings_of(budget: Budget) -> QuerySet[Spending]:
    return (
        Spending.objects.filter(line__budget=budget)
        .select_related("line__service_type", "provider")
        .order_by("-delivered_on", "-pk")
    )


def spending_rows(budget: Budget) -> Any:
    """Every spending of the budget as plain tuples for the CSV export (no model instances:
    a year of fortnightly invoices on several lines is hundreds of rows): the day, the service
    in the active language, the provider, the kind, the amount, the units, the reference."""
    language = (get_language() or "fi")[:2]
    name = f"line__service_type__name_{language if language in ('fi', 'sv', 'en') else 'fi'}"
    return (
        Spending.objects.filter(line__budget=budget)
        .order_by("-delivered_on", "-pk")
        .values_list("delivered_on", name, "provider__name", "kind", "amount", "units", "reference")
    )


def reallocations_of(budget: Budget) -> QuerySet[Reallocation]:
    return budget.reallocations.select_related("from_line__service_type", "to_line__service_type", "made_by").order_by(
        "-made_at", "-pk"
    )


@dataclass
class Month:
    month: date
    spent: Decimal
    cumulative: Decimal
    planned: Decimal


@dataclass
class Chart:
    """Spending per month over the period with the cumulative sum and the even pace, and the
    SVG's coordinates (server-rendered; the table beside it carries the same figures)."""

    months: list[Month]
    width: int = 640
    height: int = 240
    bars: list[dict[str, Any]] = field(default_factory=list)
    actual_points: str = ""
    planned_points: str = ""
    max_value: Decimal = ZERO
    # Room left of the plot for the euro axis' labels.
    left: int = 84
    allocated: Decimal = ZERO
    today: date | None = None

    @property
    def so_far(self) -> Month | None:
        """The month that holds today (or the period's last one once it is over); None before
        the period starts."""
        started = [month for month in self.months if self.today is None or month.month <= self.today]
        return started[-1] if started else None

    @property
    def series(self) -> dict[str, list[Any]]:
        """The same figures for the chart library (static/js/charts.js, through json_script):
        the first day of each month, and euros as strings (exact); a month still to come has
        no cumulative figure."""
        return {
            "months": [month.month.isoformat() for month in self.months],
            "spent": [str(month.spent) for month in self.months],
            "cumulative": [
                str(month.cumulative) if self.today is None or month.month <= self.today else None
                for month in self.months
            ],
            "planned": [str(month.planned) for month in self.months],
        }


def chart(budget: Budget, today: date) -> Chart:
    rows = (
        Spending.objects.filter(line__budget=budget)
        .annotate(month=TruncMonth("delivered_on"))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
    by_month = {row["month"]: row["total"] for row in rows}
    total = sum((line.allocated for line in budget.lines.all()), ZERO)
    period = (budget.period_end - budget.period_start).days + 1
    months: list[Month] = []
    cursor = budget.period_start.replace(day=1)
    cumulative = ZERO
    while cursor <= budget.period_end:
        month_end = min(cursor + relativedelta(months=1) - timedelta(days=1), budget.period_end)
        cumulative += by_month.get(cursor, ZERO)
        days = (month_end - budget.period_start).days + 1
        planned = to_cents(total * Decimal(days) / Decimal(period))
        shown = cumulative if cursor <= today else ZERO
        months.append(Month(cursor, by_month.get(cursor, ZERO), shown, planned))
        cursor += relativedelta(months=1)
    result = Chart(months, allocated=total, today=today)
    top = max([total, cumulative, Decimal(1)])
    result.max_value = top
    left, bottom = result.left, result.height - 28
    inner_w, inner_h = result.width - left - 16, result.height - 44
    step = Decimal(inner_w) / max(len(months), 1)
    scale = Decimal(inner_h) / top
    actual, planned_pts = [], []
    for index, month in enumerate(months):
        x = Decimal(left) + step * index
        bar_h = month.spent * scale
        centre = x + step / 2
        result.bars.append(
            {
                "x": f"{x + step / 4:.1f}",
                "y": f"{bottom - bar_h:.1f}",
                "w": f"{step / 2:.1f}",
                "h": f"{bar_h:.1f}",
                "cx": f"{centre:.1f}",
                "month": month.month,
            }
        )
        planned_pts.append(f"{centre:.1f},{bottom - month.planned * scale:.1f}")
        if month.month <= today:
            actual.append(f"{centre:.1f},{bottom - month.cumulative * scale:.1f}")
    result.actual_points = " ".join(actual)
    result.planned_points = " ".join(planned_pts)
    return result


def budget_for(*, user: User, pk: int, what: str, may: frozenset[str] | None = None) -> Budget:
    """The budget with its lines, opened through its client: authorised and logged."""
    client = access_selectors.client_of(Budget, pk, user=user, what=what, section=Section.BUDGET, may=may)
    budget = budget_with_lines(pk)
    budget.client = client
    return budget


def line_for(*, user: User, pk: int, what: str, may: frozenset[str] | None = None) -> BudgetLine:
    """A budget line within its budget, opened through the client: authorised and logged."""
    budget_pk = BudgetLine.objects.filter(pk=pk).values_list("budget_id", flat=True).first()
    if budget_pk is None:
        raise Http404
    budget = budget_for(user=user, pk=budget_pk, what=what, may=may)
    line = next(line for line in budget.lines.all() if line.pk == pk)
    line.budget = budget
    return line


def clients_with_running_budget(today: date) -> QuerySet[Budget, Any]:
    """The clients with an accepted personal budget running on ``today``, as ``client`` ids: a
    kind of client the team review weighs more."""
    return Budget.objects.filter(status=Budget.Status.ACCEPTED, period_start__lte=today, period_end__gte=today).values(
        "client"
    )
