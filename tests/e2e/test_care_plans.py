"""A care plan in a real browser: the coordinator drafts the plan from the assessment, records
what the client wants, adds a disagreement, publishes, waits for the PDF (htmx polling) and
downloads it; axe-core on every plan page on the way."""

import io
import threading
from pathlib import Path

import pypdf
import pytest
from django.db import connection
from django.utils import translation
from playwright.sync_api import Page, expect

from access.policy import Ground
from assessments import services as assessment_services
from assessments.models import Coverage, LifeDomain
from care_plans import services
from care_plans.models import Disagreement, PlanVersion
from care_plans.tasks import render_plan_pdf
from tests.conftest import World

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def fi(message: str) -> str:
    with translation.override("fi"):
        return translation.gettext(message)


def render_later(version_pk: int) -> bool:
    """Stands in for the worker: renders the PDF a moment after publishing, in a thread."""

    def render() -> None:
        try:
            render_plan_pdf.apply(args=(version_pk,))
        finally:
            connection.close()

    threading.Timer(1.5, render).start()
    return True


def test_draft_publish_and_download_the_plan(
    page: Page, base_url: str, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = world.colleague_client
    assessment = assessment_services.start_assessment(
        client=client, by=world.colleague, ground=Ground.DESIGNATED_COORDINATOR
    )
    assessment_services.set_need(
        assessment=assessment,
        domain=LifeDomain.objects.get(code="daily_living"),
        by=world.colleague,
        ground=Ground.DESIGNATED_COORDINATOR,
        level=2,
        client_text="Haluan selvitä aamuista itse.",
        slots=[{"weekday": 0, "time_of_day": "morning", "coverage": Coverage.SERVICE, "service": "Kotihoito"}],
    )
    monkeypatch.setattr(services, "queue_pdf", render_later)
    sign_in(page, base_url, "colleague")

    page.goto(f"{base_url}/clients/{client.pk}/care-plan/")
    assert_accessible(page)
    page.get_by_role("button", name=fi("Draft the plan")).click()
    draft = PlanVersion.objects.get(plan__client=client)
    expect(page).to_have_url(f"{base_url}/plan-versions/{draft.pk}/")
    expect(page.locator("#goals-heading + article")).to_contain_text("Haluan selvitä aamuista itse.")
    expect(page.locator("main table")).to_contain_text("Kotihoito")
    assert_accessible(page)

    page.locator("#id_draft-client_wishes").fill("Haluan asua kotona ja päättää itse päivästäni.")
    page.locator("#id_draft-backup_plan").fill("Jos kotihoito ei tule, naapuri Matti käy.")
    page.locator("#views-heading + form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(fi("The draft was saved."))

    # A disagreement on the goal; first without the professional's position (a 400 in place).
    page.locator("summary", has_text=fi("Record a disagreement")).click()
    form = page.locator("form").filter(has=page.locator("#id_disagreement-about"))
    form.locator("#id_disagreement-about").select_option(index=1)
    form.locator("#id_disagreement-client_position").fill("En tarvitse aamuapua.")
    form.get_by_role("button", name=fi("Record the disagreement")).click()
    expect(page.locator("#id_disagreement-professional_position_error")).to_be_visible()
    assert_accessible(page)
    form = page.locator("form").filter(has=page.locator("#id_disagreement-about"))
    form.locator("#id_disagreement-professional_position").fill("Aamuapu on tarpeen kaatumisriskin vuoksi.")
    form.locator("#id_disagreement-reasons").fill("Kaksi kaatumista keväällä.")
    form.get_by_role("button", name=fi("Record the disagreement")).click()
    expect(page.locator(".messages")).to_contain_text(fi("The disagreement was recorded."))
    expect(page.locator("#disagreements-heading ~ article")).to_contain_text("En tarvitse aamuapua.")
    assert Disagreement.objects.filter(version=draft).count() == 1

    page.get_by_role("button", name=fi("Publish this version")).click()
    expect(page.locator(".messages")).to_contain_text(fi("The version was published. Its PDF is being prepared."))
    expect(page.locator("#plan-pdf")).to_contain_text(fi("The PDF is being prepared…"))
    assert_accessible(page)
    link = page.locator("#plan-pdf a")
    expect(link).to_be_visible(timeout=30_000)  # htmx polls until the worker is done
    with page.expect_download() as download_info:
        link.click()
    content = Path(download_info.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)
    assert client.full_name in text
    assert "Haluan selvitä aamuista itse." in text
    assert "En tarvitse aamuapua." in text
    assert "Jos kotihoito ei tule, naapuri Matti käy." in text
    assert_accessible(page)

    # The next draft started from the published one; the two compare with no changes yet.
    page.goto(f"{base_url}/clients/{client.pk}/care-plan/compare/")
    expect(page.locator("main")).to_contain_text(fi("Nothing changed."))
    assert_accessible(page)
