"""The drill-down from the continuity, outcomes and unmet-needs tables of the review: every
number opens the clients behind it, only those the lead may see, logged as read, with the
page and its API twin on one selector and a query count that does not grow."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import AccessEvent
from access.policy import Ground
from accounts.factories import CoordinatorFactory
from accounts.models import User
from assessments.models import Coverage, DomainNeed, LifeDomain, NeedSlot
from care_plans import services as plan_services
from care_plans.models import GoalOutcome, PlanGoal, PlanReview
from clients.factories import AssignmentFactory, ClientFactory, ReferralFactory
from clients.models import Client
from portal.models import HeardAnswer
from teams.factories import TeamMembershipFactory
from tests.conftest import World

CLIENTS = reverse("team-review-clients")
API = reverse("api-team-review-clients")
REVIEW = reverse("team-review-figures")


def signed_in(user: User) -> Browser:
    user.language = "en"
    user.save(update_fields=["language"])
    browser = Browser()
    browser.force_login(user)
    return browser


def page_ids(user: User, query: dict[str, Any]) -> list[int]:
    response = signed_in(user).get(CLIENTS, query)
    assert response.status_code == 200
    return [c.pk for c in response.context["clients"]]


def api_ids(user: User, query: dict[str, Any]) -> list[int]:
    api = APIClient()
    api.force_login(user)
    response = api.get(API, query)
    assert response.status_code == 200, response.content
    return [c["id"] for c in response.json()["clients"]]


def handed_over(world: World, client: Client, *, to: User, days_ago: int = 100) -> None:
    """``client``'s worker changed ``days_ago``: the assignment ended as a handover."""
    today = timezone.localdate()
    client.assignments.update(ended_on=today - datetime.timedelta(days=days_ago), end_reason="handover")
    AssignmentFactory(client=client, coordinator=to, started_on=today - datetime.timedelta(days=days_ago))


def rated_goal(world: World, *, domain: LifeDomain | None, client_rating: int, professional_rating: int) -> None:
    """A goal of own_client's plan, published as its second version and rated at a plan
    review held today."""
    version = world.plan_draft
    goal = PlanGoal.objects.create(version=version, client_words="Pärjään kotona.", domain=domain)
    version.refresh_from_db()
    plan_services.publish_version(
        version=version, by=world.coordinator, ground=Ground.DESIGNATED_COORDINATOR, revision=version.revision
    )
    review = PlanReview.objects.create(version=version, held_on=timezone.localdate(), reviewed_by=world.coordinator)
    GoalOutcome.objects.create(
        review=review, goal=goal, client_rating=client_rating, professional_rating=professional_rating
    )


def uncovered_evening(world: World) -> LifeDomain:
    """An evening of own_client's latest assessment that nobody covers."""
    need = DomainNeed.objects.get(assessment=world.assessment)
    NeedSlot.objects.create(need=need, weekday=2, time_of_day="evening", coverage=Coverage.UNCOVERED)
    return need.domain


class TestContinuity:
    def test_worker_changes_and_handovers_list_the_clients_and_log_them(self, world: World) -> None:
        moved = world.give(world.coordinator)
        handed_over(world, moved, to=world.colleague)
        before = AccessEvent.objects.count()
        assert page_ids(world.lead, {"metric": "worker_changes", "coordinator": world.colleague.pk}) == [moved.pk]
        assert AccessEvent.objects.filter(what="team_review.worker_changes").count() == 1
        assert AccessEvent.objects.count() == before + 1
        query = {"metric": "handovers", "kind": "handover", "coordinator": world.coordinator.pk}
        assert page_ids(world.lead, query) == [moved.pk]
        assert page_ids(world.lead, {**query, "kind": "closure"}) == [world.closed_client.pk]

    def test_the_same_worker_for_12_months_and_days_without_one(self, world: World) -> None:
        moved = world.give(world.colleague)
        handed_over(world, moved, to=world.colleague)
        assert page_ids(world.lead, {"metric": "same_worker", "coordinator": world.colleague.pk}) == [
            world.colleague_client.pk
        ]
        late = world.give(world.colleague)
        late.assignments.update(started_on=timezone.localdate() - datetime.timedelta(days=20))
        assert page_ids(world.lead, {"metric": "days_without_worker", "team": world.team_a.pk}) == [late.pk]

    def test_a_client_handed_over_to_another_team_is_counted_but_not_shown(self, world: World) -> None:
        moved = world.give(world.coordinator)
        handed_over(world, moved, to=world.other_coordinator)
        Client.objects.filter(pk=moved.pk).update(team=world.team_b)
        result = signed_in(world.lead).get(REVIEW).context["review"]
        row = next(r for r in result.rows if r.coordinator == world.coordinator)
        assert row.handovers["handover"] == 1
        assert page_ids(world.lead, {"metric": "handovers", "coordinator": world.coordinator.pk}) == [
            world.closed_client.pk
        ]

    def test_the_continuity_numbers_link_to_their_clients(self, world: World) -> None:
        page = signed_in(world.lead).get(REVIEW).content.decode()
        assert f"metric=days_without_worker&amp;coordinator={world.colleague.pk}" in page
        assert f"metric=handovers&amp;kind=closure&amp;coordinator={world.coordinator.pk}" in page
        assert f"metric=same_worker&amp;team={world.team_a.pk}" in page


