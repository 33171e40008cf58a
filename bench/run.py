"""Every row of the quality bar's speed table (docs/quality.md), measured on the large data set,
with the growth figure from the medium one: ``make bench``.

The databases: ``caseflow_bench_large`` and ``caseflow_bench_medium`` on the server of
``--server-url`` (default ``postgres://postgres@127.0.0.1:5432``), built with
``manage.py seed --size large|medium`` (under ``nice -n 10``) when missing, and kept between
runs: a database is reused when its comment names the seed's ``SEED_VERSION`` (a bump in
``caseflow/seed_version.py`` rebuilds it; ``--rebuild`` forces it). Each run migrates them (new
migrations only). The benches write audit rows, reminders and a few PDFs' plans into them, as
a real day would.

The rows, each measured in a subprocess of its own (``--measure SIZE --rows …``, settings
``caseflow.settings.dev`` with ``DEBUG=false``, in-process ``django.test.Client`` requests, warm:
warm-up requests first, then ``--requests`` timed ones; SQL queries counted on separate,
untimed requests), reusing the helpers of the single benches (``caseload.py``,
``client_portal.py``, ``team_review.py``, ``pdf.py``, ``sweep.py``, ``search.py``):

- ``caseload``: /caseload/ as the coordinator with the largest caseload (150 clients); queries
  compared with the smallest caseload's ("constant");
- ``caseload-api``: /api/v1/caseload/, the same coordinator;
- ``overview``: /clients/<pk>/ of a client in that caseload;
- ``team-review``: /team/review/ as ``lead`` (two teams, 20 coordinators); ``team-xlsx``: the
  XLSX of their open clients;
- ``portal-home`` and ``who-has-looked``: /oma/ and /oma/who-has-looked/ as ``asiakas1``, whose
  record is topped up to 2,000 staff access rows; queries compared with ``asiakas2``'s;
- ``sweep`` and ``sweep-rerun``: ``reminders.services.sweep`` as it runs every day on a live
  system, which finds yesterday's reminders there and creates only what became due today: each
  round deletes every reminder, sweeps with ``today`` = yesterday (untimed) and VACUUM ANALYZEs
  the reminders (as autovacuum would have overnight), then times today's first sweep and its
  rerun (which must create nothing). ``cold`` in the row's figures (shown in the value column):
  the first sweep of an empty reminders table, every reminder created (~94,000);
- ``pdf``: a 5-page plan rendered in a warm process (the plan made and rolled back);
  peak RSS of that process;
- ``search-name`` and ``search-code``: /api/v1/clients/search/ by surname and by identity
  code, as the busiest coordinator (no goal in the quality bar: figures only);
- ``load``: the hook for the load test. When ``bench/load.py`` exists it is run as
  ``bench/load.py --database-url URL`` and is expected to write ``bench/results/load.json``
  with ``requests_per_s``, ``errors``, ``p50_ms`` and ``p95_ms``; otherwise the row says so;
- ``growth``: the caseload page's p50 on the large set over its p50 on the medium one;
- ``overhead``: the caseload API's p50 over the p50 of the bare SQL reading the same rows —
  the SELECT statements the API sent, replayed on a raw cursor.

It prints one table (goal, p50, p95, SQL queries, pass/fail) and writes
``bench/results/bench.json`` (the table) and ``bench/results/bench-<size>.json`` (each size's
raw figures). Run from the project root::

    .venv/bin/python bench/run.py [--requests N] [--rows caseload,pdf,...] [--rebuild]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
RESULTS = BENCH / "results"
SERVER_URL = "postgres://postgres@127.0.0.1:5432"
SETTINGS_MODULE = "caseflow.settings.dev"
WARMUP = 10
LOG_ROWS = 2000
# key: (what, goal as written in quality.md)
ROWS: dict[str, tuple[str, str]] = {
    "caseload": ("coordinator's caseload page, 150 clients", "p95 ≤ 60 ms, queries constant"),
    "caseload-api": ("caseload API page", "p95 ≤ 40 ms, queries constant"),
    "overview": ("one client's overview page", "p95 ≤ 80 ms"),
    "team-review": ("team lead's review, 20 coordinators", "p95 ≤ 150 ms"),
    "team-xlsx": ("XLSX of the team's open clients", "≤ 2 s"),
    "portal-home": ("the client's portal home", "p95 ≤ 80 ms"),
    "who-has-looked": ("'who has looked', 2,000 access rows", "p95 ≤ 100 ms, queries constant"),
    "sweep": ("reminder sweep over all clients", "≤ 2 s"),
    "sweep-rerun": ("reminder sweep, rerun", "creates nothing"),
    "pdf": ("5-page plan PDF, warm worker", "median ≤ 0.3 s, peak ≤ 250 MB"),
    "load": ("50 concurrent users, 60 s", "0 errors, ≥ 250 requests/s"),
    "growth": ("growth: caseload page, 10,000 vs 100,000 clients", "ratio ≤ 1.2"),
    "overhead": ("overhead: caseload API vs bare SQL", "ratio ≤ 3"),
    "search-name": ("search by name (API)", "— (no goal)"),
    "search-code": ("search by identity code (API)", "— (no goal)"),
}
MEDIUM_ROWS = ["caseload"]
# Rows measured in a process of their own (the PDF's peak memory is the process's).
ALONE = {"pdf"}


def database_url(size: str, server: str) -> str:
    """``BENCH_DATABASE`` names another database to measure (a copy made with ``CREATE DATABASE
    … TEMPLATE caseflow_bench_large``, say, to try a change beside the kept set)."""
    return f"{server.rstrip('/')}/{os.environ.get('BENCH_DATABASE') or f'caseflow_bench_{size}'}"


# The parent: databases, subprocesses, the table.


def marker(size: str) -> str:
    sys.path.insert(0, str(ROOT))
    from caseflow.seed_version import SEED_VERSION

    return f"caseflow seed --size {size}, version {SEED_VERSION}"


def ensure_built(size: str, server: str, *, rebuild: bool) -> None:
    """Builds the data set of ``size`` unless its database carries the current marker."""
    import psycopg
    from psycopg import sql

    name = f"caseflow_bench_{size}"
    url = database_url(size, server)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, "DEBUG": "false"}
    python = sys.executable
    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if row is not None and row[0] == marker(size) and not rebuild:
            print(f"{name}: reused ({row[0]})", flush=True)
            subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
            vacuum_once(url, name)
            return
        if row is not None:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"{name}: building the {size} data set", flush=True)
    started = time.perf_counter()
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(["nice", "-n", "10", python, "manage.py", "seed", "--size", size], cwd=ROOT, env=env, check=True)
    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(marker(size))))
    vacuum_once(url, name)
    print(f"{name}: built in {time.perf_counter() - started:.0f} s", flush=True)


def vacuum_once(url: str, name: str) -> None:
    """VACUUM (ANALYZE) a data set never vacuumed, as autovacuum does a live database after a
    load: until then no page is marked all-visible and no index-only scan is possible, which
    the county's queries are planned for (and our machines run PostgreSQL with autovacuum off)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT last_vacuum IS NULL AND last_autovacuum IS NULL FROM pg_stat_user_tables"
            " WHERE relname = 'clients_client'"
        ).fetchone()
        if row is None or not row[0]:
            return
        print(f"{name}: VACUUM (ANALYZE)", flush=True)
        started = time.perf_counter()
        conn.execute("VACUUM (ANALYZE)")
        print(f"{name}: vacuumed in {time.perf_counter() - started:.0f} s", flush=True)


