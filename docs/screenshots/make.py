"""Screenshots of the pages a coordinator works in, at 1280 px and 360 px, for the README.

Run against the demo (`make demo` in another terminal, or any server on the seeded small data
set), from the repository's root:

    .venv/bin/python docs/screenshots/make.py [--base-url http://127.0.0.1:8000]

It reads the demo database (DATABASE_URL, as the server does; the demo's own is printed by
`make demo`) only to choose a client of `coordinator` that has a completed needs assessment,
a published care plan and a budget with spending; it signs in as `coordinator` through the
login form, as a person would, in Debian's Chromium with a Finnish browser, and writes
<page>-<width>.png here: the viewport, not the whole page, reduced to 256 colours so that the
files stay small.
"""

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "caseflow-demo"
WIDTHS = {1280: 900, 360: 780}


def choose_pages() -> dict[str, str]:
    """The paths of the five pages, for one well-filled client of the demo's `coordinator`."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseflow.settings.dev")
    import django

    django.setup()
    from django.db.models import Exists, OuterRef

    from assessments.models import Assessment
    from budgets.models import Budget, Spending
    from care_plans.models import PlanVersion
    from clients.models import Assignment

    assignments = Assignment.objects.filter(coordinator__username="coordinator", ended_on__isnull=True)
    budgets = Budget.objects.filter(
        client=OuterRef("client"), status=Budget.Status.ACCEPTED, lines__spendings__isnull=False
    )
    chosen = (
        assignments.filter(
            Exists(budgets),
            Exists(PlanVersion.objects.filter(plan__client=OuterRef("client"), published_at__isnull=False)),
            Exists(Assessment.objects.filter(client=OuterRef("client"), status=Assessment.Status.COMPLETED)),
        )
        .order_by("client__last_name", "client__pk")
        .select_related("client")
        .first()
    )
    if chosen is None:
        raise SystemExit("No client of `coordinator` has an assessment, a plan and a budget: is the demo seeded?")
    client = chosen.client
    assessment = Assessment.objects.filter(client=client, status=Assessment.Status.COMPLETED).latest("completed_on")
    budget = (
        Budget.objects.filter(client=client, status=Budget.Status.ACCEPTED)
        .filter(Exists(Spending.objects.filter(line__budget=OuterRef("pk"))))
        .latest("period_start")
    )
    return {
        "caseload": "/caseload/",
        "overview": f"/clients/{client.pk}/",
        "week-grid": f"/assessments/{assessment.pk}/",
        "plan": f"/clients/{client.pk}/care-plan/",
        "ledger": f"/budgets/{budget.pk}/",
    }


# What each shot scrolls to, below the client's header, when the page's point is further down.
FOCUS = {"week-grid": "table.week-grid", "ledger": ".budget-chart"}


def shoot(base_url: str, pages: dict[str, str]) -> list[Path]:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        for width, height in WIDTHS.items():
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="fi-FI", timezone_id="Europe/Helsinki"
            )
            page = context.new_page()
            page.goto(f"{base_url}/login/")
            page.locator("#id_username").fill("coordinator")
            page.locator("#id_password").fill(PASSWORD)
            page.locator("main form button[type=submit]").click()
            page.wait_for_url(lambda url: "/login/" not in url)
            for name, path in pages.items():
                page.goto(f"{base_url}{path}")
                page.wait_for_load_state("networkidle")
                if name in FOCUS and page.locator(FOCUS[name]).count():
                    page.locator(FOCUS[name]).first.evaluate("element => element.scrollIntoView({block: 'start'})")
                    page.wait_for_timeout(300)
                target = HERE / f"{name}-{width}.png"
                page.screenshot(path=str(target))
                image = Image.open(target).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
                image.save(target, optimize=True)
                written.append(target)
            context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    arguments = parser.parse_args()
    for path in shoot(arguments.base_url.rstrip("/"), choose_pages()):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
