"""The team lead's review in the browser: open it, drill into overdue plan reviews, reassign
two clients, export the list; axe-core clean at each step."""

import datetime

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from access.policy import Ground
from care_plans import services as plan_services
from clients.models import Assignment, Client
from teams import services as team_services
from tests.conftest import World

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def fi(message: str) -> str:
    """The UI string as the server shows it in Finnish, the default language."""
    with translation.override("fi"):
        return translation.gettext(message)


def _overdue_plan_review(client: Client, coordinator) -> None:
    """A published plan of ``client`` whose review date passed ten days ago."""
    version = plan_services.start_plan(client=client, by=coordinator, ground=Ground.DESIGNATED_COORDINATOR)
    version = plan_services.save_draft(
        version=version,
        by=coordinator,
        ground=Ground.DESIGNATED_COORDINATOR,
        revision=version.revision,
        content={
            "client_wishes": "Haluan asua kotona.",
            "backup_plan": "Tytär tulee, jos apu ei tule.",
            "goals": [{"client_words": "Pärjään aamuisin.", "actions": []}],
            "review_on": timezone.localdate() - datetime.timedelta(days=10),
        },
    )
    plan_services.publish_version(
        version=version, by=coordinator, ground=Ground.DESIGNATED_COORDINATOR, revision=version.revision
    )


def test_the_lead_reviews_drills_down_reassigns_and_exports(page: Page, base_url: str, world: World) -> None:
    first, second = world.give(world.colleague), world.give(world.colleague)
    for client in (first, second):
        _overdue_plan_review(client, world.colleague)
    # A year of trends: the page shows them as tables beside the figures.
    for back in range(12, 0, -1):
        month = timezone.localdate().replace(day=1)
        for _ in range(back):
            month = (month - datetime.timedelta(days=1)).replace(day=1)
        team_services.write_monthly_snapshots(today=month + datetime.timedelta(days=40))
    sign_in(page, base_url, "lead")

    # The lead reaches the review from the navigation, in Finnish.
    page.goto(f"{base_url}/")
    page.get_by_role("navigation", name=fi("Main")).get_by_role("link", name=fi("Team review"), exact=True).click()
    expect(page).to_have_url(f"{base_url}/team/review/")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.locator("svg[role=img]")).to_be_visible()
    expect(page.locator("#trends-caption")).to_be_visible()
    expect(page.locator("#coordinator-trends-caption")).to_be_visible()
    expect(page.locator("#load-summary")).to_be_visible()
    expect(page.locator("#load-caption").locator("xpath=..")).to_contain_text(world.colleague.get_full_name())
    assert_accessible(page)

    # The team's overdue plan reviews: the number in the team's row of the work table.
    link = page.locator(f'tfoot a[href$="metric=overdue&kind=plan_review_due&team={world.team_a.pk}"]')
    expect(link).to_have_text("2")
    link.click()
    expect(page).to_have_url(
        f"{base_url}/team/review/clients/?metric=overdue&kind=plan_review_due&team={world.team_a.pk}"
    )
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    assert_accessible(page)

    page.locator(f"#select-{first.pk}").check()
    page.locator(f"#select-{second.pk}").check()
    page.locator("#id_to").select_option(str(world.substitute.pk))
    page.locator("#id_note").fill("Siirretään tasauksen vuoksi.")
    page.locator("#reassign-form button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    assert_accessible(page)
    for client in (first, second):
        assert Assignment.objects.get(client=client, ended_on__isnull=True).coordinator == world.substitute

    with page.expect_download() as download_info:
        page.locator('a[href*="/team/review/export/clients.xlsx"]').click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as book:
        assert book.read(2) == b"PK"

    # From the continuity table: the clients whose relationship with the coordinator closed.
    page.goto(f"{base_url}/team/review/")
    closures = f"metric=handovers&kind=closure&coordinator={world.coordinator.pk}"
    page.locator(f'#continuity-caption ~ tbody a[href$="{closures}"]').click()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("main table tbody")).to_contain_text(world.closed_client.last_name)
    assert_accessible(page)

    # The per-coordinator trend of another figure.
    page.goto(f"{base_url}/team/review/")
    page.locator("#id_trend").select_option("overdue")
    page.locator("#id_trend").locator("xpath=ancestor::form").locator("button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/team/review/?trend=overdue#coordinator-trends-heading")
    assert_accessible(page)
