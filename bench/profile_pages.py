"""Where a page's time goes: a pyinstrument profile of the caseload page, a client's page and the
caseload API, in this process (``django.test.Client``, no server), on the bench database.

Each page is requested ``--requests`` times (default 100) after a warm-up, by the coordinator
with the largest caseload (for the client page: the clients of that caseload in turn). It
prints, per page, the CPU time per request (``time.process_time``: less moved by other load on
a shared machine than the wall clock), the SQL queries per request, and the profile's call
tree (functions under 2 % of the time left out), and writes the trees to
``bench/results/profile-<page>.txt``. Settings, data and database as bench/caseload.py.

Run from the project root::

    .venv/bin/python bench/profile_pages.py [--requests N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from caseload import (  # noqa: E402  # the shared set-up of the benches
    DEFAULT_DATABASE_URL,
    BenchError,
    busiest_coordinator,
    ensure_database,
    set_up_django,
    signed_in_client,
)

RESULTS = ROOT / "bench" / "results"
WARMUP_REQUESTS = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=100, help="profiled requests per page (default 100)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    return parser.parse_args()


def pages() -> tuple[Any, dict[str, list[str]]]:
    from django.urls import reverse

    from clients.models import Assignment

    coordinator, _size = busiest_coordinator()
    clients = Assignment.objects.filter(coordinator=coordinator, ended_on__isnull=True).values_list("client", flat=True)
    return coordinator, {
        "caseload": [reverse("caseload")],
        "client": [reverse("client-detail", args=[pk]) for pk in clients.order_by("client")[:20]],
        "caseload-api": [reverse("api-caseload")],
    }


def get(browser: Any, url: str) -> None:
    response = browser.get(url)
    if response.status_code != 200:
        raise BenchError(f"GET {url} answered {response.status_code}")


def queries(browser: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        get(browser, url)
    return len(captured)


def main() -> int:
    from pyinstrument import Profiler

    args = parse_args()
    try:
        ensure_database(args.database_url)
        set_up_django(args.database_url)
        coordinator, urls = pages()
        browser = signed_in_client(coordinator)
        RESULTS.mkdir(parents=True, exist_ok=True)
        for name, page_urls in urls.items():
            for number in range(WARMUP_REQUESTS):
                get(browser, page_urls[number % len(page_urls)])
            counted = queries(browser, page_urls[0])
            cpu: list[float] = []
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for number in range(args.requests):
                started = time.process_time()
                get(browser, page_urls[number % len(page_urls)])
                cpu.append((time.process_time() - started) * 1000)
            profiler.stop()
            tree = profiler.output_text(show_all=False, color=False, unicode=True, time="percent_of_total")
            (RESULTS / f"profile-{name}.txt").write_text(tree)
            print(f"== {name}: CPU {statistics.median(cpu):.1f} ms per request (median), {counted} queries")
            print(tree)
    except BenchError as error:
        print(f"bench/profile_pages.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
