"""Render time and peak memory of a 5-page care plan PDF in a warm worker.

What it measures: ``care_plans.tasks.render_pdf`` — what the Celery task does for one version:
reading the version with its goals, actions, services and disagreements from PostgreSQL,
rendering the HTML in the client's language, and WeasyPrint laying it out and writing a tagged
PDF (PDF/UA) — called repeatedly in one process after warm-up renders, as a worker that has
rendered before does. Storing the bytes is left out (one UPDATE).

The plan is made once: a client with a published version whose goals are added until the PDF
has exactly ``--pages`` pages (5 by default), checked with pypdf. Figures:
- wall time per render (``time.perf_counter``): median, p95, min, max in milliseconds;
- peak memory: the process's maximum resident set size (``resource.getrusage``, which includes
  WeasyPrint's C libraries: Pango, HarfBuzz, cairo-free layout) before and after the timed
  renders, and the Python-level peak of one render (``tracemalloc``, measured on separate,
  untimed renders because tracing slows them).
Written as JSON to ``bench/results/pdf.json``.

The database (default ``postgres://postgres@127.0.0.1:5432/caseflow_pdf_bench``) is created if
missing and migrated; settings are ``caseflow.settings.dev``. No broker is used.

Run from the project root::

    .venv/bin/python bench/pdf.py [--renders N] [--pages N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import logging
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_FILE = ROOT / "bench" / "results" / "pdf.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/caseflow_pdf_bench"
WARMUP_RENDERS = 3
TRACED_RENDERS = 2


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--renders", type=int, default=30, help="timed renders (default 30)")
    parser.add_argument("--pages", type=int, default=5, help="pages of the plan (default 5)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    return parser.parse_args()


def ensure_database(url: str) -> None:
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    params: dict[str, Any] = {
        "dbname": "postgres",
        "user": config.get("USER") or "postgres",
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "autocommit": True,
    }
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    with psycopg.connect(**params) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def set_up_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "caseflow.settings.dev"
    os.environ.setdefault("DEBUG", "false")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def page_count(content: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(content)).pages)


def make_plan(goals: int) -> int:
    """A published version with ``goals`` goals (three actions each), three services and two
    disagreements; returns its primary key."""
    from access.policy import Ground
    from accounts.factories import CoordinatorFactory
    from assessments import configuration
    from assessments.models import LifeDomain, ScaleLevel
    from care_plans import services as plan_services
    from clients.factories import AssignmentFactory, ClientFactory

    if not LifeDomain.objects.exists():
        configuration.install(LifeDomain, ScaleLevel)
    coordinator = CoordinatorFactory()
    client = ClientFactory(preferred_language="fi")
    AssignmentFactory(client=client, coordinator=coordinator, started_on=datetime.date(2025, 1, 1))
    ground = Ground.DESIGNATED_COORDINATOR
    draft = plan_services.start_plan(client=client, by=coordinator, ground=ground)
    goal_items = [
        {
            "key": None,
            "client_words": f"Haluan pärjätä kotona omin voimin, tavoite {n + 1}: aamut, kauppa ja ulkoilu.",
            "professional_words": "Arjen toimintakyvyn ylläpito, liikkumisen ja asioinnin tuki. " * 2,
            "actions": [
                {"text": f"Toimenpide {n + 1}.{m + 1}: kotikäynti ja harjoitteet", "responsible": "client"}
                for m in range(3)
            ],
        }
        for n in range(goals)
    ]
    services = [
        {
            "service": name,
            "provider": "Palvelu Oy",
            "amount": "2 käyntiä päivässä",
            "slots": [{"weekday": d, "time_of_day": "morning"} for d in range(7)],
            "backup": "Tytär käy",
        }
        for name in ("Kotihoito", "Ateriapalvelu", "Päivätoiminta")
    ]
    draft = plan_services.save_draft(
        version=draft,
        by=coordinator,
        ground=ground,
        revision=draft.revision,
        content={
            "client_wishes": "Haluan asua kotona ja päättää itse päivästäni. " * 6,
            "strengths_client": "Olen sinnikäs ja minulla on hyvät naapurit. " * 3,
            "strengths_professional": "Motivoitunut, hyvä verkosto, muisti hyvä. " * 3,
            "backup_plan": "Jos kotihoito ei tule, tytär Liisa käy ja soittaa palveluohjaajalle. " * 3,
            "goals": goal_items,
            "services": services,
        },
    )
    goal_key = str(draft.goals.first().key)  # type: ignore[union-attr]
    draft = plan_services.save_draft(
        version=draft,
        by=coordinator,
        ground=ground,
        revision=draft.revision,
        content={
            "disagreements": [
                {
                    "subject": "goal",
                    "goal": goal_key,
                    "client_position": "En tarvitse iltakäyntiä.",
                    "professional_position": "Iltakäynti on tarpeen kaatumisriskin vuoksi.",
                    "reasons": "Kaksi kaatumista keväällä.",
                },
                {
                    "subject": "plan",
                    "client_position": "Haluan vähemmän käyntejä.",
                    "professional_position": "Käyntejä tarvitaan nykyinen määrä.",
                    "reasons": "Aamu- ja iltatoimet vievät kumpikin puoli tuntia.",
                },
            ]
        },
    )
    plan_services.queue_pdf = lambda pk: True  # type: ignore[assignment]  # no broker here
    plan_services.publish_version(version=draft, by=coordinator, ground=ground, revision=draft.revision)
    return draft.pk


def plan_of_pages(pages: int) -> tuple[int, int, int]:
    """A version whose PDF has exactly ``pages`` pages: (its pk, goals, pages)."""
    from care_plans.tasks import render_pdf

    goals = 6
    for _ in range(40):
        pk = make_plan(goals)
        got = page_count(render_pdf(pk))
        if got == pages:
            return pk, goals, got
        goals = goals + 1 if got < pages else goals - 1
    raise SystemExit(f"could not make a plan of {pages} pages")


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    args = parse_args()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its progress lines, per page
    ensure_database(args.database_url)
    set_up_django(args.database_url)
    from care_plans.tasks import render_pdf

    pk, goals, pages = plan_of_pages(args.pages)
    for _ in range(WARMUP_RENDERS):
        render_pdf(pk)
    rss_warm = max_rss_mb()
    samples = []
    size = 0
    for _ in range(args.renders):
        start = time.perf_counter()
        size = len(render_pdf(pk))
        samples.append((time.perf_counter() - start) * 1000)
    rss_after = max_rss_mb()
    traced = []
    for _ in range(TRACED_RENDERS):
        tracemalloc.start()
        render_pdf(pk)
        traced.append(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    samples.sort()
    result = {
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "pages": pages,
        "goals": goals,
        "pdf_bytes": size,
        "renders": len(samples),
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(statistics.quantiles(samples, n=100, method="inclusive")[94], 1),
        "min_ms": round(samples[0], 1),
        "max_ms": round(samples[-1], 1),
        "max_rss_mb_after_warmup": round(rss_warm, 1),
        "max_rss_mb_after_renders": round(rss_after, 1),
        "python_peak_mb_per_render": round(max(traced), 1),
    }
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{pages}-page plan ({goals} goals, {size} bytes), {len(samples)} renders in a warm process:\n"
        f"  median {result['median_ms']} ms, p95 {result['p95_ms']} ms, min {result['min_ms']} ms, "
        f"max {result['max_ms']} ms\n"
        f"  peak RSS {result['max_rss_mb_after_renders']} MB (after warm-up {result['max_rss_mb_after_warmup']} MB), "
        f"Python peak per render {result['python_peak_mb_per_render']} MB"
    )


if __name__ == "__main__":
    main()