class TestOutcomes:
    def test_goals_rated_and_reached_by_each_rater(self, world: World) -> None:
        domain = LifeDomain.objects.get(code="daily_living")
        rated_goal(world, domain=domain, client_rating=4, professional_rating=2)
        goals = {"metric": "goals_rated", "domain": domain.pk}
        assert page_ids(world.lead, goals) == [world.own_client.pk]
        assert page_ids(world.lead, {**goals, "metric": "goals_reached_client"}) == [world.own_client.pk]
        assert page_ids(world.lead, {**goals, "metric": "goals_reached_professional"}) == []
        assert page_ids(world.lead, {**goals, "domain": 0}) == []
        page = signed_in(world.lead).get(REVIEW).content.decode()
        assert f"metric=goals_reached_professional&amp;domain={domain.pk}" in page
        assert "/team/review/export/outcomes.xlsx" in page

    def test_goals_without_a_life_domain(self, world: World) -> None:
        rated_goal(world, domain=None, client_rating=3, professional_rating=3)
        assert page_ids(world.lead, {"metric": "goals_reached_professional", "domain": 0}) == [world.own_client.pk]
        assert page_ids(world.other_lead, {"metric": "goals_rated", "domain": 0}) == []

    def test_the_clients_who_answered_how_they_were_heard(self, world: World) -> None:
        review = PlanReview.objects.create(
            version=world.plan_published, held_on=timezone.localdate(), reviewed_by=world.coordinator
        )
        HeardAnswer.objects.create(client=world.own_client, review=review, rating=2, written_by=world.citizen)
        assert page_ids(world.lead, {"metric": "heard", "coordinator": world.coordinator.pk}) == [world.own_client.pk]
        assert page_ids(world.lead, {"metric": "heard", "coordinator": world.colleague.pk}) == []
        assert (
            f"metric=heard&amp;coordinator={world.coordinator.pk}" in signed_in(world.lead).get(REVIEW).content.decode()
        )


class TestUnmetNeeds:
    def test_a_cell_of_the_uncovered_grid(self, world: World) -> None:
        domain = uncovered_evening(world)
        cell = {"metric": "uncovered", "domain": domain.pk, "time": "evening"}
        assert page_ids(world.lead, cell) == [world.own_client.pk]
        assert page_ids(world.lead, {**cell, "time": "morning"}) == []
        page = signed_in(world.lead).get(REVIEW).content.decode()
        assert f"metric=uncovered&amp;domain={domain.pk}&amp;time=evening" in page

    def test_unanswered_referrals_of_one_counterpart(self, world: World) -> None:
        ReferralFactory(
            client=world.colleague_client,
            counterpart="TE-palvelut",
            sent_on=timezone.localdate() - datetime.timedelta(days=60),
        )
        assert page_ids(world.lead, {"metric": "referrals", "counterpart": "Kela"}) == [world.own_client.pk]
        assert page_ids(world.lead, {"metric": "referrals", "counterpart": "TE-palvelut"}) == [
            world.colleague_client.pk
        ]
        assert "metric=referrals&amp;counterpart=TE-palvelut" in signed_in(world.lead).get(REVIEW).content.decode()

    @pytest.mark.parametrize(
        "query",
        [
            {"metric": "uncovered", "time": "noon"},
            {"metric": "uncovered", "domain": "-1"},
            {"metric": "goals_rated", "domain": "x"},
            {"metric": "referrals", "counterpart": "x" * 201},
            {"metric": "referrals", "counterpart": "\x00"},
            {"metric": "handovers", "kind": "fired"},
        ],
    )
    def test_bad_input_is_a_400_on_the_page_and_the_api(self, world: World, query: dict[str, str]) -> None:
        assert signed_in(world.lead).get(CLIENTS, query).status_code == 400
        api = APIClient()
        api.force_login(world.lead)
        assert api.get(API, query).status_code == 400