def measure_in_subprocess(size: str, rows: list[str], args: argparse.Namespace) -> dict[str, Any]:
    out = RESULTS / f".bench-{size}-{'-'.join(rows)}.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--measure",
        size,
        "--rows",
        ",".join(rows),
        "--requests",
        str(args.requests),
        "--server-url",
        args.server_url,
        "--out",
        str(out),
    ]
    completed = subprocess.run(command, cwd=ROOT, check=False)
    if completed.returncode != 0 or not out.exists():
        return {row: {"error": f"the measuring process ended with {completed.returncode}"} for row in rows}
    figures: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    return figures


def run_load(server: str) -> dict[str, Any]:
    script = BENCH / "load.py"
    if not script.exists():
        return {"error": "not measured: bench/load.py is not there yet"}
    completed = subprocess.run(
        [sys.executable, str(script), "--database-url", database_url("large", server)], cwd=ROOT, check=False
    )
    result_file = RESULTS / "load.json"
    if completed.returncode != 0 or not result_file.exists():
        return {"error": f"bench/load.py ended with {completed.returncode}"}
    # bench/load.py's report: Locust's figures per page, "Aggregated" for all of them.
    total: dict[str, Any] = json.loads(result_file.read_text())["pages"]["Aggregated"]
    rps, errors = total["requests_per_second"], total["errors"]
    return {
        "p50_ms": total["p50_ms"],
        "p95_ms": total["p95_ms"],
        "value": f"{rps} req/s, {errors} errors",
        "pass": errors == 0 and rps >= 250,
    }


