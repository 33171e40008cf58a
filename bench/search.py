"""Server time of client search: the search API and the selector behind it.

What it measures: for each kind of query below, as each of two users, the time one search
takes in this process, two ways:
- ``api``: ``django.test.Client`` GET of ``/api/v1/clients/search/?q=...`` (``api-client-search``)
  — the whole middleware stack, the DRF view, its SQL on PostgreSQL, the serializer — with no
  network and no WSGI server in between;
- ``selector``: the function the view calls, directly: ``clients.selectors.search_clients``
  for names, and for an identity code ``clients.selectors.find_by_identity_code``, as the view
  dispatches (a code is looked up exactly among all clients, not searched by name).
Warm: a persistent database connection, warm-up calls first, then ``--requests`` timed calls
per series (``time.perf_counter``), the series taking turns so that load elsewhere on a shared
machine weighs on all alike; each series cycles through its queries. It prints p50, p95, min
and max in milliseconds, the SQL queries per call (counted with ``CaptureQueriesContext`` on
separate, untimed calls), the hits per call and how often the client the query was made from
is among them ("found"), and writes the same figures as JSON to ``bench/results/search.json``.

Query kinds, built from the clients in the caseload of the coordinator with the largest
caseload (whom the user ``lead`` sees too, as their team lead):
- ``surname``: exact surnames;
- ``typo``: the same surnames with one vowel near the middle changed;
- ``no-diacritics``: surnames with å, ä or ö, typed in lower case as a, a, o;
- ``first+last``: first name and surname;
- ``identity-code``: an exact personal identity code.
Users: that coordinator, and the user ``lead``. Every search writes one access event (audit
row) per client shown; that is real work and stays inside the measurement.

Then it runs ``EXPLAIN (ANALYZE, BUFFERS)`` once of the name search's SQL for each user, as
the selector sends it (inside its transaction, with its ``pg_trgm.word_similarity_threshold``),
and prints whether the trigram index ``client_name_trigram`` is used (a bitmap index scan on
it) and the plan. When the planner prefers another plan, it explains the query again with
sequential scans disabled, to tell "not chosen here" from "cannot be used".

The database is set up as ``bench/caseload.py`` sets it up (the same helpers: created if
missing, migrated, seeded with ``seed --size small`` when it has no clients, ANALYZEd;
``caseflow.settings.dev`` with ``DEBUG=false``).

Run from the project root::

    .venv/bin/python bench/search.py [--requests N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from caseload import (
    DEFAULT_DATABASE_URL,
    ROOT,
    SETTINGS_MODULE,
    BenchError,
    busiest_coordinator,
    ensure_database,
    git_commit,
    queries_label,
    set_up_django,
    signed_in_client,
    without_password,
)

if TYPE_CHECKING:
    from django.test import Client as TestClient

    from accounts.models import User
    from clients.models import Client

RESULTS_FILE = ROOT / "bench" / "results" / "search.json"
WARMUP_CALLS = 5  # per query of every series
QUERIES_PER_KIND = 5
INDEX_NAME = "client_name_trigram"
KINDS = ("surname", "typo", "no-diacritics", "first+last", "identity-code")
PATHS = ("api", "selector")
# A typo: the vowel is swapped for a neighbouring one.
TYPO_VOWELS = {"a": "e", "e": "a", "i": "e", "o": "u", "u": "o", "y": "i", "ä": "e", "ö": "o", "å": "o"}
WITHOUT_DIACRITICS = str.maketrans({"å": "a", "ä": "a", "ö": "o"})


@dataclass
class Query:
    text: str
    client_id: int  # the client it was made from: "found" when among the hits


@dataclass
class Series:
    kind: str
    username: str
    path: str
    queries: list[Query]


@dataclass
class Profile:
    queries: list[int]  # SQL queries per call, one per search query of the series
    hits: list[int]  # clients found per call
    found: list[bool]  # whether the client the query came from is among them


@dataclass
class Result:
    series: Series
    samples_ms: list[float]
    profile: Profile

    def quantile(self, percent: int) -> float:
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[percent - 1]

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.series.kind,
            "username": self.series.username,
            "path": self.series.path,
            "queries_searched": [query.text for query in self.series.queries],
            "calls": len(self.samples_ms),
            "p50_ms": round(self.quantile(50), 3),
            "p95_ms": round(self.quantile(95), 3),
            "min_ms": round(min(self.samples_ms), 3),
            "max_ms": round(max(self.samples_ms), 3),
            "mean_ms": round(statistics.fmean(self.samples_ms), 3),
            **asdict(self.profile),
        }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=200, help="timed calls per series (default 200)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    args = parser.parse_args()
    if args.requests < 2:
        parser.error("--requests must be at least 2 to give percentiles")
    return args


def typo(surname: str) -> str:
    """The surname with the vowel nearest its middle changed (not the first letter)."""
    letters = list(surname)
    middle = len(letters) // 2
    for index in sorted(range(1, len(letters)), key=lambda i: (abs(i - middle), i)):
        replacement = TYPO_VOWELS.get(letters[index])
        if replacement is not None:
            letters[index] = replacement
            return "".join(letters)
    return surname[:-1]


def evenly(items: list[Client], count: int) -> list[Client]:
    """``count`` items spread over the list, the same ones on every run."""
    if len(items) <= count:
        return items
    return [items[index * len(items) // count] for index in range(count)]


def build_queries(coordinator: User) -> dict[str, list[Query]]:
    from clients import selectors

    clients = sorted(
        (assignment.client for assignment in selectors.caseload(coordinator=coordinator)),
        key=lambda client: (client.last_name, client.first_name, client.pk),
    )
    unique_surnames = list({client.last_name: client for client in clients}.values())
    accented = [client for client in unique_surnames if set(client.last_name.lower()) & set("åäö")]
    with_code = [client for client in clients if client.identity_code]
    if not unique_surnames or not with_code:
        raise BenchError(f"the caseload of {coordinator.username} has no client to search for")
    if not accented:
        raise BenchError(f"no surname with å, ä or ö in the caseload of {coordinator.username}")
    surnames = evenly(unique_surnames, QUERIES_PER_KIND)
    return {
        "surname": [Query(client.last_name, client.pk) for client in surnames],
        "typo": [Query(typo(client.last_name), client.pk) for client in surnames],
        "no-diacritics": [
            Query(client.last_name.lower().translate(WITHOUT_DIACRITICS), client.pk)
            for client in evenly(accented, QUERIES_PER_KIND)
        ],
        "first+last": [
            Query(f"{client.first_name} {client.last_name}", client.pk) for client in evenly(clients, QUERIES_PER_KIND)
        ],
        "identity-code": [Query(client.identity_code, client.pk) for client in evenly(with_code, QUERIES_PER_KIND)],
    }


def api_call(session: TestClient, series: Series) -> Callable[[Query], list[int]]:
    from django.urls import reverse

    url = reverse("api-client-search")

    def call(query: Query) -> list[int]:
        response = session.get(f"{url}?{urlencode({'q': query.text})}")
        if response.status_code != 200:
            raise BenchError(
                f"GET {url}?q={query.text} as {series.username!r} answered {response.status_code}, not 200"
            )
        return [row["id"] for row in response.json()]

    return call


def selector_call(user: User) -> Callable[[Query], list[int]]:
    from clients import selectors

    def call(query: Query) -> list[int]:
        if selectors.IDENTITY_CODE.match(query.text.strip()):
            found = selectors.find_by_identity_code(user=user, code=query.text)
            return [found.pk] if found else []
        return [client.pk for client in selectors.search_clients(user=user, query=query.text)]

    return call


def profile(call: Callable[[Query], list[int]], series: Series) -> Profile:
    """Warms the series up, then counts the SQL queries and hits of one untimed call per query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP_CALLS):
        for query in series.queries:
            call(query)
    counts: list[int] = []
    hits: list[int] = []
    found: list[bool] = []
    for query in series.queries:
        with CaptureQueriesContext(connection) as context:
            ids = call(query)
        counts.append(len(context.captured_queries))
        hits.append(len(ids))
        found.append(query.client_id in ids)
    return Profile(counts, hits, found)


