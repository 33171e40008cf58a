"""Sustained load: signed-in users on gunicorn for a fixed time (Locust, headless), on 127.0.0.1.

What it measures: requests per second, errors, and p50/p95 per page that gunicorn answers to
``--users`` simulated users (default 50) for ``--seconds`` (default 60), each sending its next
request as soon as the last is answered: coordinators working their caseloads (the caseload
page, a client's page and the caseload API in equal parts, bench/locustfile.py), a few team
leads on the team review and a few clients on their portal home. Each user has a session made
here beforehand (``force_login``: no password hash in the measurement); a coordinator's client
pages are of clients in their own caseload. Any answer but a 200 counts as an error.

The server is production's: ``caseflow.settings.prod`` (WhiteNoise's manifest, the database
connection pool, Redis as the cache), gunicorn with ``caseflow/gunicorn.py`` (gthread,
``--workers`` processes of ``--threads`` threads, no access log), minus what needs TLS or a
phone: no HTTPS redirect and no second factor. Locust runs on the same machine and takes its
share of the cores; the quality bar's goal (quality.md) is 250 requests/s with 0 errors on
2 cores. Bounded: Locust stops after ``--seconds``, and the whole run is ended after twice that.

On a machine shared with other work, requests/s says as much about the others as about
Caseflow. So it also reports the CPU time spent per request by gunicorn's workers, by the
PostgreSQL backends serving them and by Locust (each process's own counters, which other load
does not inflate much), and what those make on idle cores: cores × 1000 ms / (CPU ms per
request), an upper bound of requests/s on this machine's cores if nothing else ran.

The database (default ``postgres://postgres@127.0.0.1:5432/caseflow_bench``) is created,
migrated and seeded (``seed --size small``) when needed, as by the other benches; the audit
rows the pages write stay in it. Figures go to ``bench/results/load.json``.

Run from the project root::

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--workers 2] [--threads 4]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from caseload import (  # noqa: E402  # the shared set-up of the benches
    DEFAULT_DATABASE_URL,
    BenchError,
    ensure_database,
    git_commit,
    set_up_django,
    without_password,
)

RESULTS_FILE = ROOT / "bench" / "results" / "load.json"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
PAGES = ("caseload page", "client page", "caseload API", "team review", "portal home")
GOAL_REQUESTS_PER_SECOND = 250
COORDINATOR_SESSIONS = 20  # the busiest coordinators, each in one or more simulated users
CLIENT_PAGES_PER_COORDINATOR = 20
START_SECONDS = 60


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=50, help="simulated users at once (default 50)")
    parser.add_argument("--seconds", type=int, default=60, help="how long the load lasts (default 60)")
    parser.add_argument("--leads", type=int, default=3, help="of the users, team leads (default 3)")
    parser.add_argument("--portal-clients", type=int, default=3, help="of the users, portal clients (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes (default 2: the cores)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process (default 4)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    args = parser.parse_args()
    if args.users <= args.leads + args.portal_clients:
        parser.error("--users must leave room for coordinators beside the leads and portal clients")
    return args


def session_cookie(user: Any) -> str:
    from django.conf import settings
    from django.test import Client as TestClient

    browser = TestClient()
    browser.force_login(user)
    return str(browser.cookies[settings.SESSION_COOKIE_NAME].value)


def write_plan(path: Path) -> dict[str, int]:
    """The sessions and pages of the simulated users, for bench/locustfile.py."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from accounts.models import Role, User
    from clients.models import Assignment
    from portal.models import PortalAccount

    coordinators = list(
        User.objects.filter(role=Role.COORDINATOR, is_active=True)
        .annotate(open=Count("assignments", filter=Q(assignments__ended_on__isnull=True)))
        .filter(open__gt=0)
        .order_by("-open", "pk")[:COORDINATOR_SESSIONS]
    )
    leads = list(User.objects.filter(role=Role.TEAM_LEAD, is_active=True).order_by("pk"))
    portal_users = [
        account.user
        for account in PortalAccount.objects.filter(user__isnull=False, user__is_active=True)
        .select_related("user")
        .order_by("pk")[:10]
    ]
    if not coordinators or not leads or not portal_users:
        raise BenchError("no coordinator with clients, team lead or portal client: is the database seeded?")

    def clients_of(coordinator: User) -> list[str]:
        ids = (
            Assignment.objects.filter(coordinator=coordinator, ended_on__isnull=True)
            .order_by("client_id")
            .values_list("client_id", flat=True)[:CLIENT_PAGES_PER_COORDINATOR]
        )
        return [reverse("client-detail", args=[pk]) for pk in ids]

    plan = {
        "urls": {
            "caseload": reverse("caseload"),
            "caseload_api": reverse("api-caseload"),
            "team_review": reverse("team-review"),
            "portal_home": reverse("portal-home"),
        },
        "coordinator": [{"cookie": session_cookie(user), "clients": clients_of(user)} for user in coordinators],
        "lead": [{"cookie": session_cookie(user)} for user in leads],
        "portal": [{"cookie": session_cookie(user)} for user in portal_users],
    }
    path.write_text(json.dumps(plan))
    return {"coordinators": len(coordinators), "leads": len(leads), "portal_clients": len(portal_users)}


