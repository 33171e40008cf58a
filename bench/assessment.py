"""Server time of a client's assessment pages and the due/overdue list.

Measured as bench/caseload.py measures (its set-up and helpers are reused): one GET answered
by ``django.test.Client`` in this process, warm, the targets taking turns, p50/p95/min/max in
milliseconds and the SQL queries per request counted on separate untimed requests.

Targets, on the small seed (database ``caseflow_bench`` unless ``--database-url``):
- ``/clients/<pk>/assessments/`` — the list, for the assessed client with the most assessments
  of the busiest coordinator's caseload;
- ``/assessments/<pk>/`` — that client's latest assessment with its life domains and week grid;
- ``/api/v1/assessments/<pk>/`` — the same through the API;
- ``/caseload/`` — the coordinator's caseload page, which carries the due/overdue list;
- ``/api/v1/assessments/due/`` — the due/overdue list alone.

Run from the project root::

    .venv/bin/python bench/assessment.py [--requests N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from caseload import (
    DEFAULT_DATABASE_URL,
    WARMUP_REQUESTS,
    BenchError,
    busiest_coordinator,
    ensure_database,
    set_up_django,
    signed_in_client,
)

RESULTS_FILE = Path(__file__).resolve().parent / "results" / "assessment.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    args = parser.parse_args()
    ensure_database(args.database_url)
    set_up_django(args.database_url)

    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from access.policy import Ground
    from assessments.models import Assessment
    from assessments.selectors import due_assessments
    from clients.models import Assignment

    coordinator, caseload = busiest_coordinator()
    clients = Assignment.objects.filter(coordinator=coordinator, ended_on__isnull=True).values("client")
    busiest = (
        Assessment.objects.filter(client__in=clients)
        .values("client")
        .annotate(n=Count("*"))
        .order_by("-n", "client")
        .first()
    )
    if busiest is None:
        raise BenchError("the coordinator's clients have no assessments: is the seed current?")
    latest = Assessment.objects.filter(client=busiest["client"]).order_by("-started_on", "-pk").first()
    assert latest is not None
    targets = {
        "assessment list page": reverse("client-assessments", args=[busiest["client"]]),
        "assessment page": reverse("assessment-detail", args=[latest.pk]),
        "assessment API": reverse("api-assessment-detail", args=[latest.pk]),
        "caseload page with the due list": reverse("caseload"),
        "due/overdue API": reverse("api-assessments-due"),
    }
    client = signed_in_client(coordinator)
    queries = {}
    for name, url in targets.items():
        for _ in range(WARMUP_REQUESTS):
            response = client.get(url)
            if response.status_code != 200:
                raise BenchError(f"{name}: GET {url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[name] = len(captured)
    samples: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(args.requests):
        for name, url in targets.items():
            started = time.perf_counter()
            client.get(url)
            samples[name].append((time.perf_counter() - started) * 1000)
    due = due_assessments(coordinator, viewer=coordinator, ground=Ground.DESIGNATED_COORDINATOR)
    print(
        f"Coordinator {coordinator.username}: {caseload} open clients, {len(due)} assessments due or coming up; "
        f"client {busiest['client']}: {busiest['n']} assessments, latest with {latest.needs.count()} life domains."
    )
    print(f"{'target':34} {'p50 ms':>8} {'p95 ms':>8} {'min':>7} {'max':>7} {'queries':>8}")
    report = {}
    for name, values in samples.items():
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        row = {"p50_ms": cuts[49], "p95_ms": cuts[94], "min_ms": min(values), "max_ms": max(values)}
        report[name] = {**row, "queries": queries[name], "requests": len(values)}
        print(
            f"{name:34} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['min_ms']:7.1f} {row['max_ms']:7.1f} "
            f"{queries[name]:8d}"
        )
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(f"bench/assessment.py: {error}")
