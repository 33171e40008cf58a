"""The demo's team review: the demo lead leads both teams, each with a load threshold and 12
months of monthly snapshots, so that the trends have a year of history from the first run.
The history is made from today's figures with a plausible drift back in time (the seed has no
past states to measure)."""

import datetime
import random
from decimal import Decimal
from typing import Any

from accounts.models import User

from . import review
from .models import MonthlySnapshot, ReviewSettings, Team, TeamMembership

HISTORY_MONTHS = 12


def _month_back(today: datetime.date, months: int) -> datetime.date:
    month = today.replace(day=1)
    for _ in range(months):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


def _drift(figures: dict[str, Any], rng: random.Random, back: int) -> dict[str, Any]:
    """The figures ``back`` months ago: numbers scaled by a small random drift."""
    factor = 1 - 0.02 * back + rng.uniform(-0.08, 0.08)
    drifted: dict[str, Any] = {}
    for name, value in figures.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            drifted[name] = value
        elif isinstance(value, float):
            drifted[name] = round(max(value * factor, 0.0), 1)
        else:
            drifted[name] = max(round(value * factor), 0)
    return drifted


def seed_review(*, rng: random.Random, today: datetime.date, lead: User, teams: list[Team]) -> int:
    """Makes ``lead`` a lead of every team in ``teams``, sets each a threshold and writes 12
    months of snapshots per team and coordinator. Returns the number of snapshots."""
    started = today - datetime.timedelta(days=5 * 365)
    led = set(TeamMembership.objects.filter(user=lead, kind=TeamMembership.Kind.LEAD).values_list("team_id", flat=True))
    TeamMembership.objects.bulk_create(
        TeamMembership(team=team, user=lead, kind=TeamMembership.Kind.LEAD, started_on=started)
        for team in teams
        if team.pk not in led
    )
    snapshots: list[MonthlySnapshot] = []
    for team in teams:
        result = review.build_review(Team.objects.filter(pk=team.pk), today=today)
        figures, per_coordinator = review.snapshot_figures(result)
        loads = [row.weighted_load for row in result.rows] or [Decimal(20)]
        threshold = (max(loads) * Decimal("0.9")).quantize(Decimal("1"))
        ReviewSettings.objects.update_or_create(team=team, defaults={"load_threshold": max(threshold, Decimal(1))})
        for back in range(1, HISTORY_MONTHS + 1):
            month = _month_back(today, back)
            snapshots.append(MonthlySnapshot(team=team, month=month, figures=_drift(figures, rng, back - 1)))
            snapshots += [
                MonthlySnapshot(team=team, coordinator_id=pk, month=month, figures=_drift(values, rng, back - 1))
                for pk, values in per_coordinator.items()
            ]
    MonthlySnapshot.objects.bulk_create(snapshots, ignore_conflicts=True)
    return len(snapshots)