def server_env(database_url: str, args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caseflow.settings.prod",
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECOND_FACTOR_REQUIRED": "false",
        "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/1"),
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_MAX_REQUESTS": "0",  # no worker replaced mid-run: its CPU time would be lost
        "LOG_LEVEL": "WARNING",
    }


def collect_static(env: dict[str, str]) -> None:
    """The manifest of hashed static file names that production's storage reads on every page."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str, cookie: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own loopback server)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gunicorn", "caseflow.wsgi", "-c", "python:caseflow.gunicorn"]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn stopped at start:\n{log.read_text()[-2000:]}")
        try:
            answers(f"http://127.0.0.1:{port}/healthz")
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise BenchError(f"gunicorn did not answer in {START_SECONDS} s")


def check_pages(host: str, plan: dict[str, Any]) -> None:
    """One request per kind of page before the load: a redirect (to sign-in or the second
    factor) would make every request an error."""
    urls = plan["urls"]
    firsts = [
        (plan["coordinator"][0]["cookie"], urls["caseload"]),
        (plan["coordinator"][0]["cookie"], urls["caseload_api"]),
        (plan["coordinator"][0]["cookie"], plan["coordinator"][0]["clients"][0]),
        (plan["lead"][0]["cookie"], urls["team_review"]),
        (plan["portal"][0]["cookie"], urls["portal_home"]),
    ]
    for cookie, url in firsts:
        status = answers(host + url, cookie)
        if status != 200:
            raise BenchError(f"GET {url} answered {status} before the load, not 200")


def database_backends(database_url: str) -> list[Any]:
    """The PostgreSQL processes of the server's connections (on this machine: 127.0.0.1)."""
    import environ
    import psutil
    import psycopg

    config = environ.Env.db_url_config(database_url)
    name = config["NAME"]
    with psycopg.connect(database_url.replace(f"/{name}", "/postgres", 1)) as connection:
        pids = [
            row[0]
            for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'"
                " AND pid <> pg_backend_pid()",
                [name],
            )
        ]
    return [psutil.Process(pid) for pid in pids]


def cpu_seconds(processes: list[Any]) -> dict[int, float]:
    import psutil

    used = {}
    for process in processes:
        try:
            times = process.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        used[process.pid] = times.user + times.system
    return used


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings by the processes of the second (a process new in
    between counts from zero)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def run_locust(args: argparse.Namespace, host: str, plan: Path, prefix: Path) -> None:
    env = {
        **os.environ,
        "LOAD_PLAN": str(plan),
        "LOAD_LEADS": str(args.leads),
        "LOAD_PORTAL_CLIENTS": str(args.portal_clients),
    }
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", host]
    command += ["--users", str(args.users), "--spawn-rate", str(args.users), "--run-time", f"{args.seconds}s"]
    command += ["--stop-timeout", "5", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]
    try:
        subprocess.run(command, cwd=ROOT, env=env, check=False, timeout=2 * args.seconds + 30)
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"Locust ran past {2 * args.seconds + 30} s and was ended") from error


def read_stats(prefix: Path) -> dict[str, dict[str, float]]:
    with Path(f"{prefix}_stats.csv").open(newline="") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    return {
        name: {
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "requests_per_second": round(float(row["Requests/s"]), 1),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
            "max_ms": round(float(row["Max Response Time"]), 1),
        }
        for name, row in rows.items()
        if name in (*PAGES, "Aggregated")
    }


