"""Server time of the client's portal: its home page, and "who has looked at my data" for a
client with 2,000 access-log rows (quality.md: p95 ≤ 80 ms and ≤ 100 ms, the latter with a
constant number of SQL queries).

What it measures: as ``bench/caseload.py`` does, the time ``django.test.Client`` takes to answer
one GET in this process (the whole middleware stack, the view, its SQL on PostgreSQL, the
template), warm, the targets taking turns; p50, p95, min and max in milliseconds. Queries are
counted with ``CaptureQueriesContext`` on untimed requests, for the log page both for the
client with 2,000 rows and for another demo client with 30, to show the count does not grow.
Every portal read writes one access event (the client's own read), which stays inside the
measurement.

The database (default ``postgres://postgres@127.0.0.1:5432/caseflow_bench``) is created if
missing, migrated and seeded with ``seed --size small`` (which gives ``asiakas1`` the portal);
the bench then tops ``asiakas1``'s client up to 2,000 staff access rows over the last two
years. Figures also go to ``bench/results/portal.json``.

Run from the project root::

    .venv/bin/python bench/client_portal.py [--requests N] [--database-url URL]

(Not ``bench/portal.py``: the other benches put ``bench/`` first on ``sys.path``, where a
``portal.py`` would shadow the ``portal`` app.)
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from caseload import (  # noqa: E402  # the shared set-up of the benches
    DEFAULT_DATABASE_URL,
    WARMUP_REQUESTS,
    ensure_database,
    request_host,
    set_up_django,
)

RESULTS_FILE = ROOT / "bench" / "results" / "portal.json"
LOG_ROWS = 2000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per target (default 200)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    return parser.parse_args()


def spread_new_rows(client: Any, rows: int) -> None:
    """Inserts ``rows`` staff access events spread over the last two years."""
    from django.db import connection
    from django.utils import timezone

    from access import partitions
    from accounts.models import User

    staff_ids = list(
        User.objects.exclude(role__in=["client", "administrator"]).order_by("pk").values_list("pk", flat=True)[:10]
    )
    now = timezone.now()
    whats = ["client.overview", "care_plan_version", "assessment", "budget", "client.network", "meeting"]
    values = [
        (
            now - datetime.timedelta(minutes=525 * i),
            staff_ids[i % len(staff_ids)],
            client.pk,
            "view",
            whats[i % len(whats)],
            "team_lead",
            "",
        )
        for i in range(rows)
    ]
    # The months of these rows as partitions of their own, as a deployment's history has them.
    oldest = now - datetime.timedelta(minutes=525 * max(rows - 1, 0))
    partitions.ensure_partitions(first=timezone.localdate(oldest), last=timezone.localdate(now))
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO access_accessevent (at, actor_id, client_id, action, what, ground, reason)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            values,
        )


def staff_rows(client: Any) -> int:
    from django.utils import timezone

    from access import portal
    from access.models import AccessEvent

    since = timezone.now() - datetime.timedelta(days=729)
    return AccessEvent.objects.filter(client=client, at__gte=since).exclude(ground=portal.OWN_PORTAL).count()


def timed(browser: Any, urls: dict[str, str], requests: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {key: [] for key in urls}
    for _ in range(WARMUP_REQUESTS):
        for url in urls.values():
            browser.get(url)
    for _ in range(requests):
        for key, url in urls.items():
            start = time.perf_counter()
            response = browser.get(url)
            samples[key].append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
    return samples


def queries(browser: Any, url: str) -> int:
    """The queries of one request on every database alias: the team lead's figures read from
    the replica, which the default connection alone does not see."""
    from contextlib import ExitStack

    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    with ExitStack() as stack:
        captured = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections]
        browser.get(url)
    return sum(len(context) for context in captured)


def main() -> None:
    args = parse_args()
    ensure_database(args.database_url)
    set_up_django(args.database_url)
    from django.test import Client as TestClient
    from django.urls import reverse

    from portal.models import PortalAccount

    if not PortalAccount.objects.filter(user__username="asiakas1").exists():
        # A bench database seeded before the portal existed: give the demo clients the portal.
        import random

        from django.utils import timezone

        from accounts.models import User
        from portal.demo_data import seed_portal

        rng = random.Random(1)  # noqa: S311  # demo data, not secrets
        seed_portal(rng=rng, today=timezone.localdate(), demo=User.objects.get(username="coordinator"))
    account = PortalAccount.objects.select_related("client", "user").get(user__username="asiakas1")
    missing = LOG_ROWS - staff_rows(account.client)
    if missing > 0:
        spread_new_rows(account.client, missing)
    browser = TestClient(HTTP_HOST=request_host())
    assert account.user is not None
    browser.force_login(account.user)
    home, log = reverse("portal-home"), reverse("portal-log")
    rows_at_2000 = staff_rows(account.client)
    counts = {"home": queries(browser, home), "who-has-looked": queries(browser, log)}
    samples = timed(browser, {"home": home, "who-has-looked": log}, args.requests)
    # The same page for a client with few rows: the count must not differ.
    few = PortalAccount.objects.select_related("client", "user").get(user__username="asiakas2")
    assert few.user is not None
    if staff_rows(few.client) < 30:
        spread_new_rows(few.client, 30 - staff_rows(few.client))
    other = TestClient(HTTP_HOST=request_host())
    other.force_login(few.user)
    counts_few = queries(other, log)
    results: dict[str, Any] = {"log_rows": rows_at_2000, "log_rows_of_the_other": staff_rows(few.client)}
    for key, values in samples.items():
        cut = statistics.quantiles(values, n=100, method="inclusive")
        results[key] = {
            "requests": len(values),
            "p50_ms": round(cut[49], 2),
            "p95_ms": round(cut[94], 2),
            "min_ms": round(min(values), 2),
            "max_ms": round(max(values), 2),
            "queries": counts[key],
        }
    results["who-has-looked"]["queries_with_few_rows"] = counts_few
    for key in ("home", "who-has-looked"):
        figures = results[key]
        print(
            f"{key:15} p50 {figures['p50_ms']:7.2f} ms  p95 {figures['p95_ms']:7.2f} ms  "
            f"min {figures['min_ms']:6.2f}  max {figures['max_ms']:7.2f}  queries {figures['queries']}"
        )
    print(
        f"who-has-looked rows {rows_at_2000}: {counts['who-has-looked']} queries; "
        f"{results['log_rows_of_the_other']} rows: {counts_few} queries"
    )
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