def time_calls(runs: list[tuple[Callable[[Query], list[int]], Series]], requests: int) -> list[list[float]]:
    """``requests`` timed calls of each series, in milliseconds, the series taking turns."""
    samples: list[list[float]] = [[] for _ in runs]
    for number in range(requests):
        for index, (call, series) in enumerate(runs):
            query = series.queries[number % len(series.queries)]
            started = time.perf_counter()
            call(query)
            samples[index].append((time.perf_counter() - started) * 1000)
    return samples


def explain(user: User, query: str) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of the name search's SQL, as ``search_clients`` sends it."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from clients import selectors

    with CaptureQueriesContext(connection) as context:
        selectors.search_clients(user=user, query=query)
    statements = [
        captured["sql"]
        for captured in context.captured_queries
        if captured["sql"].startswith("SELECT") and "word_similarity(" in captured["sql"]
    ]
    if not statements:
        raise BenchError("search_clients ran no query with word_similarity: has the search changed?")
    sql = statements[0]

    def plan(*settings: str) -> list[str]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s", [selectors.NAME_SEARCH_THRESHOLD])
            for setting in settings:
                cursor.execute(setting)
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            return [row[0] for row in cursor.fetchall()]

    def uses_index(lines: list[str]) -> bool:
        return any("Bitmap Index Scan on " + INDEX_NAME in line for line in lines)

    lines = plan()
    report: dict[str, Any] = {
        "username": user.username,
        "query": query,
        "index_used": uses_index(lines),
        "plan": lines,
        "sql": sql,
    }
    if not report["index_used"]:
        forced = plan("SET LOCAL enable_seqscan = off")
        report["index_used_without_seqscan"] = uses_index(forced)
        report["plan_without_seqscan"] = forced
    return report