def read_failures(prefix: Path) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as failures:
        return [f"{row['Occurrences']}× {row['Name']}: {row['Error']}" for row in csv.DictReader(failures)][:10]


def print_table(stats: dict[str, dict[str, float]]) -> None:
    print(f"{'page':15} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>8}")
    for name in (*PAGES, "Aggregated"):
        if name in stats:
            row = stats[name]
            print(
                f"{name:15} {row['requests']:9.0f} {row['errors']:7.0f} {row['requests_per_second']:7.1f} "
                f"{row['p50_ms']:7.0f} {row['p95_ms']:7.0f} {row['max_ms']:8.0f}"
            )


def main() -> int:
    args = parse_args()
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # the sessions made here are for the server
    with tempfile.TemporaryDirectory(prefix="caseflow-load-") as folder:
        work = Path(folder)
        server: subprocess.Popen[bytes] | None = None
        try:
            ensure_database(args.database_url)
            set_up_django(args.database_url)
            people = write_plan(work / "plan.json")
            env = server_env(args.database_url, args)
            collect_static(env)
            port = free_port()
            server = start_gunicorn(env, port, work / "gunicorn.log")
            host = f"http://127.0.0.1:{port}"
            check_pages(host, json.loads((work / "plan.json").read_text()))
            print(
                f"{args.users} users ({args.leads} team leads, {args.portal_clients} portal clients) for "
                f"{args.seconds} s on gunicorn ({args.workers} workers × {args.threads} threads), "
                f"{without_password(args.database_url)}.\n"
            )
            import psutil

            master = psutil.Process(server.pid)
            web_before = cpu_seconds(master.children())
            database_before = cpu_seconds(database_backends(args.database_url))
            locust_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            run_locust(args, host, work / "plan.json", work / "locust")
            locust_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = {
                "web": cpu_used(web_before, cpu_seconds(master.children())),
                "database": cpu_used(database_before, cpu_seconds(database_backends(args.database_url))),
                "locust": (locust_after.ru_utime + locust_after.ru_stime)
                - (locust_before.ru_utime + locust_before.ru_stime),
            }
            stats = read_stats(work / "locust")
            failures = read_failures(work / "locust")
        except BenchError as error:
            print(f"bench/load.py: {error}", file=sys.stderr)
            return 1
        finally:
            if server is not None:
                server.send_signal(signal.SIGTERM)
                server.wait(30)
    print_table(stats)
    for failure in failures:
        print(f"error: {failure}")
    total = stats["Aggregated"]
    held = total["requests_per_second"] >= GOAL_REQUESTS_PER_SECOND and total["errors"] == 0
    requests = max(total["requests"], 1)
    per_request = {key: round(seconds * 1000 / requests, 2) for key, seconds in cpu.items()}
    server_ms = per_request["web"] + per_request["database"]
    cores = os.cpu_count() or 1
    idle_server = cores * 1000 / server_ms if server_ms else 0.0
    idle_all = cores * 1000 / (server_ms + per_request["locust"]) if server_ms else 0.0
    print(
        f"\nCPU per request: gunicorn {per_request['web']:.1f} ms, PostgreSQL {per_request['database']:.1f} ms, "
        f"Locust {per_request['locust']:.1f} ms. On {cores} idle cores that makes at most "
        f"{idle_server:.0f} requests/s for the server alone, {idle_all:.0f} with Locust beside it."
    )
    print(
        f"{total['requests_per_second']:.1f} requests/s, {total['errors']:.0f} errors: goal "
        f"≥ {GOAL_REQUESTS_PER_SECOND} requests/s with 0 errors {'met' if held else 'NOT met'} "
        f"({os.cpu_count()} cores)."
    )
    report = {
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "database": without_password(args.database_url),
        "users": args.users,
        "seconds": args.seconds,
        "gunicorn": {"workers": args.workers, "threads": args.threads, "worker_class": "gthread"},
        "sessions": people,
        "goal_requests_per_second": GOAL_REQUESTS_PER_SECOND,
        "goal_met": held,
        "pages": stats,
        "cpu_ms_per_request": per_request,
        "idle_cores_requests_per_second": {"server": round(idle_server), "server_and_locust": round(idle_all)},
        "errors": failures,
    }
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Written to {RESULTS_FILE.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
