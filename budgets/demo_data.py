"""Personal budgets for the demo seed: a third of the open clients with a designated coordinator
have a budget — most accepted, running for months with fortnightly invoices from their chosen
providers, a few lines past the reminder threshold; some offers declined or still waiting.
Written with bulk inserts, the running totals computed here exactly as the service keeps them
(never past an allocation), so that the large data set builds quickly."""

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from accounts.models import User
from clients.models import Client
from core.bulk import Loader

from . import calculation
from .models import Budget, BudgetLine, Provider, Reallocation, ServiceType, Spending
from .money import ZERO, to_cents
from .services import rules_on

BATCH = 5_000
# Units per week a line is planned for, by service type (a spread around typical needs).
UNITS_PER_WEEK = {
    "home_help": (4, 14),
    "personal_assistance": (5, 20),
    "day_activity": (1, 3),
    "meals": (5, 7),
    "transport": (1, 4),
}


@dataclass(frozen=True)
class Candidate:
    client: Client
    coordinator: User


def seed_budgets(*, rng: random.Random, today: datetime.date, stories: Iterable[Any]) -> int:
    """Creates the budgets; returns how many. Of the seed's client stories, the open clients
    with a designated coordinator (``story.current``) are candidates; a third get a budget."""
    candidates = [
        Candidate(story.client, story.current.coordinator)
        for story in stories
        if story.current is not None and story.client.closed_on is None
    ]
    types = list(ServiceType.objects.filter(active=True, code__in=UNITS_PER_WEEK))
    if not types:
        return 0
    providers = {
        service_type.pk: list(Provider.objects.filter(active=True, service_types=service_type))
        for service_type in types
    }
    rules = rules_on(today)
    budgets: list[Budget] = []
    plans: list[list[tuple[ServiceType, Decimal, Provider | None]]] = []
    for candidate in candidates:
        if rng.random() >= 1 / 3:
            continue
        months_running = rng.randint(1, 11)
        start = (today - relativedelta(months=months_running)).replace(day=1)
        end = start + relativedelta(months=rules.period_months) - datetime.timedelta(days=1)
        roll = rng.random()
        status = (
            Budget.Status.ACCEPTED if roll < 0.85 else Budget.Status.DECLINED if roll < 0.95 else Budget.Status.OFFERED
        )
        offered_on = start - datetime.timedelta(days=rng.randint(14, 40))
        budget = Budget(
            client=candidate.client,
            status=status,
            period_start=start if status != Budget.Status.OFFERED else today + datetime.timedelta(days=14),
            period_end=end
            if status != Budget.Status.OFFERED
            else today + datetime.timedelta(days=14) + relativedelta(years=1),
            offered_on=offered_on
            if status != Budget.Status.OFFERED
            else today - datetime.timedelta(days=rng.randint(1, 10)),
            offered_by=candidate.coordinator,
            decided_on=offered_on + datetime.timedelta(days=rng.randint(3, 12))
            if status != Budget.Status.OFFERED
            else None,
            decline_reason="Haluan pitää nykyiset palvelut." if status == Budget.Status.DECLINED else "",
            threshold_percent=rules.threshold_percent,
        )
        chosen = rng.sample(types, rng.randint(1, 3)) if status == Budget.Status.ACCEPTED else []
        lines: list[tuple[ServiceType, Decimal, Provider | None]] = []
        for service_type in sorted(chosen, key=lambda t: t.order):
            low, high = UNITS_PER_WEEK[service_type.code]
            units = Decimal(rng.randint(low * 2, high * 2)) / 2
            offered = providers.get(service_type.pk)
            lines.append((service_type, units, rng.choice(offered) if offered else None))
        days = calculation.period_days(budget.period_start, budget.period_end)
        total = sum((calculation.line_amount(u, t.unit_cost, days) for t, u, _ in lines), ZERO)
        budget.calculated_amount = total if lines else None
        budget.amount = total
        budget.calculated_on = budget.decided_on if lines else None
        budgets.append(budget)
        plans.append(lines)
    Budget.objects.bulk_create(budgets, batch_size=BATCH)
    _lines_and_spending(rng, today, budgets, plans)
    return len(budgets)


