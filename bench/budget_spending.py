"""Personal budgets: spending throughput under parallel writers, and the ledger page.

What it measures:
1. Spending throughput. ``--writers`` threads, each with its own PostgreSQL connection, call
   ``budgets.services.record_spending`` (the service the page and the API use: row lock on the
   line, the check of what is left, the running total, the spending row, the audit row, one
   transaction) ``--records`` times each, started together by a barrier, in three scenarios:
   - ``one-line``: every writer on the same line (worst contention: the row lock serialises them);
   - ``own-lines``: each writer on a line of its own (no contention between writers);
   - ``capped``: every writer on one line whose allocation fits only half the attempts — the
     refusals are part of the work; afterwards the line must hold exactly what fits.
   For each: recordings per second (accepted + refused over wall time), p50/p95 latency of one
   call, and the invariant checks (the line's total = the sum of its spending rows ≤ allocation).
   The lines belong to a fresh bench client's budget each run, so earlier runs do not weigh.
2. The ledger page ``/budgets/<pk>/`` (``budget-detail``), the budget API
   ``/api/v1/budgets/<pk>/`` and the CSV export, for the accepted budget with the most spending
   rows, as its designated coordinator: server time through ``django.test.Client`` in this
   process (the whole middleware stack, the view, its SQL, the template), warm, ``--requests``
   timed requests per target taking turns; p50/p95 in ms and SQL queries per request.

Threads, not processes: each call spends its time in PostgreSQL (locks, commits), where the GIL
is released, so threads load the database much as processes would, with less noise on a
2-core machine. The database (default ``caseflow_bench_budgets``) is created, migrated and seeded with
``seed --size small`` if needed, as in ``bench/caseload.py``; results go to
``bench/results/budget_spending.json``.

Run from the project root::

    .venv/bin/python bench/budget_spending.py [--writers N] [--records N] [--requests N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from caseload import BenchError, ensure_database, set_up_django, signed_in_client, without_password

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/caseflow_bench_budgets"
RESULTS_FILE = Path(__file__).resolve().parent / "results" / "budget_spending.json"
WARMUP_REQUESTS = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--writers", type=int, default=8, help="parallel writers (default 8)")
    parser.add_argument("--records", type=int, default=50, help="recordings per writer (default 50)")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page target (default 100)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    return parser.parse_args()


def quantile(samples: list[float], percent: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]


def bench_budget(lines: int, allocation: Decimal) -> tuple[Any, list[Any]]:
    """A fresh client of the busiest coordinator with an accepted budget and ``lines`` lines."""
    from caseload import busiest_coordinator

    from access.policy import Ground
    from budgets import services
    from budgets.models import Budget, BudgetLine, Provider, ServiceType
    from clients.factories import AssignmentFactory, ClientFactory

    coordinator, _ = busiest_coordinator()
    client = ClientFactory(relationship_started_on=datetime.date(2025, 1, 1))
    AssignmentFactory(client=client, coordinator=coordinator, started_on=datetime.date(2025, 1, 1))
    today = datetime.date.today()
    budget = services.offer_budget(
        client=client, by=coordinator, ground=Ground.DESIGNATED_COORDINATOR, period_start=today.replace(day=1)
    )
    budget = services.decide_budget(budget=budget, accepted=True, by=coordinator, ground=Ground.DESIGNATED_COORDINATOR)
    provider = Provider.objects.get(business_id="2345678-1")
    home_help = ServiceType.objects.get(code="home_help")
    rows: list[Any] = []
    for _ in range(lines):
        # One line per service type is the rule; bench lines each get a budget of their own.
        if rows:
            budget = Budget.objects.create(
                client=client,
                status=Budget.Status.ACCEPTED,
                period_start=budget.period_start,
                period_end=budget.period_end,
                offered_on=budget.offered_on,
                offered_by=coordinator,
                decided_on=budget.decided_on,
            )
        rows.append(
            BudgetLine.objects.create(budget=budget, service_type=home_help, provider=provider, allocated=allocation)
        )
    return coordinator, rows


def run_writers(name: str, coordinator: Any, lines: list[Any], writers: int, records: int) -> dict[str, Any]:
    from django.core.exceptions import ValidationError
    from django.db import connection

    from access.policy import Ground
    from budgets import services
    from budgets.models import BudgetLine, Spending

    amount = Decimal("1.00")
    day = datetime.date.today()
    start = threading.Barrier(writers)
    latencies: list[float] = []
    accepted = refused = errors = 0
    lock = threading.Lock()

    def write(index: int) -> None:
        nonlocal accepted, refused, errors
        line = lines[index % len(lines)]
        own: list[float] = []
        ok = no = bad = 0
        try:
            start.wait()
            for _ in range(records):
                began = time.perf_counter()
                try:
                    services.record_spending(
                        line=line, amount=amount, delivered_on=day, by=coordinator, ground=Ground.DESIGNATED_COORDINATOR
                    )
                    ok += 1
                except ValidationError:
                    no += 1
                except Exception:
                    bad += 1
                own.append((time.perf_counter() - began) * 1000)
        finally:
            connection.close()
            with lock:
                latencies.extend(own)
                accepted += ok
                refused += no
                errors += bad

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    consistent = True
    for line in lines:
        line = BudgetLine.objects.get(pk=line.pk)
        total = sum(Spending.objects.filter(line=line).values_list("amount", flat=True), Decimal(0))
        consistent &= line.spent == total and line.spent <= line.allocated
    return {
        "scenario": name,
        "writers": writers,
        "lines": len(lines),
        "attempts": accepted + refused + errors,
        "accepted": accepted,
        "refused": refused,
        "errors": errors,
        "wall_s": round(wall, 3),
        "recordings_per_s": round((accepted + refused) / wall, 1),
        "accepted_per_s": round(accepted / wall, 1),
        "p50_ms": round(quantile(latencies, 50), 2),
        "p95_ms": round(quantile(latencies, 95), 2),
        "ledger_equals_rows_and_within_allocation": consistent,
    }


def throughput(writers: int, records: int) -> list[dict[str, Any]]:
    total = Decimal(writers * records)
    results = []
    coordinator, one = bench_budget(1, total + 1)
    results.append(run_writers("one-line", coordinator, one, writers, records))
    coordinator, own = bench_budget(writers, Decimal(records + 1))
    results.append(run_writers("own-lines", coordinator, own, writers, records))
    coordinator, capped = bench_budget(1, (total / 2).to_integral_value())
    result = run_writers("capped", coordinator, capped, writers, records)
    result["exactly_what_fits"] = result["accepted"] == int(total / 2)
    results.append(result)
    for result in results:
        if result["errors"] or not result["ledger_equals_rows_and_within_allocation"]:
            raise BenchError(f"scenario {result['scenario']} broke the ledger: {result}")
    return results


def ledger_pages(requests: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from budgets.models import Budget

    budget = (
        Budget.objects.filter(status=Budget.Status.ACCEPTED)
        .annotate(rows=Count("lines__spendings"))
        .order_by("-rows", "pk")
        .first()
    )
    if budget is None:
        raise BenchError("no accepted budget: is the database seeded (seed --size small)?")
    coordinator = budget.client.assignments.get(ended_on__isnull=True).coordinator
    client = signed_in_client(coordinator)
    targets = [
        ("ledger page", f"/budgets/{budget.pk}/"),
        ("budget API", f"/api/v1/budgets/{budget.pk}/"),
        ("ledger CSV", f"/budgets/{budget.pk}/ledger.csv"),
    ]
    queries = {}
    for name, url in targets:
        for _ in range(WARMUP_REQUESTS):
            client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise BenchError(f"{name}: GET {url} answered {response.status_code}")
        queries[name] = len(captured.captured_queries)
    samples: dict[str, list[float]] = {name: [] for name, _ in targets}
    for _ in range(requests):
        for name, url in targets:
            began = time.perf_counter()
            client.get(url)
            samples[name].append((time.perf_counter() - began) * 1000)
    return [
        {
            "target": name,
            "url": url,
            "spending_rows": budget.rows,
            "requests": requests,
            "p50_ms": round(quantile(samples[name], 50), 2),
            "p95_ms": round(quantile(samples[name], 95), 2),
            "queries": queries[name],
        }
        for name, url in targets
    ]


def main() -> int:
    args = parse_args()
    try:
        ensure_database(args.database_url)
        set_up_django(args.database_url)
        print(f"{args.writers} writers × {args.records} recordings on {without_password(args.database_url)}\n")
        writes = throughput(args.writers, args.records)
        pages = ledger_pages(args.requests)
    except BenchError as error:
        print(f"bench/budget_spending.py: {error}", file=sys.stderr)
        return 1
    print(
        f"{'scenario':<10} {'acc':>5} {'ref':>5} {'wall s':>7} {'rec/s':>7} {'acc/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7}  ok"
    )
    for row in writes:
        print(
            f"{row['scenario']:<10} {row['accepted']:>5} {row['refused']:>5} {row['wall_s']:>7} "
            f"{row['recordings_per_s']:>7} {row['accepted_per_s']:>7} {row['p50_ms']:>7} {row['p95_ms']:>7}  "
            f"{row['ledger_equals_rows_and_within_allocation'] and row.get('exactly_what_fits', True)}"
        )
    print(
        f"\n{'target':<12} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7}  "
        f"(budget with {pages[0]['spending_rows']} spending rows)"
    )
    for row in pages:
        print(f"{row['target']:<12} {row['p50_ms']:>7} {row['p95_ms']:>7} {row['queries']:>7}")
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(
        json.dumps(
            {"measured_at": datetime.datetime.now(datetime.UTC).isoformat(), "writes": writes, "pages": pages}, indent=2
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