def sweep_value(sweep: dict[str, Any]) -> str:
    """The sweep row's value column: what the day's first sweep created, and the cold sweep's
    figures (every reminder deleted first)."""
    value = f"{sweep['created']} new today"
    cold = sweep.get("cold")
    if cold:
        value += f"; cold p50 {cold['p50_ms']:.0f} ms, p95 {cold['p95_ms']:.0f} ms, {cold['created']} reminders"
    return value


def judge(large: dict[str, Any], medium: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The table's rows: the figures and whether each meets its goal."""
    table: dict[str, dict[str, Any]] = {}

    def row(key: str, **values: Any) -> None:
        what, goal = ROWS[key]
        table[key] = {"what": what, "goal": goal, **values}

    def timed(key: str, p95_goal: float, *, constant: bool = False) -> None:
        figures = large.get(key)
        if not figures or "error" in figures:
            row(key, error=(figures or {}).get("error", "not measured"), passed=None)
            return
        ok = figures["p95_ms"] <= p95_goal
        if constant and "queries_small" in figures:
            ok = ok and figures["queries"] == figures["queries_small"]
        queries = f"{figures['queries']}" + (
            f" (small {figures['queries_small']})" if "queries_small" in figures else ""
        )
        row(key, p50_ms=figures["p50_ms"], p95_ms=figures["p95_ms"], queries=queries, passed=ok)
        table[key]["miss"] = None if ok else f"p95 {figures['p95_ms'] / p95_goal:.2f}× the goal"

    timed("caseload", 60, constant=True)
    timed("caseload-api", 40, constant=True)
    timed("overview", 80)
    timed("team-review", 150)
    timed("team-xlsx", 2000)
    timed("portal-home", 80)
    timed("who-has-looked", 100, constant=True)
    sweep = large.get("sweep")
    if sweep and "error" not in sweep:
        ok = sweep["p95_ms"] <= 2000
        cold = sweep.get("cold")
        row("sweep", p50_ms=sweep["p50_ms"], p95_ms=sweep["p95_ms"], value=sweep_value(sweep), cold=cold, passed=ok)
        table["sweep"]["miss"] = None if ok else f"{sweep['p95_ms'] / 2000:.2f}× the goal"
        rerun = sweep["rerun"]
        row(
            "sweep-rerun",
            p50_ms=rerun["p50_ms"],
            p95_ms=rerun["p95_ms"],
            value=f"{rerun['created']} created",
            passed=rerun["created"] == 0,
        )
    else:
        row("sweep", error=(sweep or {}).get("error", "not measured"), passed=None)
        row("sweep-rerun", error="not measured", passed=None)
    pdf = large.get("pdf")
    if pdf and "error" not in pdf:
        ok = pdf["p50_ms"] <= 300 and pdf["peak_rss_mb"] <= 250
        row(
            "pdf",
            p50_ms=pdf["p50_ms"],
            p95_ms=pdf["p95_ms"],
            value=f"{pdf['pages']} pages, peak {pdf['peak_rss_mb']} MB",
            passed=ok,
        )
    else:
        row("pdf", error=(pdf or {}).get("error", "not measured"), passed=None)
    load = large.get("load") or {"error": "not measured"}
    if "error" in load:
        row("load", error=load["error"], passed=None)
    else:
        row("load", p50_ms=load["p50_ms"], p95_ms=load["p95_ms"], value=load["value"], passed=load["pass"])
    big, small = large.get("caseload"), medium.get("caseload")
    if big and small and "error" not in big and "error" not in small:
        ratio = big["p50_ms"] / small["p50_ms"]
        row(
            "growth",
            value=f"{ratio:.2f} (p50 {small['p50_ms']} → {big['p50_ms']} ms)",
            ratio=round(ratio, 3),
            passed=ratio <= 1.2,
        )
    else:
        row("growth", error="not measured on both sizes", passed=None)
    overhead = large.get("overhead")
    if overhead and "error" not in overhead:
        ratio = overhead["api_p50_ms"] / overhead["sql_p50_ms"]
        row(
            "overhead",
            p50_ms=overhead["sql_p50_ms"],
            value=f"{ratio:.2f} ({overhead['api_p50_ms']} ms / {overhead['sql_p50_ms']} ms)",
            ratio=round(ratio, 3),
            queries=str(overhead["selects"]),
            passed=ratio <= 3,
        )
    else:
        row("overhead", error=(overhead or {}).get("error", "not measured"), passed=None)
    for key in ("search-name", "search-code"):
        figures = large.get(key)
        if figures and "error" not in figures:
            row(key, p50_ms=figures["p50_ms"], p95_ms=figures["p95_ms"], queries=str(figures["queries"]), passed=None)
        else:
            row(key, error=(figures or {}).get("error", "not measured"), passed=None)
    return {key: table[key] for key in ROWS if key in table}


def print_table(table: dict[str, dict[str, Any]]) -> None:
    headers = ("row", "goal", "p50 ms", "p95 ms", "queries", "result", "")
    lines = []
    for key, row in table.items():
        verdict = "—" if row.get("passed") is None else "pass" if row["passed"] else "FAIL"
        note = row.get("error") or row.get("value") or ""
        if row.get("miss"):
            note = f"{note} {row['miss']}".strip()
        lines.append(
            (
                key,
                row["goal"],
                f"{row['p50_ms']:.1f}" if isinstance(row.get("p50_ms"), int | float) else "",
                f"{row['p95_ms']:.1f}" if isinstance(row.get("p95_ms"), int | float) else "",
                str(row.get("queries", "")),
                verdict,
                note,
            )
        )
    widths = [max(len(str(line[i])) for line in [headers, *lines]) for i in range(len(headers))]
    for line in [headers, *lines]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


# The measuring process.


def set_up(size: str, server: str) -> None:
    os.environ["DATABASE_URL"] = database_url(size, server)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Identity-code lookups are limited per user and minute (a protection, not a cost): the
    # benches make hundreds.
    os.environ["IDENTITY_LOOKUPS_PER_MINUTE"] = "1000000"
    warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from rest_framework.throttling import SimpleRateThrottle

    # The API's per-user rate limit (600/min) would answer the benches' hundreds of requests a
    # minute with 429; the throttle's own cache round trip stays in the measurement.
    SimpleRateThrottle.THROTTLE_RATES = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES, "1000000/min")


