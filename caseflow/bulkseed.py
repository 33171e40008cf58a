"""The medium and large demo data sets (``manage.py seed --size medium|large``): a wellbeing
services county's worth of clients, staff and history, written by COPY in one transaction.

Each app's ``demo_data`` writes its own tables (``bulk_*``); this module only orders them and
hands each the rows it needs (the staff, the clients as ``Person`` rows, the network members).
Every stage draws from its own random generator seeded from ``seed`` and the stage's name, so
a stage's rows do not change when another stage changes. The few things made through the
ordinary services afterwards (portal accounts, the lead's review history, the reminder sweep)
are the small seed's own functions."""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from access.demo_data import bulk_access_log
from accounts.demo_data import bulk_users
from accounts.models import Profession, Role, User
from assessments.demo_data import bulk_assessments
from budgets.demo_data import bulk_budgets
from care_plans.demo_data import bulk_plans
from clients.demo_data import Caseloads, bulk_clients
from core.bulk import Loader, triggers_off
from networks.demo_data import bulk_networks
from portal.demo_data import seed_portal
from reminders.demo_data import seed_reminders
from teams.demo_data import bulk_teams, seed_review
from teams.models import Team

SEED = 20261127
DEMO_PASSWORD = "caseflow-demo"  # noqa: S105  # the demo logins' published password


@dataclass(frozen=True)
class Scale:
    clients: int
    coordinators: int
    teams: int
    assessments: int
    plan_versions: int
    spending: int
    access_events: int
    caseloads: Caseloads = field(default_factory=Caseloads)


SCALES = {
    "medium": Scale(
        clients=10_000,
        coordinators=150,
        teams=15,
        assessments=30_000,
        plan_versions=20_000,
        spending=100_000,
        access_events=200_000,
    ),
    "large": Scale(
        clients=100_000,
        coordinators=1_500,
        teams=150,
        assessments=300_000,
        plan_versions=200_000,
        spending=1_000_000,
        access_events=2_000_000,
    ),
}
# The tables whose rows are counted at the end (and compared by the reproducibility test).
COUNTED = [
    "accounts_user",
    "teams_team",
    "teams_teammembership",
    "clients_client",
    "clients_relationshipperiod",
    "clients_assignment",
    "clients_contact",
    "clients_referral",
    "clients_referralbounce",
    "networks_networkmember",
    "networks_networkmeeting",
    "assessments_assessment",
    "assessments_domainneed",
    "assessments_needslot",
    "care_plans_careplan",
    "care_plans_planversion",
    "care_plans_plangoal",
    "care_plans_goalaction",
    "care_plans_planservice",
    "care_plans_planreview",
    "care_plans_goaloutcome",
    "budgets_budget",
    "budgets_budgetline",
    "budgets_spending",
    "access_accessevent",
    "reminders_reminder",
]


def _rng(seed: int, stage: str) -> random.Random:
    return random.Random(f"{seed}:{stage}")  # noqa: S311  # demo data, not secrets


def bulk_seed(scale: Scale, *, seed: int = SEED, progress: bool = True) -> dict[str, int]:
    """Writes the data set into an empty database; returns the row counts of ``COUNTED``."""
    today = timezone.localdate()
    loader = Loader(progress=progress)
    password = make_password(DEMO_PASSWORD)
    from faker.providers.person.fi_FI import Provider as Names

    first_names = sorted(set(Names.first_names_female) | set(Names.first_names_male))
    last_names = sorted(Names.last_names)
    from clients.factories import FINNISH_MUNICIPALITIES

    with transaction.atomic():
        with triggers_off():
            staff = bulk_teams(
                loader,
                rng=_rng(seed, "teams"),
                teams=scale.teams,
                coordinators=scale.coordinators,
                password_hash=password,
                first_names=first_names,
                last_names=last_names,
                municipalities=FINNISH_MUNICIPALITIES,
            )
            bulk_users(
                loader,
                rng=_rng(seed, "administration"),
                usernames=["admin", "dataprotection"],
                role=Role.ADMINISTRATOR,
                professions=[Profession.OTHER, Profession.OTHER],
                password_hash=password,
                first_names=first_names,
                last_names=last_names,
            )
            User.objects.filter(username="dataprotection").update(role=Role.DATA_PROTECTION, is_staff=False)
            people = bulk_clients(
                loader,
                rng=_rng(seed, "clients"),
                today=today,
                staff=staff,
                count=scale.clients,
                caseloads=scale.caseloads,
            )
            members = bulk_networks(loader, rng=_rng(seed, "networks"), today=today, people=people)
            bulk_assessments(
                loader,
                rng=_rng(seed, "assessments"),
                today=today,
                people=people,
                members=members,
                target=scale.assessments,
            )
            bulk_plans(loader, rng=_rng(seed, "plans"), today=today, people=people, target=scale.plan_versions)
            bulk_budgets(loader, rng=_rng(seed, "budgets"), today=today, people=people, target=scale.spending)
            bulk_access_log(
                loader,
                rng=_rng(seed, "access"),
                today=today,
                people=people,
                lead_of=staff.lead_of,
                target=scale.access_events,
            )
            loader.finish()
        # Statistics first: the review and the sweep below plan their queries on them.
        _say(progress, "ANALYZE")
        loader.analyze()
        # Through the ordinary code, triggers on: a few portal users of the demo coordinator,
        # the first lead's review history, and the reminders due today.
        lead = User.objects.get(username="lead")
        _say(progress, "portal accounts, the lead's review history, the reminder sweep")
        seed_portal(rng=_rng(seed, "portal"), today=today, demo=User.objects.get(username="coordinator"))
        led = [pk for pk, lead_pk in staff.lead_of.items() if lead_pk == lead.pk]
        seed_review(rng=_rng(seed, "review"), today=today, lead=lead, teams=list(Team.objects.filter(pk__in=led)))
        seed_reminders(today=today)
    return row_counts()


def _say(progress: bool, stage: str) -> None:
    if progress:
        sys.stderr.write(f"{time.strftime('%H:%M:%S')} {stage}\n")


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in COUNTED:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608  # names from the list above
            counts[table] = int(cursor.fetchone()[0])
    return counts


def timed_seed(scale: Scale, *, progress: bool = True) -> tuple[dict[str, int], float]:
    started = time.perf_counter()
    counts = bulk_seed(scale, progress=progress)
    return counts, time.perf_counter() - started