def every_figure_counts(world: World) -> None:
    """At least one client of team A behind each of ``FIGURES``."""
    moved = world.give(world.coordinator)
    handed_over(world, moved, to=world.colleague)
    rated_goal(world, domain=None, client_rating=4, professional_rating=4)
    uncovered_evening(world)
    ClientFactory(team=world.team_a, relationship_started_on=world.relationships_since)
    late = world.give(world.colleague)
    late.assignments.update(started_on=timezone.localdate() - datetime.timedelta(days=20))
    review = PlanReview.objects.get(reviewed_by=world.coordinator)
    HeardAnswer.objects.create(client=world.own_client, review=review, rating=4, written_by=world.citizen)


# One query of each kind of figure, with what narrows it.
FIGURES: list[dict[str, Any]] = [
    {"metric": "open"},
    {"metric": "overdue", "kind": "referral_follow_up"},
    {"metric": "without_worker"},
    {"metric": "worker_changes"},
    {"metric": "days_without_worker"},
    {"metric": "same_worker"},
    {"metric": "handovers", "kind": "handover"},
    {"metric": "goals_rated", "domain": 0},
    {"metric": "heard"},
    {"metric": "uncovered", "time": "evening"},
    {"metric": "referrals", "counterpart": "Kela"},
]


class TestOneSelectorAndConstantQueries:
    @pytest.mark.parametrize("query", FIGURES, ids=[f["metric"] for f in FIGURES])
    def test_the_api_twin_lists_what_the_page_lists(self, world: World, query: dict[str, Any]) -> None:
        every_figure_counts(world)
        shown = page_ids(world.lead, query)
        assert shown
        assert shown == api_ids(world.lead, query)
        assert page_ids(world.other_lead, query) == api_ids(world.other_lead, query)
        assert not set(shown) & set(page_ids(world.other_lead, query))

    @pytest.mark.parametrize("query", FIGURES, ids=[f["metric"] for f in FIGURES])
    def test_queries_do_not_grow_with_coordinators_and_clients(self, world: World, query: dict[str, Any]) -> None:
        browser = signed_in(world.lead)
        api = APIClient()
        api.force_login(world.lead)

        def count() -> tuple[int, int]:
            with CaptureQueriesContext(connection) as page_queries:
                assert browser.get(CLIENTS, query).status_code == 200
            with CaptureQueriesContext(connection) as api_queries:
                assert api.get(API, query).status_code == 200
            return len(page_queries), len(api_queries)

        every_figure_counts(world)
        small = count()
        for _ in range(3):
            coordinator = CoordinatorFactory()
            TeamMembershipFactory(team=world.team_a, user=coordinator, started_on=world.team_since)
            for client in [world.give(coordinator, 1) for _ in range(3)]:
                handed_over(world, client, to=coordinator, days_ago=50)
                ReferralFactory(
                    client=client, counterpart="Kela", sent_on=timezone.localdate() - datetime.timedelta(days=60)
                )
        ClientFactory(team=world.team_a, relationship_started_on=world.relationships_since)
        assert count() == small

    def test_the_api_answers_another_leads_team_with_a_404(self, world: World) -> None:
        api = APIClient()
        api.force_login(world.lead)
        assert api.get(API, {"metric": "open", "team": world.team_b.pk}).status_code == 404

    def test_the_api_logs_the_list_and_names_the_figure(self, world: World) -> None:
        api = APIClient()
        api.force_login(world.lead)
        world.lead.language = "en"
        world.lead.save(update_fields=["language"])
        body = api.get(API, {"metric": "referrals", "counterpart": "Kela"}).json()
        assert ["Counterpart", "Kela"] in body["figure"]
        assert body["clients"][0]["named_worker_id"] == world.coordinator.pk
        assert AccessEvent.objects.filter(what="team_review.referrals", client=world.own_client).exists()