def quantiles(samples: list[float]) -> dict[str, float]:
    cut = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else samples * 99
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(cut[94], 2),
        "min_ms": round(min(samples), 2),
        "max_ms": round(max(samples), 2),
        "samples": len(samples),
    }


def timed_gets(client: Any, url: str, count: int, warmup: int = WARMUP) -> list[float]:
    for _ in range(warmup):
        ok(client.get(url), url)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        ok(response, url)
    return samples


def ok(response: Any, url: str) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")


def count_queries(client: Any, url: str) -> int:
    from client_portal import queries

    return int(queries(client, url))


def page_row(client: Any, url: str, requests: int, **extra: Any) -> dict[str, Any]:
    samples = timed_gets(client, url, requests)
    return {"url": url, **quantiles(samples), "queries": count_queries(client, url), **extra}


def measure_caseload(requests: int) -> dict[str, Any]:
    from caseload import busiest_coordinator, signed_in_client, smallest_caseload_queries
    from django.urls import reverse

    from clients import selectors

    coordinator, size = busiest_coordinator()
    browser = signed_in_client(coordinator)
    small = smallest_caseload_queries()
    figures: dict[str, Any] = {}
    figures["caseload"] = page_row(
        browser,
        reverse("caseload"),
        requests,
        caseload=size,
        queries_small=small["page"],
        small_caseload=small["caseload"],
    )
    figures["caseload-api"] = page_row(
        browser, reverse("api-caseload"), requests, caseload=size, queries_small=small["api"]
    )
    client = selectors.caseload(coordinator=coordinator).order_by("client__last_name", "client_id").first()
    assert client is not None
    figures["overview"] = page_row(browser, reverse("client-detail", args=[client.client_id]), requests)
    figures["overhead"] = overhead(browser, reverse("api-caseload"), requests)
    return figures


