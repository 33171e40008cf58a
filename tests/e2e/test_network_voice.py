"""The network's voice in a real browser: the coordinator opens a review from the plan's
version, records the daughter's view with her rating beside the client's and the professional's,
and sees the named worker on the plan; axe-core on each page."""

import datetime

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from access.models import Section
from access.policy import Ground
from care_plans import services as plan_services
from care_plans.models import NetworkReviewView
from networks import services as network_services
from tests.conftest import World

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser
COORDINATOR = Ground.DESIGNATED_COORDINATOR


def fi(message: str) -> str:
    with translation.override("fi"):
        return translation.gettext(message)


def test_a_relatives_view_at_a_review(page: Page, base_url: str, world: World) -> None:
    world.plan_published.refresh_from_db()
    goal = world.plan_published.goals.get()
    review = plan_services.record_review(
        version=world.plan_published,
        by=world.coordinator,
        ground=COORDINATOR,
        held_on=timezone.localdate(),
        outcomes=[{"goal": goal.key, "client_rating": 4, "professional_rating": 2}],
    )
    network_services.give_consent(
        client=world.own_client,
        by=world.coordinator,
        ground=COORDINATOR,
        network_member=world.relative,
        sections=[Section.PLAN],
        purpose="Suunnitelman arviointi",
        given_on=timezone.localdate(),
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    sign_in(page, base_url, "coordinator")
    page.goto(f"{base_url}/plan-versions/{world.plan_published.pk}/")
    expect(page.locator("#named-worker-heading + p")).to_contain_text(world.coordinator.get_full_name())
    assert_accessible(page)
    page.locator(f"a[href='/plan-reviews/{review.pk}/']").click()
    expect(page).to_have_url(f"{base_url}/plan-reviews/{review.pk}/")
    assert_accessible(page)
    page.locator("summary", has_text=fi("Record the view of someone in the client's network")).click()
    page.locator("#id_network-network_member").select_option(str(world.relative.pk))
    page.locator("#id_network-words").fill("Äiti jaksaa nyt paremmin.")
    page.locator(f"#id_network-rating-{goal.key}").select_option("5")
    page.get_by_role("button", name=fi("Record the view")).click()
    expect(page.locator(".messages")).to_contain_text(fi("The view was recorded."))
    row = page.locator("#ratings-heading ~ div tbody tr")
    expect(row).to_contain_text("4 / 5")
    expect(row).to_contain_text("2 / 5")
    expect(row).to_contain_text("5 / 5")
    expect(page.locator("#network-views-heading ~ article")).to_contain_text("Äiti jaksaa nyt paremmin.")
    assert_accessible(page)
    assert NetworkReviewView.objects.filter(review=review, network_member=world.relative).exists()