def print_table(results: list[Result]) -> None:
    headers = ("kind", "user", "path", "p50 ms", "p95 ms", "min ms", "max ms", "queries", "hits", "found")
    rows = [
        (
            result.series.kind,
            result.series.username,
            result.series.path,
            f"{result.quantile(50):.2f}",
            f"{result.quantile(95):.2f}",
            f"{min(result.samples_ms):.2f}",
            f"{max(result.samples_ms):.2f}",
            queries_label(result.profile.queries),
            queries_label(result.profile.hits),
            f"{sum(result.profile.found)}/{len(result.profile.found)}",
        )
        for result in results
    ]
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    left = 3  # kind, user and path are text
    for number, row in enumerate([headers, *rows]):
        cells = [cell.ljust(width) for cell, width in zip(row[:left], widths[:left], strict=True)]
        cells += [cell.rjust(width) for cell, width in zip(row[left:], widths[left:], strict=True)]
        print("  ".join(cells))
        if number == 0:
            print("  ".join("-" * width for width in widths))


def plan_outline(lines: list[str]) -> list[str]:
    """The part of a plan that says how the client rows are found: from the top down to the scan
    of ``clients_client`` with its conditions, and the timings (the access subplans are left
    to the JSON)."""
    outline: list[str] = []
    scan_indent: int | None = None
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if scan_indent is not None and indent <= scan_indent:
            break
        outline.append(line)
        if scan_indent is None and (INDEX_NAME in line or "Seq Scan on clients_client" in line):
            scan_indent = indent
    timings = [line for line in lines if line.startswith(("Planning Time", "Execution Time"))]
    return [*outline, "...", *timings]


def print_explains(explains: list[dict[str, Any]]) -> None:
    for report in explains:
        verdict = "used (Bitmap Index Scan)" if report["index_used"] else "NOT used"
        who = f"{report['username']!r} searching {report['query']!r}"
        print(f"\nEXPLAIN (ANALYZE, BUFFERS), {who}: {INDEX_NAME} {verdict}")
        for line in plan_outline(report["plan"]):
            print(f"  {line}")
        if not report["index_used"]:
            can = "used" if report["index_used_without_seqscan"] else "still NOT used"
            print(f"With enable_seqscan = off, {INDEX_NAME} is {can}:")
            for line in plan_outline(report["plan_without_seqscan"]):
                print(f"  {line}")
    print("\nThe whole plans are in the JSON.")


def write_report(args: argparse.Namespace, results: list[Result], explains: list[dict[str, Any]]) -> None:
    import django

    from clients.models import Client

    report = {
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "settings": SETTINGS_MODULE,
        "database": without_password(args.database_url),
        "data": {"clients": Client.objects.count()},
        "calls_per_series": args.requests,
        "warmup_calls_per_query": WARMUP_CALLS,
        "series": [result.summary() for result in results],
        "explain": explains,
    }
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nWritten to {RESULTS_FILE.relative_to(ROOT)}.")


def main() -> int:
    args = parse_args()
    try:
        ensure_database(args.database_url)
        set_up_django(args.database_url)
        from accounts.models import User

        coordinator, size = busiest_coordinator()
        try:
            lead = User.objects.get(username="lead")
        except User.DoesNotExist:
            raise BenchError("no user 'lead': the seed makes one; is this a seeded database?") from None
        queries = build_queries(coordinator)
        users = [coordinator, lead]
        runs: list[tuple[Callable[[Query], list[int]], Series]] = []
        for kind in KINDS:
            for user in users:
                for path in PATHS:
                    series = Series(kind, user.username, path, queries[kind])
                    call = api_call(signed_in_client(user), series) if path == "api" else selector_call(user)
                    runs.append((call, series))
        print(
            f"Timing {args.requests} calls per series after {WARMUP_CALLS} warm-up calls per query "
            f"on {without_password(args.database_url)}; coordinator {coordinator.username!r} "
            f"({size} open assignments), team lead 'lead'; {QUERIES_PER_KIND} queries per kind.\n"
        )
        profiles = [profile(call, series) for call, series in runs]
        samples = time_calls(runs, args.requests)
        results = [Result(series, ms, prof) for (_, series), ms, prof in zip(runs, samples, profiles, strict=True)]
        explains = [explain(user, queries["surname"][0].text) for user in users]
    except BenchError as error:
        print(f"bench/search.py: {error}", file=sys.stderr)
        return 1
    print_table(results)
    print_explains(explains)
    write_report(args, results, explains)
    return 0


if __name__ == "__main__":
    sys.exit(main())