# django-pghistory puts its context before each write of a request, as a SELECT of set_config.
PGHISTORY_CONTEXT = re.compile(
    r"SELECT set_config\('pghistory\.context_id', '[^']*', true\), "
    r"set_config\('pghistory\.context_metadata', '(?:[^']|'')*', true\); "
)


def reads(sql: str) -> bool:
    """Whether a statement only reads: a SELECT or WITH, after pghistory's context if any (the
    access log's INSERT, with that context first, was replayed as a read and counted as bare SQL)."""
    return PGHISTORY_CONTEXT.sub("", sql, count=1).lstrip().upper().startswith(("SELECT", "WITH"))


def overhead(browser: Any, url: str, requests: int) -> dict[str, Any]:
    """The API's p50 beside the p50 of its own SELECTs replayed on a raw cursor."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ok(browser.get(url), url)
    with CaptureQueriesContext(connection) as context:
        ok(browser.get(url), url)
    selects = [q["sql"] for q in context.captured_queries if reads(q["sql"])]
    api = timed_gets(browser, url, requests)

    def replay() -> None:
        with connection.cursor() as cursor:
            for statement in selects:
                cursor.execute(statement)
                cursor.fetchall()

    for _ in range(WARMUP):
        replay()
    bare = []
    for _ in range(requests):
        started = time.perf_counter()
        replay()
        bare.append((time.perf_counter() - started) * 1000)
    return {
        "api_p50_ms": round(statistics.median(api), 2),
        "sql_p50_ms": round(statistics.median(bare), 3),
        "selects": len(selects),
        "statements_of_the_api": len(context.captured_queries),
    }


def measure_team(requests: int) -> dict[str, Any]:
    from caseload import request_host
    from django.test import Client as TestClient
    from django.urls import reverse

    from accounts.models import User
    from teams import review

    lead = User.objects.get(username="lead")
    teams = review.reviewed_teams(lead)
    result = review.build_review(teams)
    browser = TestClient(SERVER_NAME=request_host())
    browser.force_login(lead)
    size = {"coordinators": len(result.rows), "open_clients": sum(r.open_clients for r in result.rows)}
    xlsx = reverse("team-review-export", args=["clients", "xlsx"]) + "?metric=open"
    return {
        "team-review": page_row(browser, reverse("team-review-figures"), requests, **size),
        "team-xlsx": {
            "url": xlsx,
            **quantiles(timed_gets(browser, xlsx, 5, warmup=1)),
            "queries": count_queries(browser, xlsx),
            **size,
        },
    }


def measure_portal(requests: int) -> dict[str, Any]:
    from caseload import request_host
    from client_portal import spread_new_rows, staff_rows
    from django.test import Client as TestClient
    from django.urls import reverse

    from portal.models import PortalAccount

    account = PortalAccount.objects.select_related("client", "user").get(user__username="asiakas1")
    missing = LOG_ROWS - staff_rows(account.client)
    if missing > 0:
        spread_new_rows(account.client, missing)
    few = PortalAccount.objects.select_related("client", "user").get(user__username="asiakas2")
    browser, other = TestClient(SERVER_NAME=request_host()), TestClient(SERVER_NAME=request_host())
    assert account.user is not None
    assert few.user is not None
    browser.force_login(account.user)
    other.force_login(few.user)
    home, log = reverse("portal-home"), reverse("portal-log")
    ok(other.get(log), log)
    return {
        "portal-home": page_row(browser, home, requests),
        "who-has-looked": page_row(
            browser,
            log,
            requests,
            rows=staff_rows(account.client),
            queries_small=count_queries(other, log),
            rows_small=staff_rows(few.client),
        ),
    }


def measure_sweep(rounds: int = 3) -> dict[str, Any]:
    """The day's first sweep (yesterday's reminders in place) and its rerun, and the cold sweep
    (no reminder at all), each timed ``rounds`` times."""
    from django.db import connection
    from django.utils import timezone

    from reminders import services
    from reminders.models import DeliveryAttempt, Reminder

    def emptied() -> None:
        DeliveryAttempt.objects.all().delete()
        Reminder.objects.all().delete()
        vacuumed()

    def vacuumed() -> None:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE reminders_reminder")

    def timed(samples: list[float]) -> int:
        started = time.perf_counter()
        created = services.sweep(queue=False).total_created
        samples.append((time.perf_counter() - started) * 1000)
        return created

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    cold: list[float] = []
    first: list[float] = []
    rerun: list[float] = []
    cold_created = created = rerun_created = 0
    for _ in range(rounds):
        emptied()
        cold_created = timed(cold)
        emptied()
        services.sweep(today=yesterday, queue=False)
        vacuumed()
        created = timed(first)
        rerun_created = max(rerun_created, timed(rerun))
    return {
        "sweep": {
            **quantiles(first),
            "created": created,
            "rerun": {**quantiles(rerun), "created": rerun_created},
            "cold": {**quantiles(cold), "created": cold_created},
        }
    }


def measure_pdf(renders: int = 20) -> dict[str, Any]:
    import logging

    from django.db import transaction
    from pdf import max_rss_mb, page_count, plan_of_pages

    import clients.factories
    from care_plans.tasks import render_pdf

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    factory = clients.factories.ClientFactory

    class WithoutCode(factory):  # type: ignore[misc,valid-type]
        # The factory's artificial codes are already taken by the seeded clients (unique).
        identity_code = ""

    clients.factories.ClientFactory = WithoutCode  # type: ignore[misc]
    with transaction.atomic():  # the plan is made for the bench and rolled back
        try:
            pk, goals, pages = plan_of_pages(5)
        finally:
            clients.factories.ClientFactory = factory  # type: ignore[misc]
        for _ in range(3):
            render_pdf(pk)
        samples = []
        for _ in range(renders):
            started = time.perf_counter()
            content = render_pdf(pk)
            samples.append((time.perf_counter() - started) * 1000)
        transaction.set_rollback(True)
    return {
        "pdf": {
            **quantiles(samples),
            "pages": page_count(content),
            "goals": goals,
            "peak_rss_mb": round(max_rss_mb(), 1),
            "wanted_pages": pages,
        }
    }


def measure_search(requests: int) -> dict[str, Any]:
    from caseload import busiest_coordinator, signed_in_client
    from search import Series, api_call, build_queries, profile, time_calls

    coordinator, _size = busiest_coordinator()
    queries = build_queries(coordinator)
    session = signed_in_client(coordinator)
    figures: dict[str, Any] = {}
    for key, kind in (("search-name", "surname"), ("search-code", "identity-code")):
        series = Series(kind, coordinator.username, "api", queries[kind])
        call = api_call(session, series)
        counted = profile(call, series)
        samples = time_calls([(call, series)], requests)[0]
        figures[key] = {
            **quantiles(samples),
            "queries": max(counted.queries),
            "hits": counted.hits,
            "found": all(counted.found),
        }
    return figures


MEASURES: dict[str, Callable[[int], dict[str, Any]]] = {
    "caseload": measure_caseload,
    "team": measure_team,
    "portal": measure_portal,
    "sweep": lambda _requests: measure_sweep(),
    "pdf": lambda _requests: measure_pdf(),
    "search": measure_search,
}
# Which measure gives which row.
GIVES = {
    "caseload": ["caseload", "caseload-api", "overview", "overhead"],
    "team": ["team-review", "team-xlsx"],
    "portal": ["portal-home", "who-has-looked"],
    "sweep": ["sweep", "sweep-rerun"],
    "pdf": ["pdf"],
    "search": ["search-name", "search-code"],
}


def measure(size: str, rows: list[str], args: argparse.Namespace) -> None:
    set_up(size, args.server_url)
    results: dict[str, Any] = {}
    for name, function in MEASURES.items():
        if not set(GIVES[name]) & set(rows):
            continue
        print(f"  {size}: {name}", flush=True)
        try:
            results.update(function(args.requests))
        except Exception as error:  # a row that fails is reported, the others still run
            results.update({key: {"error": f"{type(error).__name__}: {error}"} for key in GIVES[name]})
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page (default 100)")
    parser.add_argument("--rows", default="", help=f"comma-separated rows (default all): {', '.join(ROWS)}")
    parser.add_argument("--rebuild", action="store_true", help="build the data sets again")
    parser.add_argument("--server-url", default=SERVER_URL)
    parser.add_argument("--measure", choices=["large", "medium"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.requests < 2:
        parser.error("--requests must be at least 2")
    return args


def main() -> int:
    args = parse_args()
    rows = [row for row in args.rows.split(",") if row] or list(ROWS)
    unknown = set(rows) - set(ROWS)
    if unknown:
        print(f"unknown rows: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    if args.measure:
        measure(args.measure, rows, args)
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    sizes = ["large", "medium"] if "growth" in rows else ["large"]
    for size in sizes:
        ensure_built(size, args.server_url, rebuild=args.rebuild)
    large: dict[str, Any] = {}
    together = [row for row in rows if row not in ALONE and row not in ("load", "growth")]
    if "growth" in rows and "caseload" not in together:
        together.append("caseload")
    if together:
        large.update(measure_in_subprocess("large", together, args))
    for row in ALONE & set(rows):
        large.update(measure_in_subprocess("large", [row], args))
    if "load" in rows:
        large["load"] = run_load(args.server_url)
    medium = measure_in_subprocess("medium", MEDIUM_ROWS, args) if "medium" in sizes else {}
    partial = set(rows) != set(ROWS)
    if partial:
        # Some rows again: the others keep their last figures (marked with their time).
        for size, figures in (("large", large), ("medium", medium)):
            earlier = RESULTS / f"bench-{size}.json"
            if earlier.exists():
                kept = json.loads(earlier.read_text())
                figures.update({key: value for key, value in kept.items() if key not in figures})
    table = judge(large, medium)
    print()
    print_table(table)
    stamp = {
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average": os.getloadavg(),
        "requests": args.requests,
    }
    (RESULTS / "bench-large.json").write_text(json.dumps({**stamp, **large}, indent=2, ensure_ascii=False))
    if medium:
        (RESULTS / "bench-medium.json").write_text(json.dumps({**stamp, **medium}, indent=2, ensure_ascii=False))
    (RESULTS / "bench.json").write_text(json.dumps({**stamp, "rows": table}, indent=2, ensure_ascii=False))
    print(f"\nwritten to {(RESULTS / 'bench.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
