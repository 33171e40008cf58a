"""The demo's team review: the demo lead leads both teams, each with a load threshold and 12
months of monthly snapshots, so that the trends have a year of history from the first run.
The history is made from today's figures with a plausible drift back in time (the seed has no
past states to measure)."""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from accounts.demo_data import bulk_users
from accounts.models import Profession, Role, User
from core.bulk import Loader

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


@dataclass
class Staff:
    """The teams of a bulk data set and who works in them. In every team, the first
    coordinator has the large caseload and the second and third are social workers (a child
    needing special support has a social worker as named worker, SHL §42); one lead leads two
    neighbouring teams (``lead`` the first two, 20 coordinators)."""

    teams: list[int]
    coordinators_of: dict[int, list[int]]  # team -> coordinators, the big caseload first
    lead_of: dict[int, int]  # team -> lead
    social_workers: set[int]
    team_of: dict[int, int] = field(default_factory=dict)  # coordinator -> team

    def __post_init__(self) -> None:
        self.team_of = {pk: team for team, pks in self.coordinators_of.items() for pk in pks}


def bulk_teams(
    loader: Loader,
    *,
    rng: random.Random,
    teams: int,
    coordinators: int,
    password_hash: str,
    first_names: list[str],
    last_names: list[str],
    municipalities: list[str],
) -> Staff:
    """Writes the teams, their coordinators (``coordinator``, ``coordinator2``…) and leads
    (``lead``, ``lead2``…) with their memberships."""
    per_team = max(1, coordinators // teams)
    team_ids = list(loader.ids(Team, teams))
    loader.copy(
        Team,
        ("id", "name", "municipality"),
        [
            (pk, f"Palveluohjaus {municipalities[n % len(municipalities)]} {n // len(municipalities) + 1}", "")
            for n, pk in enumerate(team_ids)
        ],
    )
    usernames = ["coordinator"] + [f"coordinator{n}" for n in range(2, per_team * teams + 1)]
    professions = [
        Profession.SOCIAL_WORKER if n % per_team in (1, 2) else Profession.SOCIAL_COUNSELLOR
        for n in range(len(usernames))
    ]
    coordinator_ids = bulk_users(
        loader,
        rng=rng,
        usernames=usernames,
        role=Role.COORDINATOR,
        professions=professions,
        password_hash=password_hash,
        first_names=first_names,
        last_names=last_names,
    )
    leads = (teams + 1) // 2
    lead_ids = bulk_users(
        loader,
        rng=rng,
        usernames=["lead"] + [f"lead{n}" for n in range(2, leads + 1)],
        role=Role.TEAM_LEAD,
        professions=[Profession.SOCIAL_WORKER] * leads,
        password_hash=password_hash,
        first_names=first_names,
        last_names=last_names,
    )
    coordinators_of = {team: coordinator_ids[n * per_team : (n + 1) * per_team] for n, team in enumerate(team_ids)}
    lead_of = {team: lead_ids[n // 2] for n, team in enumerate(team_ids)}
    started = datetime.date(2021, 1, 1)
    memberships = [
        (pk, TeamMembership.Kind.MEMBER, user, team)
        for team, users in coordinators_of.items()
        for pk, user in zip(loader.ids(TeamMembership, len(users)), users, strict=True)
    ]
    memberships += [
        (loader.next_id(TeamMembership), TeamMembership.Kind.LEAD, lead, team) for team, lead in lead_of.items()
    ]
    loader.copy(
        TeamMembership,
        ("id", "kind", "role", "started_on", "ended_on", "team_id", "user_id"),
        [(pk, kind, "", started, None, team, user) for pk, kind, user, team in memberships],
    )
    social = {
        pk
        for pk, profession in zip(coordinator_ids, professions, strict=True)
        if profession == Profession.SOCIAL_WORKER
    }
    return Staff(teams=team_ids, coordinators_of=coordinators_of, lead_of=lead_of, social_workers=social)
