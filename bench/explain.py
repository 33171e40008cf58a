"""EXPLAIN (ANALYZE, BUFFERS) of the slowest SQL statements behind one row of the speed table,
on the large data set: the evidence for each fix (``bench/explain/<row>.txt``).

What it does: signs in as the row's user (the same people ``bench/run.py`` measures with), makes
the request once to warm up and once with its statements captured, then runs ``EXPLAIN
(ANALYZE, BUFFERS)`` on the ``--top`` slowest of them (inside a transaction that is rolled back,
so that an INSERT explained leaves nothing behind) and writes the plans, each under its own
time and SQL, to ``bench/explain/<row>[-<label>].txt``. For ``sweep`` it does what the bench
measures as the day's first sweep: it deletes every reminder, sweeps with ``today`` = yesterday
and VACUUM ANALYZEs the reminders (kept), then runs today's sweep with its statements captured
(rolled back) and explains them; ``--cold`` explains the sweep of an empty reminders table instead.
``BENCH_DATABASE`` names another database to explain (as for ``bench/run.py``).

Run from the project root, on a database ``bench/run.py`` built::

    .venv/bin/python bench/explain.py team-review [--label before] [--top 5]
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
OUT = BENCH / "explain"
EXPLAINED = ("SELECT", "WITH", "INSERT", "UPDATE")
ROWS = ("caseload", "caseload-api", "overview", "team-review", "portal-home", "who-has-looked", "sweep")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("row", choices=ROWS)
    parser.add_argument("--label", default="", help="added to the file's name, e.g. before/after")
    parser.add_argument("--top", type=int, default=5, help="how many of the slowest statements (default 5)")
    parser.add_argument("--size", choices=["large", "medium"], default="large")
    parser.add_argument("--server-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--cold", action="store_true", help="sweep: explain the sweep of an empty reminders table")
    return parser.parse_args()


def page_target(row: str) -> tuple[Any, str]:
    """The signed-in test client and the URL of a page row."""
    from caseload import busiest_coordinator, request_host, signed_in_client
    from django.test import Client as TestClient
    from django.urls import reverse

    from accounts.models import User
    from clients import selectors
    from portal.models import PortalAccount

    if row in ("caseload", "caseload-api", "overview"):
        coordinator, _size = busiest_coordinator()
        browser = signed_in_client(coordinator)
        if row == "caseload":
            return browser, reverse("caseload")
        if row == "caseload-api":
            return browser, reverse("api-caseload")
        first = selectors.caseload(coordinator=coordinator).order_by("client__last_name", "client_id").first()
        assert first is not None
        return browser, reverse("client-detail", args=[first.client_id])
    browser = TestClient(SERVER_NAME=request_host())
    if row == "team-review":
        browser.force_login(User.objects.get(username="lead"))
        return browser, reverse("team-review-figures")
    account = PortalAccount.objects.select_related("user").get(user__username="asiakas1")
    assert account.user is not None
    browser.force_login(account.user)
    return browser, reverse("portal-home" if row == "portal-home" else "portal-log")


def captured(row: str, *, cold: bool = False) -> tuple[float, list[dict[str, Any]]]:
    """The row's statements with their times (ms) and connection (the team lead's figures read
    from the replica's), and the whole request's (or sweep's) time."""
    from contextlib import ExitStack

    from django.db import connections, transaction
    from django.test.utils import CaptureQueriesContext

    def every_connection(stack: ExitStack) -> list[tuple[str, CaptureQueriesContext]]:
        return [(alias, stack.enter_context(CaptureQueriesContext(connections[alias]))) for alias in connections]

    def statements(contexts: list[tuple[str, CaptureQueriesContext]]) -> list[dict[str, Any]]:
        return [{**query, "alias": alias} for alias, context in contexts for query in context.captured_queries]

    if row == "sweep":
        from django.db import connection
        from django.utils import timezone

        from reminders import services
        from reminders.models import DeliveryAttempt, Reminder

        DeliveryAttempt.objects.all().delete()
        Reminder.objects.all().delete()
        if not cold:
            services.sweep(today=timezone.localdate() - datetime.timedelta(days=1), queue=False)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE reminders_reminder")
        with transaction.atomic():
            with ExitStack() as stack:
                contexts = every_connection(stack)
                started = time.perf_counter()
                services.sweep(queue=False)
                total = (time.perf_counter() - started) * 1000
            transaction.set_rollback(True)
        return total, statements(contexts)
    browser, url = page_target(row)
    if browser.get(url).status_code != 200:
        raise SystemExit(f"GET {url} did not answer 200")
    with ExitStack() as stack:
        contexts = every_connection(stack)
        started = time.perf_counter()
        response = browser.get(url)
        total = (time.perf_counter() - started) * 1000
    assert response.status_code == 200
    return total, statements(contexts)


def explain(sql: str, alias: str) -> str:
    from django.db import connections, transaction

    with transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(line for (line,) in cursor.fetchall())
        transaction.set_rollback(True, using=alias)
    return plan


def main() -> int:
    args = parse_args()
    from run import database_url, set_up

    set_up(args.size, args.server_url)
    total, statements = captured(args.row, cold=args.cold)
    slowest = sorted(statements, key=lambda q: float(q["time"]), reverse=True)[: args.top]
    sql_total = sum(float(q["time"]) for q in statements) * 1000
    lines = [
        f"# {args.row}{' (cold)' if args.cold else ''} on {database_url(args.size, args.server_url).rsplit('/', 1)[-1]}"
        f"{f' ({args.label})' if args.label else ''}, "
        f"{datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')}",
        f"# whole request {total:.1f} ms, {len(statements)} statements, {sql_total:.1f} ms of them in SQL",
        "",
    ]
    for number, query in enumerate(slowest, 1):
        sql = query["sql"]
        lines += [
            f"## {number}. {float(query['time']) * 1000:.1f} ms ({query['alias']})",
            sql if len(sql) < 4000 else sql[:4000] + " …",
            "",
            explain(sql, query["alias"]) if sql.lstrip().upper().startswith(EXPLAINED) else "(not explained)",
            "",
        ]
    OUT.mkdir(exist_ok=True)
    name = f"{args.row}{f'-{args.label}' if args.label else ''}.txt"
    (OUT / name).write_text("\n".join(lines))
    print("\n".join(lines[:2]))
    print(f"written to {(OUT / name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
