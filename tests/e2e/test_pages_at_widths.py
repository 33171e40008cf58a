"""The pages a coordinator works in most, at a desk's width (1280 px) and a phone's (360 px):
the caseload, the client's overview, the week grid of the needs assessment, the care plan and
the budget's ledger. Each is axe-core clean at both widths, none scrolls sideways at 360 px, the
caseload's table becomes cards there, and the client's tabs are the same on every client page
(issue 19, parts 1, 2 and 4)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from access.policy import Ground
from budgets import services as budget_services
from clients.models import Assignment
from tests.conftest import World

from .conftest import NewContext, assert_accessible, sign_in

pytestmark = pytest.mark.browser

WIDTHS = {"desk": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 780}}


def fi(message: str) -> str:
    with translation.override("fi"):
        return translation.gettext(message)


def spend(world: World) -> None:
    """Two invoices on the home-help line, so that the chart has bars and a line."""
    today = world.budget.period_start + datetime.timedelta(days=20)
    for amount, day in ((Decimal("120.00"), world.budget.period_start), (Decimal("80.50"), today)):
        budget_services.record_spending(
            line=world.budget_line,
            amount=amount,
            delivered_on=day,
            by=world.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
        )


def pages(world: World) -> dict[str, str]:
    client = world.own_client.pk
    return {
        "caseload": "/caseload/",
        "overview": f"/clients/{client}/",
        "week grid": f"/assessments/{world.assessment.pk}/",
        "plan": f"/clients/{client}/care-plan/",
        "ledger": f"/budgets/{world.budget.pk}/",
    }


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls {overflow} px sideways"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_working_pages_at_a_desk_and_on_a_phone(
    new_context: NewContext, base_url: str, world: World, width: str
) -> None:
    spend(world)
    page = new_context(viewport=WIDTHS[width]).new_page()
    sign_in(page, base_url, "coordinator")
    for name, path in pages(world).items():
        page.goto(f"{base_url}{path}")
        expect(page.locator("main h1")).to_be_visible()
        if name == "ledger":
            # ECharts has drawn the chart as SVG, beside the table and the one-sentence summary.
            expect(page.locator(".echart svg")).to_be_visible()
            expect(page.locator(".chart-summary")).to_contain_text("€")
            expect(page.locator(".budget-chart table")).to_be_visible()
        assert_accessible(page)
        if width == "phone":
            no_sideways_scroll(page)


def test_the_caseload_comes_first_and_its_table_becomes_cards(
    new_context: NewContext, base_url: str, world: World
) -> None:
    world.give(world.coordinator, count=2)
    Assignment.objects.filter(client=world.own_client, ended_on__isnull=True).update(
        handover_note="Soita tyttärelle ennen käyntiä.", handed_over_by=world.colleague
    )
    desk = new_context(viewport=WIDTHS["desk"]).new_page()
    sign_in(desk, base_url, "coordinator")
    desk.goto(f"{base_url}/caseload/")
    table = desk.locator("table.caseload")
    # The list starts on the first screen, under one line per note and per kind of due work.
    box = table.bounding_box()
    assert box is not None
    assert box["y"] < 900, box
    assert box["width"] <= 1280
    no_sideways_scroll(desk)
    expect(table.locator("thead")).to_be_visible()
    note = desk.locator(".note-card").filter(has_text=world.own_client.full_name)
    expect(note.get_by_text("Soita tyttärelle ennen käyntiä.")).to_be_hidden()
    note.locator("summary").click()
    expect(note.get_by_text("Soita tyttärelle ennen käyntiä.")).to_be_visible()
    assert_accessible(desk)

    phone = new_context(viewport=WIDTHS["phone"]).new_page()
    sign_in(phone, base_url, "coordinator")
    phone.goto(f"{base_url}/caseload/")
    no_sideways_scroll(phone)
    # Cards: no column headers, each row a box whose cells carry their own labels.
    head = phone.locator("table.caseload thead").bounding_box()
    assert head is not None
    assert head["height"] <= 1, "the header row is there for screen readers only"
    rows = phone.locator("table.caseload tbody tr")
    expect(rows).to_have_count(3)
    first, second = rows.nth(0).bounding_box(), rows.nth(1).bounding_box()
    assert first is not None
    assert second is not None
    assert second["y"] >= first["y"] + first["height"], "the cards are stacked"
    assert first["width"] <= 360
    assert_accessible(phone)


def test_the_client_tabs_are_the_same_on_every_client_page(page: Page, base_url: str, world: World) -> None:
    sign_in(page, base_url, "coordinator")
    page.goto(f"{base_url}/clients/{world.own_client.pk}/")
    tabs = page.get_by_role("navigation", name=fi("Client record")).get_by_role("link")
    expected = [(tabs.nth(i).inner_text(), tabs.nth(i).get_attribute("href")) for i in range(tabs.count())]
    assert len(expected) >= 5, expected
    for label, href in expected:
        page.goto(f"{base_url}{href}")
        nav = page.get_by_role("navigation", name=fi("Client record"))
        links = nav.get_by_role("link")
        shown = [(links.nth(i).inner_text(), links.nth(i).get_attribute("href")) for i in range(links.count())]
        assert shown == expected, page.url
        expect(nav.locator("a[aria-current=page]")).to_have_text(label)
    # The pages reached inside the record keep the same header and tabs.
    for path in pages(world).values():
        if path == "/caseload/":
            continue
        page.goto(f"{base_url}{path}")
        links = page.get_by_role("navigation", name=fi("Client record")).get_by_role("link")
        assert [
            (links.nth(i).inner_text(), links.nth(i).get_attribute("href")) for i in range(links.count())
        ] == expected
