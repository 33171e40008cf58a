"""Server time of the caseload pages, the caseload API and the team lead's review page.

What it measures: for each target below, the time ``django.test.Client`` takes to answer one
GET in this process — the whole middleware stack (sessions, auth, CSP, htmx, pghistory,
axes), the view or DRF endpoint, its SQL on PostgreSQL, the template or serializer — with
no network and no WSGI server in between. Warm: a persistent database connection, warm-up
requests first, then ``--requests`` timed requests per target (``time.perf_counter``), the
targets taking turns so that load elsewhere on a shared machine weighs on all alike.
It prints p50, p95, min and max in milliseconds and the number of SQL queries per request
(counted with ``CaptureQueriesContext`` on separate, untimed requests so that the debug
cursor does not inflate the timings), and writes the same figures as JSON to
``bench/results/caseload.json``.

Targets:
- ``/caseload/`` (``caseload``), also with ``?sort=age``, ``?sort=deadline`` (by the pending
  assessment deadline) and ``?q=<part of a name>``, as the coordinator with the largest current
  caseload (the most open assignments);
- ``/api/v1/caseload/`` (``api-caseload``), as the same coordinator;
- ``/team/`` (``team-review``), as the user ``lead``.
The caseload views write one access event (audit row) per client shown on every request;
that is real work and stays inside the measurement.

The database (default ``postgres://postgres@127.0.0.1:5432/caseflow_bench``) is created if
missing, migrated, seeded with ``seed --size small`` when it has no clients, and ANALYZEd;
settings are ``caseflow.settings.dev`` with ``DEBUG=false``. Every audit row written here
stays in that database (the access log is append-only).

Run from the project root::

    .venv/bin/python bench/caseload.py [--requests N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from django.http.response import HttpResponseBase
    from django.test import Client as TestClient

    from accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
RESULTS_FILE = ROOT / "bench" / "results" / "caseload.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/caseflow_bench"
SETTINGS_MODULE = "caseflow.settings.dev"
WARMUP_REQUESTS = 10
COUNTED_REQUESTS = 3  # per target, untimed, inside CaptureQueriesContext
SLOWEST_QUERIES_KEPT = 3


class BenchError(Exception):
    """A condition under which the figures would mean nothing; the run stops."""


@dataclass
class Target:
    key: str
    name: str
    url: str
    username: str
    caseload: int  # open assignments behind the page (for the team page: of all its coordinators)
    shown: int  # rows the response lists (clients; for the team page: coordinators)
    audited: bool  # whether each request writes one access event per client shown


@dataclass
class Profile:
    queries: list[int]  # per counted request
    audit_rows_per_request: float
    slowest_queries: list[dict[str, Any]]  # of the last counted request; times to 1 ms only


@dataclass
class Result:
    target: Target
    samples_ms: list[float]
    profile: Profile

    def quantile(self, percent: int) -> float:
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[percent - 1]

    def summary(self) -> dict[str, Any]:
        return {
            **asdict(self.target),
            "requests": len(self.samples_ms),
            "p50_ms": round(self.quantile(50), 3),
            "p95_ms": round(self.quantile(95), 3),
            "min_ms": round(min(self.samples_ms), 3),
            "max_ms": round(max(self.samples_ms), 3),
            "mean_ms": round(statistics.fmean(self.samples_ms), 3),
            **asdict(self.profile),
        }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per target (default 200)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    args = parser.parse_args()
    if args.requests < 2:
        parser.error("--requests must be at least 2 to give percentiles")
    return args


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def ensure_database(url: str) -> None:
    """Creates the database named in ``url`` unless it exists, through the ``postgres`` one."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise BenchError(f"{without_password(url)} is not a PostgreSQL URL")
    name = config["NAME"]
    options = {key: value for key, value in config.get("OPTIONS", {}).items() if isinstance(value, str | int)}
    params: dict[str, Any] = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        **options,
    }
    try:
        with psycopg.connect(autocommit=True, **params) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except psycopg.errors.DuplicateDatabase:
                return  # created meanwhile by someone else
            print(f"Created database {name}.")
    except psycopg.OperationalError as error:
        raise BenchError(
            f"cannot reach PostgreSQL for {without_password(url)} (is it running? `make services`): {error}"
        ) from error


def set_up_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    # Without DEBUG Django keeps no log of every query; the counts come from CaptureQueriesContext.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no INFO lines from django-axes on force_login
    # WhiteNoise warns that STATIC_ROOT is missing: no static file is requested here.
    warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    if settings.DEBUG:
        raise BenchError("DEBUG is on; the figures would include Django's query log")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed", size="small")
    # Fresh statistics for the planner: a server may run without autovacuum, and the plans
    # of a never-analysed table are not the ones production gets.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def request_host() -> str:
    """A host name the settings allow: the test client's ``testserver`` is not among them."""
    from django.conf import settings

    for host in settings.ALLOWED_HOSTS:
        return "localhost" if host == "*" else host.lstrip(".")
    raise BenchError("ALLOWED_HOSTS is empty: no request would be answered")


