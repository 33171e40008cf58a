"""Personal budgets for the demo seed: a third of the open clients with a designated coordinator
have a budget — most accepted, running for months with fortnightly invoices from their chosen
providers, a few lines past the reminder threshold; some offers declined or still waiting.
Written with bulk inserts, the running totals computed here exactly as the service keeps them
(never past an allocation), so that the large data set builds quickly."""

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from accounts.models import User
from clients.models import Client

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
