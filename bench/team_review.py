"""Server time of the team lead's review of 20 coordinators / 1,500 clients, and of the XLSX
export of those 1,500 clients.

What it measures: the time ``django.test.Client`` takes to answer one GET in this process —
middleware, view, SQL on PostgreSQL, template — with no network between (warm: warm-up
requests first, then ``--requests`` timed ones, ``time.perf_counter``). Targets:
- ``/team/review/`` as the synthetic team's lead (goal p95 ≤ 150 ms, queries constant);
- ``/api/v1/team/review/``, the same figures as JSON;
- ``/team/review/export/clients.xlsx?metric=open``: every open client of the team, fetched
  through ``access.policy``, logged (1,500 audit rows a request) and written with xlsxwriter
  (goal ≤ 2 s).
It prints p50, p95, min and max in ms and the SQL queries per request (counted on separate,
untimed requests), and writes them to ``bench/results/team_review.json``.

The data: until the large data set exists (the scale issue), a synthetic team in its own
database (default ``postgres://postgres@127.0.0.1:5432/caseflow_bench_review``): one lead,
20 coordinators with 75 clients each (relationships over the last three years, about a
third with an earlier named worker), pending assessment deadlines, unanswered referrals,
assessments with uncovered week-grid slots (some by RAI). It is built once (bulk inserts,
fixed random seed) and reused; to start over, drop that database.

Run from the project root::

    .venv/bin/python bench/team_review.py [--requests N] [--exports N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_FILE = ROOT / "bench" / "results" / "team_review.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/caseflow_bench_review"
COORDINATORS = 20
CLIENTS_EACH = 75
WARMUP = 5
SEED = 20261127


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=60, help="timed requests of the review (default 60)")
    parser.add_argument("--exports", type=int, default=5, help="timed XLSX exports (default 5)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    return parser.parse_args()


def ensure_database(url: str) -> None:
    """Creates the database named in ``url`` unless it exists."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    params: dict[str, Any] = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def set_up_django(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "caseflow.settings.dev"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def build_team() -> Any:
    """The synthetic team and its lead (built once)."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from accounts.models import Profession, Role, User
    from assessments.models import Assessment, Coverage, DomainNeed, LifeDomain, NeedSlot, TimeOfDay
    from clients.models import Assignment, AssignmentEnd, Client, Contact, Referral, RelationshipPeriod
    from teams.models import Team, TeamMembership

    lead = User.objects.filter(username="bench-lead").first()
    if lead is not None:
        return lead
    rng = random.Random(SEED)  # noqa: S311  # synthetic data, reproducible
    today = datetime.date.today()
    started = today - datetime.timedelta(days=4 * 365)
    password = make_password(None)
    with transaction.atomic():
        team = Team.objects.create(name="Bench-tiimi")
        lead = User.objects.create(
            username="bench-lead", role=Role.TEAM_LEAD, password=password, first_name="Lea", last_name="Vetäjä"
        )
        coordinators = User.objects.bulk_create(
            User(
                username=f"bench-coordinator-{i}",
                role=Role.COORDINATOR,
                password=password,
                first_name=f"Koordinaattori{i}",
                last_name=f"Sukunimi{i:02d}",
                profession=Profession.SOCIAL_WORKER if i % 4 == 0 else Profession.SOCIAL_COUNSELLOR,
            )
            for i in range(COORDINATORS)
        )
        TeamMembership.objects.create(team=team, user=lead, kind=TeamMembership.Kind.LEAD, started_on=started)
        TeamMembership.objects.bulk_create(
            TeamMembership(team=team, user=c, kind=TeamMembership.Kind.MEMBER, started_on=started) for c in coordinators
        )
        clients = Client.objects.bulk_create(
            Client(
                first_name=rng.choice(["Aino", "Eino", "Helmi", "Väinö", "Lempi", "Toivo", "Sanni", "Onni"]),
                last_name=rng.choice(["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine"]),
                date_of_birth=today - datetime.timedelta(days=rng.randint(20, 95) * 365),
                municipality=rng.choice(["Kuopio", "Tampere", "Oulu", "Turku"]),
                relationship_started_on=today - datetime.timedelta(days=rng.randint(30, 3 * 365)),
                child_special_support=rng.random() < 0.03,
                team=team,
            )
            for _ in range(COORDINATORS * CLIENTS_EACH)
        )
        RelationshipPeriod.objects.bulk_create(
            RelationshipPeriod(client=c, opened_on=c.relationship_started_on) for c in clients
        )
        assignments: list[Assignment] = []
        for index, client in enumerate(clients):
            coordinator = coordinators[index % COORDINATORS]
            since = client.relationship_started_on
            if rng.random() < 0.35 and (today - since).days > 60:
                change = since + datetime.timedelta(days=rng.randint(1, (today - since).days - 1))
                previous = coordinators[(index + 1) % COORDINATORS]
                assignments.append(
                    Assignment(
                        client=client,
                        coordinator=previous,
                        started_on=since,
                        ended_on=change,
                        end_reason=AssignmentEnd.HANDOVER,
                    )
                )
                since = change
            assignments.append(Assignment(client=client, coordinator=coordinator, started_on=since))
        Assignment.objects.bulk_create(assignments)
        Contact.objects.bulk_create(
            Contact(
                client=client,
                contacted_on=today - datetime.timedelta(days=20),
                channel="phone",
                source="client",
                reason="Apua kotiin",
                deadline_rule="statutory",
                assessment_due_on=today + datetime.timedelta(days=rng.randint(-15, 25)),
                recorded_by=lead,
            )
            for client in rng.sample(clients, 150)
        )
        Referral.objects.bulk_create(
            Referral(
                client=client,
                direction=Referral.Direction.OUTGOING,
                counterpart=rng.choice(["Kela", "TE-palvelut", "Terveyskeskus", "Kunta"]),
                reason="Lähete",
                sent_on=today - datetime.timedelta(days=rng.randint(10, 120)),
                follow_up_on=today + datetime.timedelta(days=rng.randint(-40, 20)),
                created_by=lead,
            )
            for client in rng.sample(clients, 200)
        )
        domains = list(LifeDomain.objects.all())
        assessed = rng.sample(clients, 600)
        assessments = Assessment.objects.bulk_create(
            Assessment(
                client=client,
                status=Assessment.Status.STARTED,
                started_on=today - datetime.timedelta(days=rng.randint(1, 60)),
                rai_instrument="interrai_hc" if rng.random() < 0.4 else "",
                created_by=lead,
            )
            for client in assessed
        )
        needs = DomainNeed.objects.bulk_create(
            DomainNeed(assessment=a, domain=d, level=rng.randint(1, 4))
            for a in assessments
            for d in rng.sample(domains, 2)
        )
        times = [t.value for t in TimeOfDay]
        NeedSlot.objects.bulk_create(
            NeedSlot(
                need=need,
                weekday=weekday,
                time_of_day=rng.choice(times),
                coverage=rng.choice([Coverage.UNCOVERED, Coverage.SERVICE, Coverage.CLIENT]),
            )
            for need in needs
            for weekday in rng.sample(range(7), 2)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return lead


def timed(client: Any, url: str, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
    return samples


def queries(client: Any, url: str) -> int:
    """The queries of one request on every database alias: the review reads from the replica."""
    from contextlib import ExitStack

    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    with ExitStack() as stack:
        contexts = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections]
        client.get(url)
    return sum(len(context.captured_queries) for context in contexts)


def figures(samples: list[float]) -> dict[str, float]:
    quantiles = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50_ms": round(quantiles[49], 1),
        "p95_ms": round(quantiles[94], 1),
        "min_ms": round(min(samples), 1),
        "max_ms": round(max(samples), 1),
    }


def main() -> None:
    args = parse_args()
    set_up_django(args.database_url)
    from django.conf import settings
    from django.test import Client as TestClient
    from django.urls import reverse

    from teams import review

    lead = build_team()
    teams = review.reviewed_teams(lead)
    result = review.build_review(teams)
    size = {"coordinators": len(result.rows), "open_clients": sum(r.open_clients for r in result.rows)}
    host = next(iter(settings.ALLOWED_HOSTS), "localhost").lstrip(".").replace("*", "localhost")
    client = TestClient(SERVER_NAME=host)
    client.force_login(lead)
    targets = {
        "review page": (reverse("team-review-figures"), args.requests),
        "review API": (reverse("api-team-review-figures"), args.requests),
        "XLSX of the open clients": (
            reverse("team-review-export", args=["clients", "xlsx"]) + "?metric=open",
            args.exports,
        ),
    }
    report: dict[str, Any] = {"data": size, "when": datetime.datetime.now().isoformat(timespec="seconds")}
    for name, (url, count) in targets.items():
        timed(client, url, min(WARMUP, count))
        samples = timed(client, url, count)
        report[name] = {"url": url, "requests": count, **figures(samples), "queries": queries(client, url)}
    print(f"Synthetic team: {size['coordinators']} coordinators, {size['open_clients']} open clients")
    for name, row in report.items():
        if isinstance(row, dict) and "p95_ms" in row:
            print(
                f"{name:28} p50 {row['p50_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f} ms  "
                f"min {row['min_ms']:8.1f}  max {row['max_ms']:8.1f}  queries {row['queries']}  (n={row['requests']})"
            )
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
