"""Time of the reminder sweep over all clients, and of a rerun that must create nothing.

What it measures: ``reminders.services.sweep`` called in this process (every kind's
set-based INSERT … SELECT … ON CONFLICT DO NOTHING, in batches of client ids, one transaction
per batch, then the cancellation of closed clients' reminders), without queueing deliveries
(``queue=False``: the broker's round trips are not the sweep's, and no worker should receive
a benchmark's deliveries). Each round deletes every reminder first, then times

- the *first* sweep, which creates the reminders due today, and
- the *rerun*, straight after, which must create nothing (the unique constraint does it);

``--rounds`` rounds give the median, p95 (with few rounds, the slowest), min and max.

The database (default ``postgres://postgres@127.0.0.1:5432/caseflow_bench_reminders``) is
created if missing, migrated, seeded with ``seed --size small`` when it has no clients, and
ANALYZEd. ``--clients N`` then tops it up to N open clients with synthetic rows written by SQL
(generate_series): each with a named worker from the seeded coordinators (a few without one),
a contact whose assessment start deadline falls within ±60 days (most started already) and a
referral with a follow-up date — for a figure on the 100,000 clients of the quality bar while
``seed --size large`` does not exist. Settings are ``caseflow.settings.dev`` with DEBUG off.
The figures are written to ``bench/results/sweep.json``.

Run from the project root::

    .venv/bin/python bench/sweep.py [--rounds N] [--clients N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_FILE = ROOT / "bench" / "results" / "sweep.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/caseflow_bench_reminders"

# Synthetic clients, written set-based: the reminder kinds read these tables.
TOP_UP_SQL = [
    """
    INSERT INTO clients_client (first_name, last_name, date_of_birth, identity_code, municipality,
        preferred_language, phone, email, address, highest_care_allowance, child_special_support,
        no_named_worker_reason, relationship_started_on, team_id, closed_on, created_at, updated_at)
    SELECT 'Bench', 'Asiakas ' || n, DATE '1940-01-01' + (n %% 20000)::int, '', 'Kuopio', 'fi', '', '', '',
        false, false, '', %(today)s - (n %% 900)::int, (SELECT MIN(id) FROM teams_team), NULL, now(), now()
    FROM generate_series(1, %(count)s) AS n
    """,
    """
    INSERT INTO clients_relationshipperiod (client_id, opened_on, closure_reason, closing_summary, retention_class)
    SELECT c.id, c.relationship_started_on, '', '', '' FROM clients_client c
    WHERE c.first_name = 'Bench' AND c.id > %(after)s
    """,
    # 98 % with a named worker, spread over the seeded coordinators.
    """
    INSERT INTO clients_assignment (client_id, coordinator_id, started_on, reason, end_reason, handover_note)
    SELECT c.id, coordinators.ids[1 + (c.id %% array_length(coordinators.ids, 1))::int], c.relationship_started_on,
        '', '', ''
    FROM clients_client c,
        (SELECT array_agg(id ORDER BY id) AS ids FROM accounts_user WHERE role = 'coordinator') coordinators
    WHERE c.first_name = 'Bench' AND c.id > %(after)s AND c.id %% 50 <> 0
    """,
    # A contact each: the start deadline within ±60 days; 85 % started already.
    """
    INSERT INTO clients_contact (client_id, contacted_on, channel, source, source_name, reason, urgent,
        deadline_rule, assessment_due_on, assessment_started_on, cancelled_on, recorded_by_id, created_at)
    SELECT c.id, %(today)s - 70 + (c.id %% 121)::int, 'phone', 'client', '', 'Bench', false, 'default',
        %(today)s - 60 + (c.id %% 121)::int,
        CASE WHEN c.id %% 100 < 85 THEN %(today)s - 60 + (c.id %% 121)::int END,
        NULL, (SELECT MIN(id) FROM accounts_user WHERE role = 'coordinator'), now()
    FROM clients_client c WHERE c.first_name = 'Bench' AND c.id > %(after)s
    """,
    # A referral each: followed up within ±60 days; 70 % answered and closed.
    """
    INSERT INTO clients_referral (client_id, direction, counterpart, reason, status, sent_on, follow_up_on,
        contact_id, created_by_id, updated_at)
    SELECT c.id, 'outgoing', 'Kela', 'Bench', CASE WHEN c.id %% 10 < 7 THEN 'closed' ELSE 'sent' END,
        %(today)s - 90, %(today)s - 60 + (c.id %% 121)::int, NULL,
        (SELECT MIN(id) FROM accounts_user WHERE role = 'coordinator'), now()
    FROM clients_client c WHERE c.first_name = 'Bench' AND c.id > %(after)s
    """,
]


class BenchError(Exception):
    """A condition under which the figures would mean nothing; the run stops."""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of first sweep + rerun (default 5)")
    parser.add_argument("--clients", type=int, default=0, help="top up to this many open clients (synthetic)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def ensure_database(url: str) -> None:
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise BenchError("not a PostgreSQL URL")
    params: dict[str, Any] = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    with psycopg.connect(autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def set_up_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "caseflow.settings.dev"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed", size="small")


def top_up(target: int) -> int:
    """Adds synthetic open clients until there are ``target``; returns how many were added."""
    from django.db import connection, transaction
    from django.utils import timezone

    from clients.models import Client

    missing = target - Client.objects.filter(closed_on__isnull=True).count()
    if missing <= 0:
        return 0
    after = Client.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    params: dict[str, Any] = {"today": timezone.localdate(), "count": missing, "after": after}
    with transaction.atomic(), connection.cursor() as cursor:
        # Synthetic rows need no row history: without the pghistory triggers (and the foreign
        # key triggers, which these statements satisfy by construction) the top-up takes seconds.
        cursor.execute("SET LOCAL session_replication_role = replica")
        for statement in TOP_UP_SQL:
            cursor.execute(statement, params)
    return missing


def quantile(samples: list[float], percent: int) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(samples), 4),
        "p95_s": round(quantile(samples, 95), 4),
        "min_s": round(min(samples), 4),
        "max_s": round(max(samples), 4),
    }


def main() -> None:
    args = parse_args()
    ensure_database(args.database_url)
    set_up_django(args.database_url)
    from django.conf import settings
    from django.db import connection

    from clients.models import Client
    from reminders import services
    from reminders.models import DeliveryAttempt, Reminder

    added = top_up(args.clients) if args.clients else 0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    first: list[float] = []
    rerun: list[float] = []
    created: list[int] = []
    rerun_created: list[int] = []
    batches = 0
    for _ in range(args.rounds):
        DeliveryAttempt.objects.all().delete()
        Reminder.objects.all().delete()
        started = time.perf_counter()
        result = services.sweep(queue=False)
        first.append(time.perf_counter() - started)
        created.append(result.total_created)
        batches = result.batches
        started = time.perf_counter()
        again = services.sweep(queue=False)
        rerun.append(time.perf_counter() - started)
        rerun_created.append(again.total_created)
    if any(rerun_created):
        raise BenchError(f"a rerun created reminders: {rerun_created}")
    figures = {
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "open_clients": Client.objects.filter(closed_on__isnull=True).count(),
        "synthetic_clients_added": added,
        "batch_size": settings.REMINDER_SWEEP_BATCH,
        "batches": batches,
        "rounds": args.rounds,
        "reminders_created": created[-1],
        "first_sweep": summary(first),
        "rerun": summary(rerun),
        "rerun_created": 0,
    }
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f"{figures['open_clients']} open clients ({added} synthetic added), {created[-1]} reminders, "
        f"{batches} batches of {settings.REMINDER_SWEEP_BATCH} client ids, {args.rounds} rounds"
    )
    for name in ("first_sweep", "rerun"):
        row = figures[name]
        assert isinstance(row, dict)
        print(
            f"  {name:12} median {row['median_s'] * 1000:8.1f} ms  p95 {row['p95_s'] * 1000:8.1f} ms  "
            f"min {row['min_s'] * 1000:8.1f} ms  max {row['max_s'] * 1000:8.1f} ms"
        )
    print("  the reruns created nothing")
    print(f"written to {RESULTS_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        print(f"bench/sweep.py: {error}", file=sys.stderr)
        sys.exit(1)