def signed_in_client(user: User) -> TestClient:
    from django.test import Client as TestClient

    # A server error becomes a 500 answered (its traceback logged), which ``check`` reports.
    client = TestClient(SERVER_NAME=request_host(), raise_request_exception=False)
    client.force_login(user)
    return client


def check(response: HttpResponseBase, target: Target) -> None:
    if response.status_code != 200:
        where = f" (to {response.headers['Location']})" if response.has_header("Location") else ""
        raise BenchError(
            f"{target.name}: GET {target.url} as {target.username!r} answered {response.status_code}{where}, not 200"
        )


def get(client: TestClient, target: Target) -> None:
    check(client.get(target.url), target)


def busiest_coordinator() -> tuple[User, int]:
    """The coordinator with the most open assignments (the largest current caseload)."""
    from django.db.models import Count

    from accounts.models import Role, User
    from clients.models import Assignment

    row = (
        Assignment.objects.filter(ended_on__isnull=True, coordinator__role=Role.COORDINATOR)
        .values("coordinator")
        .annotate(n=Count("*"))
        .order_by("-n", "coordinator")
        .first()
    )
    if row is None:
        raise BenchError("no coordinator has an open assignment: is the database seeded?")
    return User.objects.get(pk=row["coordinator"]), row["n"]


def name_fragment(coordinator: User) -> str:
    """The most common three-letter start of a surname in the caseload, so that the search
    matches several clients but not all."""
    from clients import selectors

    surnames = selectors.caseload(coordinator=coordinator).values_list("client__last_name", flat=True)
    counts = Counter(surname[:3].lower() for surname in surnames if len(surname) >= 3)
    if not counts:
        raise BenchError(f"no surname to search for in the caseload of {coordinator.username}")
    return counts.most_common(1)[0][0]


def build_targets() -> tuple[list[Target], dict[str, User]]:
    from django.urls import reverse
    from rest_framework.settings import api_settings

    from accounts.models import User
    from clients import selectors, views
    from teams.selectors import led_team_members

    coordinator, size = busiest_coordinator()
    try:
        lead = User.objects.get(username="lead")
    except User.DoesNotExist:
        raise BenchError("no user 'lead': the seed makes one; is this a seeded database?") from None
    fragment = name_fragment(coordinator)
    page_size = views.CASELOAD_PAGE_SIZE
    api_page_size = int(api_settings.PAGE_SIZE or size)
    matching = selectors.caseload(coordinator=coordinator, search=fragment).count()
    members = list(led_team_members(lead))

    def caseload_page(key: str, name: str, query: dict[str, str], matching: int) -> Target:
        url = reverse("caseload") + (f"?{urlencode(query)}" if query else "")
        return Target(key, name, url, coordinator.username, size, min(matching, page_size), audited=True)

    targets = [
        caseload_page("page", "caseload page", {}, size),
        caseload_page("page-age", "caseload page, sort=age", {"sort": "age"}, size),
        caseload_page("page-deadline", "caseload page, sort=deadline", {"sort": "deadline"}, size),
        caseload_page("page-search", f"caseload page, q={fragment}", {"q": fragment}, matching),
        Target(
            "api",
            "caseload API",
            reverse("api-caseload"),
            coordinator.username,
            size,
            min(size, api_page_size),
            audited=True,
        ),
        Target(
            "team",
            "team review page",
            reverse("team-review"),
            lead.username,
            sum(member.caseload_size for member in members),  # type: ignore[attr-defined]
            len(members),
            audited=False,
        ),
    ]
    return targets, {coordinator.username: coordinator, lead.username: lead}


def profile(client: TestClient, target: Target) -> Profile:
    """Warms the target up, then counts its queries and audit rows over a few untimed requests
    (the debug cursor of ``CaptureQueriesContext`` would weigh on the timings)."""
    from django.db import connection
    from django.db.models import Max
    from django.test.utils import CaptureQueriesContext

    from access.models import AccessEvent

    for _ in range(WARMUP_REQUESTS):
        get(client, target)
    last_event = AccessEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    counts: list[int] = []
    captured: list[dict[str, str]] = []
    for _ in range(COUNTED_REQUESTS):
        with CaptureQueriesContext(connection) as context:
            get(client, target)
        counts.append(len(context.captured_queries))
        captured = context.captured_queries
    audit_rows = AccessEvent.objects.filter(pk__gt=last_event).count() / COUNTED_REQUESTS
    slowest = sorted(captured, key=lambda query: float(query["time"]), reverse=True)[:SLOWEST_QUERIES_KEPT]
    return Profile(counts, audit_rows, [{"ms": float(query["time"]) * 1000, "sql": query["sql"]} for query in slowest])


