"""The team lead's review in the browser: open it, drill into overdue plan reviews, reassign
two clients, export the list; axe-core clean at each step."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from access.policy import Ground
from care_plans import services as plan_services
from clients.models import Assignment, Client
from tests.conftest import World

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


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
    sign_in(page, base_url, "lead")

    page.goto(f"{base_url}/team/review/")
    expect(page.locator("svg[role=img]")).to_be_visible()
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
