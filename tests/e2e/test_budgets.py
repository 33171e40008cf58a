"""A personal budget in a real browser: the coordinator offers it, records the client's
acceptance, calculates it from the completed needs assessment with an adjustment and its
reason, chooses a provider, records spending, and sees the ledger with the chart and the
table; a spending that would overspend the line is refused on the page. axe-core on every
page on the way."""

import datetime
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from budgets.models import Budget, BudgetLine, Provider, Spending
from tests.budgets.conftest import completed_assessment
from tests.conftest import World

from .conftest import assert_accessible, sign_in

# The amounts are for a budget year of 365 days, 2026: the test runs on a pinned day.
pytestmark = [pytest.mark.browser, pytest.mark.today(datetime.date(2026, 11, 27))]

SCREENSHOTS = Path(tempfile.gettempdir()) / "caseflow-e2e"


def fi(message: str, **values: object) -> str:
    with translation.override("fi"):
        text = translation.gettext(message)
    return text % values if values else text


def test_offer_accept_calculate_choose_spend_and_follow(page: Page, base_url: str, world: World) -> None:
    client = world.give(world.coordinator)
    completed_assessment(world, client)
    SCREENSHOTS.mkdir(exist_ok=True)
    sign_in(page, base_url, "coordinator")

    page.goto(f"{base_url}/clients/{client.pk}/")
    page.get_by_role("navigation", name=fi("Client record")).get_by_role("link", name=fi("Personal budget")).click()
    expect(page).to_have_url(f"{base_url}/clients/{client.pk}/budgets/")
    assert_accessible(page)

    # Offered from the first of January; the rules make it a year.
    page.locator("#id_period_start").fill("2026-01-01")
    page.get_by_role("button", name=fi("Offer the budget")).click()
    budget = Budget.objects.get(client=client)
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/budgets/{budget.pk}/(#\w+)?$"))
    assert_accessible(page)

    # The client accepts.
    page.get_by_label(fi("Accepts the personal budget")).check()
    page.locator("#id_decided_on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name=fi("Record the answer")).click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/budgets/{budget.pk}/calculation/(#\w+)?$"))
    expect(page.locator("#proposal-caption")).to_be_visible()
    expect(page.locator("main table")).to_contain_text("17\u00a0063,75")
    assert_accessible(page)

    # Transport is not on the week grid: added with a reason; without one the page says so.
    page.locator("#id_allocation_transport").fill("480.00")
    page.get_by_role("button", name=fi("Save the calculation")).click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.locator("#id_reason").fill("Kaksi asiointimatkaa kuussa.")
    page.get_by_role("button", name=fi("Save the calculation")).click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/budgets/{budget.pk}/(#\w+)?$"))
    budget.refresh_from_db()
    assert budget.amount == Decimal("21120.75")
    assert_accessible(page)

    # The client chooses the home-help provider.
    home_help = BudgetLine.objects.get(budget=budget, service_type__code="home_help")
    provider = Provider.objects.get(business_id="2345678-1")
    # The ledger reads first: the line's form opens on its own page.
    page.locator(f"a[href='/budget-lines/{home_help.pk}/provider/']").click()
    page.locator(f"#id_line-{home_help.pk}-provider").select_option(str(provider.pk))
    assert_accessible(page)
    page.get_by_role("button", name=fi("Save the line"), exact=False).click()
    expect(page.locator(".messages")).to_be_visible()

    # An invoice on home help; then one that would overspend meals is refused.
    spending = page.locator("#spending form")
    spending.locator("#id_spending-line").select_option(str(home_help.pk))
    spending.locator("#id_spending-amount").fill("385.00")
    spending.locator("#id_spending-units").fill("10")
    spending.locator("#id_spending-delivered_on").fill("2026-02-27")
    spending.locator("#id_spending-reference").fill("LASKU-1")
    spending.get_by_role("button", name=fi("Record")).click()
    expect(page.locator(".messages")).to_contain_text(fi("The spending was recorded."))
    meals = BudgetLine.objects.get(budget=budget, service_type__code="meals")
    spending = page.locator("#spending form")
    spending.locator("#id_spending-line").select_option(str(meals.pk))
    spending.locator("#id_spending-provider").select_option(str(provider.pk))
    spending.locator("#id_spending-amount").fill("3577.01")
    spending.locator("#id_spending-delivered_on").fill("2026-03-01")
    spending.get_by_role("button", name=fi("Record")).click()
    expect(page.locator("#spending .error-summary")).to_be_visible()
    expect(page.locator("#spending")).to_contain_text("3\u00a0577,00")
    assert Spending.objects.filter(line__budget=budget).count() == 1
    assert_accessible(page)

    # The ledger, the chart and the table beside it.
    page.goto(f"{base_url}/budgets/{budget.pk}/")
    ledger_row = page.locator("table.ledger tbody tr").filter(
        has=page.get_by_role("rowheader", name=home_help.service_type.name, exact=True)
    )
    expect(ledger_row).to_contain_text("385,00")
    expect(page.locator(".budget-chart svg[role=img]")).to_be_visible()
    expect(page.locator(".budget-chart table")).to_contain_text("385,00")
    expect(page.get_by_role("link", name=fi("Download the ledger (CSV)"))).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "budget.png"), full_page=True)