def time_requests(runs: list[tuple[TestClient, Target]], requests: int) -> list[list[float]]:
    """``requests`` timed GETs of each target, in milliseconds. The targets take turns, one
    request each, so that a burst of load elsewhere on the machine falls on all of them."""
    samples: list[list[float]] = [[] for _ in runs]
    for _ in range(requests):
        for index, (client, target) in enumerate(runs):
            started = time.perf_counter()
            response = client.get(target.url)
            elapsed = time.perf_counter() - started
            check(response, target)
            samples[index].append(elapsed * 1000)
    return samples


def smallest_caseload_queries() -> dict[str, int]:
    """Queries per request of the caseload page and API for the smallest non-empty caseload,
    to set beside the busiest one's: equal counts mean no query per client (within a page)."""
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import Role, User
    from clients.models import Assignment

    row = (
        Assignment.objects.filter(ended_on__isnull=True, coordinator__role=Role.COORDINATOR)
        .values("coordinator")
        .annotate(n=Count("*"))
        .order_by("n", "coordinator")
        .first()
    )
    if row is None:
        raise BenchError("no coordinator has an open assignment")
    user = User.objects.get(pk=row["coordinator"])
    client = signed_in_client(user)
    figures = {"caseload": row["n"]}
    for key, url in (("page", reverse("caseload")), ("api", reverse("api-caseload"))):
        target = Target(key, f"caseload {key}", url, user.username, row["n"], row["n"], audited=True)
        get(client, target)
        with CaptureQueriesContext(connection) as context:
            get(client, target)
        figures[key] = len(context.captured_queries)
    return figures


def git_commit() -> str | None:
    completed = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    return completed.stdout.strip() or None


def queries_label(counts: list[int]) -> str:
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high}"


def print_table(results: list[Result]) -> None:
    headers = ("target", "caseload", "shown", "p50 ms", "p95 ms", "min ms", "max ms", "queries")
    rows = [
        (
            result.target.name,
            str(result.target.caseload),
            str(result.target.shown),
            f"{result.quantile(50):.2f}",
            f"{result.quantile(95):.2f}",
            f"{min(result.samples_ms):.2f}",
            f"{max(result.samples_ms):.2f}",
            queries_label(result.profile.queries),
        )
        for result in results
    ]
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    for number, row in enumerate([headers, *rows]):
        cells = [row[0].ljust(widths[0]), *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))]
        print("  ".join(cells))
        if number == 0:
            print("  ".join("-" * width for width in widths))


def print_notes(results: list[Result], by_size: list[dict[str, int]]) -> None:
    for result in results:
        expected = result.target.shown if result.target.audited else 0
        if result.profile.audit_rows_per_request != expected:
            print(
                f"note: {result.target.name} wrote {result.profile.audit_rows_per_request:g} audit rows per request, "
                f"expected {expected}"
            )
        if len(set(result.profile.queries)) > 1:
            print(f"note: {result.target.name} ran {queries_label(result.profile.queries)} queries per request")
    sizes = "; ".join(f"{row['caseload']} clients: page {row['page']}, API {row['api']}" for row in by_size)
    print(f"\nQueries per request by caseload size: {sizes}")


def write_report(args: argparse.Namespace, results: list[Result], by_size: list[dict[str, int]]) -> None:
    import django

    from clients.models import Assignment, Client

    report = {
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "settings": SETTINGS_MODULE,
        "database": without_password(args.database_url),
        "data": {
            "clients": Client.objects.count(),
            "open_assignments": Assignment.objects.filter(ended_on__isnull=True).count(),
        },
        "requests_per_target": args.requests,
        "warmup_requests": WARMUP_REQUESTS,
        "targets": [result.summary() for result in results],
        "queries_by_caseload_size": by_size,
    }
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Written to {RESULTS_FILE.relative_to(ROOT)}.")


def main() -> int:
    args = parse_args()
    try:
        ensure_database(args.database_url)
        set_up_django(args.database_url)
        targets, users = build_targets()
        sessions = {username: signed_in_client(user) for username, user in users.items()}
        coordinator = targets[0]
        print(
            f"Timing {args.requests} requests per target after {WARMUP_REQUESTS} warm-up requests "
            f"on {without_password(args.database_url)}; coordinator {coordinator.username!r} "
            f"({coordinator.caseload} open assignments), team lead 'lead'.\n"
        )
        runs = [(sessions[target.username], target) for target in targets]
        profiles = [profile(client, target) for client, target in runs]
        samples = time_requests(runs, args.requests)
        results = [Result(target, ms, prof) for target, ms, prof in zip(targets, samples, profiles, strict=True)]
        by_key = {result.target.key: result.profile.queries[-1] for result in results}
        by_size = [
            {"caseload": coordinator.caseload, "page": by_key["page"], "api": by_key["api"]},
            smallest_caseload_queries(),
        ]
    except BenchError as error:
        print(f"bench/caseload.py: {error}", file=sys.stderr)
        return 1
    print_table(results)
    print_notes(results, by_size)
    write_report(args, results, by_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