def _lines_and_spending(
    rng: random.Random,
    today: datetime.date,
    budgets: list[Budget],
    plans: list[list[tuple[ServiceType, Decimal, Provider | None]]],
) -> None:
    lines: list[BudgetLine] = []
    spendings: list[Spending] = []
    for budget, plan in zip(budgets, plans, strict=True):
        days = calculation.period_days(budget.period_start, budget.period_end)
        for service_type, units, provider in plan:
            allocated = calculation.line_amount(units, service_type.unit_cost, days)
            line = BudgetLine(
                budget=budget,
                service_type=service_type,
                provider=provider,
                calculated=allocated,
                units_per_week=units,
                allocated=allocated,
            )
            lines.append(line)
            if provider is None:
                continue
            # Some clients use more than planned: their lines cross the threshold or run out.
            pace = Decimal(str(round(rng.uniform(0.7, 1.6), 2)))
            day = budget.period_start + datetime.timedelta(days=13)
            while day < today and day <= budget.period_end:
                delivered = to_cents(units * 2 * pace)
                amount = min(to_cents(delivered * service_type.unit_cost), allocated - line.spent)
                if amount <= 0:
                    break
                line.spent += amount
                spendings.append(
                    Spending(
                        line=line,
                        provider=provider,
                        amount=amount,
                        units=delivered,
                        delivered_on=day,
                        reference=f"{provider.business_id[:7]}-{day:%Y%m%d}",
                        recorded_by=budget.offered_by,
                    )
                )
                day += datetime.timedelta(days=14)
    BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
    Spending.objects.bulk_create(spendings, batch_size=BATCH)
    _some_reallocations(rng, budgets, lines)


def _some_reallocations(rng: random.Random, budgets: list[Budget], lines: list[BudgetLine]) -> None:
    """A few budgets had money moved between their lines, with a reason for the client."""
    by_budget: dict[int, list[BudgetLine]] = {}
    for line in lines:
        by_budget.setdefault(line.budget_id, []).append(line)
    moves = []
    for budget in budgets:
        own = by_budget.get(budget.pk, [])
        if len(own) < 2 or rng.random() > 0.15:
            continue
        source, target = own[0], own[1]
        amount = to_cents((source.allocated - source.spent) / 10)
        if amount <= 0:
            continue
        BudgetLine.objects.filter(pk=source.pk).update(allocated=source.allocated - amount)
        BudgetLine.objects.filter(pk=target.pk).update(allocated=target.allocated + amount)
        moves.append(
            Reallocation(
                budget=budget,
                from_line=source,
                to_line=target,
                amount=amount,
                reason="Sovittu asiakkaan kanssa: tarve on muuttunut.",
                made_by=budget.offered_by,
            )
        )
    Reallocation.objects.bulk_create(moves, batch_size=BATCH)


# The bulk generator of the medium and large data sets.

BULK_CHUNK = 2_000
BUDGET_COLUMNS = (
    "id",
    "status",
    "period_start",
    "period_end",
    "offered_on",
    "decided_on",
    "decline_reason",
    "client_wishes",
    "calculated_amount",
    "amount",
    "adjustment_reason",
    "calculated_on",
    "threshold_percent",
    "assessment_id",
    "client_id",
    "offered_by_id",
)
LINE_COLUMNS = (
    "id",
    "calculated",
    "units_per_week",
    "allocated",
    "spent",
    "committed",
    "budget_id",
    "provider_id",
    "service_type_id",
)
SPENDING_COLUMNS = (
    "id",
    "kind",
    "amount",
    "units",
    "delivered_on",
    "reference",
    "recorded_at",
    "line_id",
    "provider_id",
    "recorded_by_id",
)


