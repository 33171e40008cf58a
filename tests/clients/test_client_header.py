"""One client header and fixed tabs on every client page (issue 19, part 2): who the client is
and what is next, and the tabs the user may open, the same everywhere, the current one marked."""

import re

from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests.conftest import World
from tests.networks.test_pages import fi

HEADER = re.compile(r'<section class="client-header".*?</section>', re.DOTALL)
TABS = re.compile(r'<nav class="client-nav"[^>]*>(.*?)</nav>', re.DOTALL)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>')


def browser_of(user: User) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def tabs_of(page: str) -> tuple[list[str], list[str]]:
    """The tabs' addresses, and which of them is marked current."""
    [nav] = TABS.findall(page)
    links = LINK.findall(nav)
    return [href for href, _ in links], [href for href, current in links if current]


def test_every_client_page_has_the_same_header_and_tabs(world: World) -> None:
    client = world.own_client
    browser = browser_of(world.coordinator)
    pages = {
        reverse("client-detail", args=[client.pk]): "",
        reverse("client-assessments", args=[client.pk]): "",
        reverse("client-care-plan", args=[client.pk]): "",
        reverse("client-budgets", args=[client.pk]): "",
        reverse("client-network", args=[client.pk]): "",
        reverse("client-meetings", args=[client.pk]): "",
        reverse("client-portal", args=[client.pk]): "",
        reverse("client-coordination", args=[client.pk]): "",
        reverse("meeting-detail", args=[world.meeting.pk]): reverse("client-meetings", args=[client.pk]),
        reverse("client-consultation-create", args=[client.pk]): reverse("client-detail", args=[client.pk]),
    }
    seen = set()
    for url, tab in pages.items():
        response = browser.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        tabs, current = tabs_of(page)
        seen.add(tuple(tabs))
        assert current == [tab or url], url
        [header] = HEADER.findall(page)
        age = client.age_on(timezone.localdate())
        assert f"{age} vuotta" in header, url
        assert client.masked_identity_code in header
        assert client.identity_code not in header
        assert world.coordinator.get_full_name() in header
        # The referral's follow-up was due 57 days ago: the nearest of the client's deadlines.
        assert fi("Referral to follow up") in header
        assert "57 päivää myöhässä" in header
    assert len(seen) == 1
    # overview, assessments, plan, budget, network, meetings, coordination, portal
    assert len(next(iter(seen))) == 8


def test_a_care_team_member_gets_the_tabs_that_open_and_no_deadlines(world: World) -> None:
    browser = browser_of(world.member)
    page = browser.get(reverse("client-detail", args=[world.own_client.pk])).content.decode()
    tabs, _current = tabs_of(page)
    assert reverse("client-budgets", args=[world.own_client.pk]) not in tabs
    assert len(tabs) < 8
    for url in tabs:
        assert browser.get(url).status_code == 200, url
    assert fi("Next deadline") not in page


def test_the_overview_summarises_assessment_plan_budget_meeting_and_open_work(world: World) -> None:
    page = browser_of(world.coordinator).get(reverse("client-detail", args=[world.own_client.pk]))
    [summary] = re.findall(r'<section class="summary".*?</section>\s*</section>', page.content.decode(), re.DOTALL)
    assert reverse("assessment-detail", args=[world.assessment.pk]) in summary
    assert reverse("plan-version", args=[world.plan_draft.pk]) in summary
    assert reverse("budget-detail", args=[world.budget.pk]) in summary
    assert fi("Next network meeting") in summary
    assert fi("Referral to follow up") in summary


def test_the_overview_summary_keeps_to_the_sections_of_a_care_team_member(world: World) -> None:
    page = browser_of(world.member).get(reverse("client-detail", args=[world.own_client.pk])).content.decode()
    assert reverse("budget-detail", args=[world.budget.pk]) not in page
    assert fi("Open work") not in page
