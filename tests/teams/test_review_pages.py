"""The team lead's review pages: the figures, the clients behind them, reassignment, the
balance view, exports and settings."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import AccessEvent
from accounts.factories import CoordinatorFactory, TeamLeadFactory
from accounts.models import User
from care_plans.models import PlanReview
from clients.models import Assignment, Client
from portal.models import HeardAnswer
from teams import export, services, views
from teams.factories import TeamMembershipFactory
from teams.models import DigestSubscription, ReviewSettings
from tests.conftest import World


def signed_in(user: User) -> Browser:
    user.language = "en"  # the assertions read English
    user.save(update_fields=["language"])
    browser = Browser()
    browser.force_login(user)
    return browser


REVIEW = reverse("team-review-figures")
CLIENTS = reverse("team-review-clients")
BALANCE = reverse("team-review-balance")


class TestReviewPage:
    def test_the_lead_sees_chart_table_and_summary(self, world: World) -> None:
        world.give(world.colleague, 2)
        response = signed_in(world.lead).get(REVIEW)
        assert response.status_code == 200
        text = response.content.decode()
        assert "<svg" in text
        assert 'id="load-summary"' in text
        assert "coordinators: weighted loads from" in text
        assert world.colleague.get_full_name() in text
        assert world.other_coordinator.get_full_name() not in text

    def test_the_clients_answers_on_how_they_were_heard_are_in_the_outcomes(self, world: World) -> None:
        review = PlanReview.objects.create(
            version=world.plan_published, held_on=timezone.localdate(), reviewed_by=world.coordinator
        )
        HeardAnswer.objects.create(client=world.own_client, review=review, rating=4, written_by=world.citizen)
        rows = signed_in(world.lead).get(REVIEW).context["review"].heard
        assert [(row.reviewer, row.answers, row.average) for row in rows] == [
            (world.coordinator.get_full_name(), 1, 4.0)
        ]
        assert signed_in(world.other_lead).get(REVIEW).context["review"].heard == []

    def test_a_lead_of_no_team_sees_an_empty_review(self, world: World) -> None:
        response = signed_in(TeamLeadFactory()).get(REVIEW)
        assert response.status_code == 200
        assert response.context["review"].rows == []

    def test_the_navigation_links_to_the_review_for_a_lead_only(self, world: World) -> None:
        assert f'href="{REVIEW}"' in signed_in(world.lead).get(reverse("team-review")).content.decode()
        assert f'href="{REVIEW}"' not in signed_in(world.coordinator).get(reverse("caseload")).content.decode()

    @pytest.mark.parametrize("team", ["x", "\x00", "٣", "9" * 10_000, "-1"])
    def test_a_bad_team_is_a_400(self, world: World, team: str) -> None:
        assert signed_in(world.lead).get(REVIEW, {"team": team}).status_code == 400

    def test_another_leads_team_is_a_400(self, world: World) -> None:
        # Not among the choices: the form refuses it.
        assert signed_in(world.lead).get(REVIEW, {"team": world.team_b.pk}).status_code == 400

    def test_queries_do_not_grow_with_coordinators_and_clients(self, world: World) -> None:
        browser = signed_in(world.lead)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert browser.get(REVIEW).status_code == 200
            return len(queries)

        small = count()
        for _ in range(4):
            coordinator = CoordinatorFactory()
            TeamMembershipFactory(team=world.team_a, user=coordinator, started_on=world.team_since)
            world.give(coordinator, 5)
        assert count() == small


class TestDrillDown:
    def test_the_open_clients_of_a_coordinator_are_listed_and_logged(self, world: World) -> None:
        world.give(world.colleague, 2)
        before = AccessEvent.objects.count()
        response = signed_in(world.lead).get(CLIENTS, {"metric": "open", "coordinator": world.colleague.pk})
        assert response.status_code == 200
        assert len(response.context["clients"]) == 3
        assert AccessEvent.objects.count() == before + 3
        assert set(AccessEvent.objects.order_by("-pk")[:3].values_list("what", flat=True)) == {"team_review.open"}

    def test_the_clients_of_a_weighted_kind(self, world: World) -> None:
        child = world.give(world.colleague)
        Client.objects.filter(pk=child.pk).update(child_special_support=True)
        query = {"metric": "open", "kind": "child_special_support", "coordinator": world.colleague.pk}
        response = signed_in(world.lead).get(CLIENTS, query)
        assert [c.pk for c in response.context["clients"]] == [child.pk]
        page = signed_in(world.lead).get(REVIEW).content.decode()
        assert f"metric=open&amp;kind=child_special_support&amp;coordinator={world.colleague.pk}" in page

    def test_overdue_referral_follow_ups(self, world: World) -> None:
        response = signed_in(world.lead).get(CLIENTS, {"metric": "overdue", "kind": "referral_follow_up"})
        assert [c.pk for c in response.context["clients"]] == [world.own_client.pk]

    def test_another_teams_clients_never_show(self, world: World) -> None:
        response = signed_in(world.lead).get(CLIENTS, {"metric": "open", "coordinator": world.other_coordinator.pk})
        assert response.context["clients"] == []

    @pytest.mark.parametrize(
        "query", [{}, {"metric": "nope"}, {"metric": "open", "coordinator": "x"}, {"metric": "open", "kind": "\x00"}]
    )
    def test_bad_input_is_a_400(self, world: World, query: dict[str, str]) -> None:
        assert signed_in(world.lead).get(CLIENTS, query).status_code == 400

    def test_the_lead_reassigns_two_clients_through_the_handover(self, world: World) -> None:
        first, second = world.give(world.colleague), world.give(world.colleague)
        url = f"{CLIENTS}?metric=open&coordinator={world.colleague.pk}"
        response = signed_in(world.lead).post(
            url, {"clients": [first.pk, second.pk], "to": world.coordinator.pk, "note": "Tasataan"}
        )
        assert response.status_code == 302
        for client in (first, second):
            current = Assignment.objects.get(client=client, ended_on__isnull=True)
            assert (current.coordinator, current.handover_note) == (world.coordinator, "Tasataan")

    def test_a_client_the_lead_may_not_manage_moves_nothing(self, world: World) -> None:
        url = f"{CLIENTS}?metric=open"
        chosen = [world.colleague_client.pk, world.other_client.pk]
        response = signed_in(world.lead).post(url, {"clients": chosen, "to": world.coordinator.pk, "note": "x"})
        assert response.status_code == 400
        current = Assignment.objects.get(client=world.colleague_client, ended_on__isnull=True)
        assert current.coordinator == world.colleague


class TestBalance:
    def test_proposes_moves_and_the_lead_confirms_them(self, world: World) -> None:
        world.give(world.colleague, 6)
        browser = signed_in(world.lead)
        response = browser.get(BALANCE)
        moves = response.context["moves"]
        assert moves
        assert all(m.source == world.colleague for m in moves)
        data = {"note": "Tasaus"}
        for move in moves:
            data[f"move_{move.client_id}"] = "on"
            data[f"to_{move.client_id}"] = str(move.target.pk)
        assert browser.post(BALANCE, data).status_code == 302
        for move in moves:
            assert Assignment.objects.get(client_id=move.client_id, ended_on__isnull=True).coordinator == move.target

    def test_a_target_outside_the_leads_teams_is_a_400(self, world: World) -> None:
        world.give(world.colleague, 6)
        browser = signed_in(world.lead)
        move = browser.get(BALANCE).context["moves"][0]
        data = {"note": "x", f"move_{move.client_id}": "on", f"to_{move.client_id}": str(world.other_coordinator.pk)}
        assert browser.post(BALANCE, data).status_code == 400
        assert Assignment.objects.get(client_id=move.client_id, ended_on__isnull=True).coordinator == world.colleague


class TestExport:
    def test_csv_with_the_filters_in_force(self, world: World) -> None:
        response = signed_in(world.lead).get(
            reverse("team-review-export", args=["caseloads", "csv"]), {"team": world.team_a.pk}
        )
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == ["Caseloads"]
        assert rows[1] == ["Teams: Tiimi A"]
        assert any(world.colleague.get_full_name() in row for row in rows)

    def test_xlsx_of_the_clients_behind_a_number(self, world: World) -> None:
        response = signed_in(world.lead).get(
            reverse("team-review-export", args=["clients", "xlsx"]), {"metric": "open"}
        )
        assert response.status_code == 200
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            strings = book.read("xl/sharedStrings.xml").decode()
        assert "Figure: Open clients" in strings
        assert world.own_client.last_name in strings

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    @pytest.mark.parametrize("table", [t for t in export.TABLES if t != "clients"])
    def test_every_table_of_the_page_exports_and_the_page_links_it(self, world: World, table: str, fmt: str) -> None:
        browser = signed_in(world.lead)
        review = PlanReview.objects.create(
            version=world.plan_published, held_on=timezone.localdate(), reviewed_by=world.coordinator
        )
        HeardAnswer.objects.create(client=world.own_client, review=review, rating=4, written_by=world.citizen)
        services.write_monthly_snapshots()
        url = reverse("team-review-export", args=[table, fmt])
        response = browser.get(url, {"team": world.team_a.pk})
        assert response.status_code == 200
        assert response["Content-Type"] == views.CONTENT_TYPES[fmt]
        if table != "outcomes":  # linked once goals are rated (tests/teams/test_review_drill.py)
            assert f'href="{url}' in browser.get(REVIEW).content.decode()

    def test_an_unknown_table_is_not_found(self, world: World) -> None:
        assert signed_in(world.lead).get(reverse("team-review-export", args=["x", "csv"])).status_code == 404


class TestSettings:
    def test_the_lead_sets_the_threshold(self, world: World) -> None:
        response = signed_in(world.lead).post(
            reverse("team-review-threshold"), {"team": world.team_a.pk, "load_threshold": "40.5"}
        )
        assert response.status_code == 302
        assert ReviewSettings.objects.get(team=world.team_a).load_threshold == Decimal("40.5")

    @pytest.mark.parametrize("value", ["", "0", "x", "1e9", "\x00"])
    def test_a_bad_threshold_is_a_400_and_saves_nothing(self, world: World, value: str) -> None:
        response = signed_in(world.lead).post(
            reverse("team-review-threshold"), {"team": world.team_a.pk, "load_threshold": value}
        )
        assert response.status_code == 400
        assert not ReviewSettings.objects.exists()

    def test_another_leads_team_is_refused(self, world: World) -> None:
        response = signed_in(world.lead).post(
            reverse("team-review-threshold"), {"team": world.team_b.pk, "load_threshold": "40"}
        )
        assert response.status_code == 400

    def test_the_lead_turns_the_digest_off(self, world: World) -> None:
        assert signed_in(world.lead).post(reverse("team-review-digest"), {}).status_code == 302
        assert DigestSubscription.objects.get(lead=world.lead).enabled is False


class TestReviewApi:
    url = reverse("api-team-review-figures")

    def test_the_same_figures_as_the_page(self, world: World) -> None:
        api = APIClient()
        api.force_login(world.lead)
        body = api.get(self.url).json()
        coordinators = {c["coordinator_id"]: c for c in body["coordinators"]}
        assert coordinators[world.coordinator.pk]["open_clients"] == 1
        assert coordinators[world.coordinator.pk]["overdue"] == {"referral_follow_up": 1}
        assert [t["name"] for t in body["teams"]] == ["Tiimi A"]
        assert body["referrals_unanswered"][0]["counterpart"] == "Kela"
        # The page's figures beside these: the buckets of days without a named worker, the heard answers.
        assert body["teams"][0]["without_worker_buckets"] == [0, 0, 0]
        assert body["heard"] == []

    @pytest.mark.parametrize("query", [{"team": "x"}, {"team": "0"}, {"team": "9" * 400}, {"unknown": "1"}])
    def test_bad_input_is_a_400(self, world: World, query: dict[str, str]) -> None:
        api = APIClient()
        api.force_login(world.lead)
        assert api.get(self.url, query).status_code == 400

    def test_queries_do_not_grow(self, world: World) -> None:
        api = APIClient()
        api.force_login(world.lead)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert api.get(self.url).status_code == 200
            return len(queries)

        small = count()
        coordinator = CoordinatorFactory()
        TeamMembershipFactory(team=world.team_a, user=coordinator, started_on=world.team_since)
        world.give(coordinator, 6)
        assert count() == small