def bulk_budgets(
    loader: Loader, *, rng: random.Random, today: datetime.date, people: Sequence[Any], target: int
) -> int:
    """Budgets of open clients with a named worker, taken in turn until about ``target``
    spending entries (fortnightly invoices, the running totals never past an allocation) are
    written; most accepted, some declined or still offered. Returns the spending entries."""
    zone = timezone.get_current_timezone()
    types = list(ServiceType.objects.filter(active=True, code__in=UNITS_PER_WEEK).order_by("order", "pk"))
    if not types:
        return 0
    providers = {t.pk: list(Provider.objects.filter(active=True, service_types=t).order_by("pk")) for t in types}
    rules = rules_on(today)
    eligible = [p for p in people if p.coordinator is not None and p.closed_on is None]
    rng.shuffle(eligible)
    bar = loader.bar("budgets, lines and spending", total=target)
    written = 0
    for start in range(0, len(eligible), BULK_CHUNK):
        if written >= target:
            break
        budgets: list[tuple[Any, ...]] = []
        lines: list[tuple[Any, ...]] = []
        spendings: list[tuple[Any, ...]] = []
        for person in eligible[start : start + BULK_CHUNK]:
            if written + len(spendings) >= target:
                break
            roll = rng.random()
            status = (
                Budget.Status.ACCEPTED
                if roll < 0.85
                else Budget.Status.DECLINED
                if roll < 0.95
                else Budget.Status.OFFERED
            )
            by = person.coordinator
            if status == Budget.Status.OFFERED:
                period_start = today + datetime.timedelta(days=14)
                period_end = period_start + relativedelta(years=1)
                offered_on, decided_on = today - datetime.timedelta(days=rng.randint(1, 10)), None
            else:
                period_start = (today - relativedelta(months=rng.randint(1, 11))).replace(day=1)
                period_end = period_start + relativedelta(months=rules.period_months) - datetime.timedelta(days=1)
                offered_on = period_start - datetime.timedelta(days=rng.randint(14, 40))
                decided_on = offered_on + datetime.timedelta(days=rng.randint(3, 12))
            budget = loader.next_id(Budget)
            days = calculation.period_days(period_start, period_end)
            chosen = sorted(rng.sample(types, rng.randint(1, 3)), key=lambda t: t.order) if status == "accepted" else []
            total = ZERO
            for service_type in chosen:
                low, high = UNITS_PER_WEEK[service_type.code]
                units = Decimal(rng.randint(low * 2, high * 2)) / 2
                offered = providers.get(service_type.pk)
                provider = rng.choice(offered) if offered else None
                allocated = calculation.line_amount(units, service_type.unit_cost, days)
                total += allocated
                line = loader.next_id(BudgetLine)
                spent = ZERO
                if provider is not None:
                    pace = Decimal(str(round(rng.uniform(0.7, 1.6), 2)))
                    day = period_start + datetime.timedelta(days=13)
                    while day < today and day <= period_end:
                        delivered = to_cents(units * 2 * pace)
                        amount = min(to_cents(delivered * service_type.unit_cost), allocated - spent)
                        if amount <= 0:
                            break
                        spent += amount
                        spendings.append(
                            (
                                loader.next_id(Spending),
                                Spending.Kind.INVOICE,
                                amount,
                                delivered,
                                day,
                                f"{provider.business_id[:7]}-{day:%Y%m%d}",
                                datetime.datetime.combine(day, datetime.time(12), tzinfo=zone),
                                line,
                                provider.pk,
                                by,
                            )
                        )
                        day += datetime.timedelta(days=14)
                lines.append(
                    (
                        line,
                        allocated,
                        units,
                        allocated,
                        spent,
                        ZERO,
                        budget,
                        provider.pk if provider else None,
                        service_type.pk,
                    )
                )
            budgets.append(
                (
                    budget,
                    status,
                    period_start,
                    period_end,
                    offered_on,
                    decided_on,
                    "Haluan pitää nykyiset palvelut." if status == Budget.Status.DECLINED else "",
                    "",
                    total if chosen else None,
                    total,
                    "",
                    decided_on if chosen else None,
                    rules.threshold_percent,
                    None,
                    person.id,
                    by,
                )
            )
        loader.copy(Budget, BUDGET_COLUMNS, budgets)
        loader.copy(BudgetLine, LINE_COLUMNS, lines)
        loader.copy(Spending, SPENDING_COLUMNS, spendings)
        written += len(spendings)
        bar.update(len(spendings))
    bar.close()
    return written
