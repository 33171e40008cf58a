import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.factories import CoordinatorFactory
from clients.factories import AssignmentFactory, ClientFactory, ReferralFactory
from clients.models import Client
from teams import review
from teams.factories import TeamMembershipFactory
from teams.models import ClientKind, LoadWeight, ReviewSettings
from tests.conftest import World


def _review(world: World, team_id: int | None = None) -> review.Review:
    return review.build_review(review.reviewed_teams(world.lead, team_id))


def _row(result: review.Review, coordinator) -> review.CoordinatorRow:
    return next(row for row in result.rows if row.coordinator == coordinator)


class TestCaseloads:
    def test_open_clients_and_the_weighted_load_per_coordinator(self, world: World) -> None:
        world.give(world.colleague, 2)
        child = world.give(world.colleague)
        Client.objects.filter(pk=child.pk).update(child_special_support=True)
        LoadWeight.objects.update_or_create(kind=ClientKind.CHILD_SPECIAL_SUPPORT, defaults={"weight": Decimal(2)})
        LoadWeight.objects.update_or_create(kind=ClientKind.NO_FINISHED_PLAN, defaults={"weight": Decimal("0.5")})
        row = _row(_review(world), world.colleague)
        # colleague_client + 3 more; none has a published plan, one is a child.
        assert row.open_clients == 4
        assert row.kinds[ClientKind.CHILD_SPECIAL_SUPPORT] == 1
        assert row.kinds[ClientKind.NO_FINISHED_PLAN] == 4
        assert row.weighted_load == Decimal("8.0")  # 4 + 2 + 4 × 0.5

    def test_the_published_plan_and_budget_count_as_kinds(self, world: World) -> None:
        row = _row(_review(world), world.coordinator)
        assert row.open_clients == 1
        assert row.kinds[ClientKind.NO_FINISHED_PLAN] == 0
        assert row.kinds[ClientKind.PERSONAL_BUDGET] == 1

    def test_the_threshold_is_the_leads_and_flags_a_heavy_caseload(self, world: World) -> None:
        ReviewSettings.objects.create(team=world.team_a, load_threshold=Decimal(2), updated_by=world.lead)
        world.give(world.colleague, 3)
        result = _review(world)
        assert _row(result, world.colleague).over_threshold
        assert not _row(result, world.coordinator).over_threshold
        assert result.teams[0].over_threshold == 1

    def test_who_is_away_and_who_substitutes(self, world: World) -> None:
        row = _row(_review(world), world.coordinator)
        assert row.away_until == timezone.localdate()
        assert row.substitutes == [world.substitute.get_full_name()]

    def test_only_the_teams_the_lead_leads(self, world: World) -> None:
        result = _review(world)
        assert [t.team for t in result.teams] == [world.team_a]
        assert world.other_coordinator not in [row.coordinator for row in result.rows]
        with pytest.raises(Http404):
            _review(world, world.team_b.pk)


class TestWork:
    def test_overdue_and_coming_work_by_kind(self, world: World) -> None:
        # own_referral's follow-up passed 57 days ago; the RAI kind is not there at all.
        row = _row(_review(world), world.coordinator)
        assert row.overdue.get("referral_follow_up") == 1
        assert row.coming.get("referral_follow_up", 0) == 0

    def test_two_pieces_of_work_of_one_client_on_one_day_count_twice(self, world: World) -> None:
        follow_up = world.own_referral.follow_up_on
        assert follow_up is not None
        ReferralFactory(client=world.own_client, follow_up_on=follow_up, sent_on=follow_up - datetime.timedelta(30))
        row = _row(_review(world), world.coordinator)
        assert row.overdue.get("referral_follow_up") == 2

    def test_work_of_a_client_without_a_named_worker_is_counted_once(self, world: World) -> None:
        client = ClientFactory(team=world.team_a, relationship_started_on=world.relationships_since)
        ReferralFactory(client=client, follow_up_on=timezone.localdate() - datetime.timedelta(days=3))
        # The team's one lead gets it; a second lead would too, and it still counts once.
        TeamMembershipFactory(team=world.team_a, user=world.other_lead, kind="lead", started_on=world.team_since)
        team = _review(world).teams[0]
        assert team.unassigned_overdue == 1

    def test_clients_without_a_named_worker_and_for_how_long(self, world: World) -> None:
        client = ClientFactory(team=world.team_a, relationship_started_on=timezone.localdate() - datetime.timedelta(10))
        assert client.pk
        team = _review(world).teams[0]
        assert team.without_worker == 1
        assert team.longest_without_worker == 10
        assert team.without_worker_buckets == [0, 1, 0]


class TestContinuity:
    def test_changes_share_with_the_same_worker_and_handovers(self, world: World) -> None:
        today = timezone.localdate()
        client = world.give(world.colleague)
        client.assignments.update(ended_on=today - datetime.timedelta(days=100), end_reason="handover")
        AssignmentFactory(client=client, coordinator=world.colleague, started_on=today - datetime.timedelta(days=100))
        row = _row(_review(world), world.colleague)
        assert row.worker_changes == 1
        assert row.long_clients == 2
        assert row.same_worker_12m == 1
        assert row.same_worker_share == 50
        assert row.handovers == {"handover": 1}
        assert row.changes_per_client_year == 0.5


class TestUnmetNeeds:
    def test_uncovered_slots_and_unanswered_referrals(self, world: World) -> None:
        result = _review(world)
        # own_client's assessment: Monday morning covered by the daughter, nothing uncovered.
        assert result.uncovered == []
        assert [r["counterpart"] for r in result.referrals_unanswered] == ["Kela"]


class TestQueryCount:
    def _count(self, world: World) -> int:
        with CaptureQueriesContext(connection) as queries:
            _review(world)
        return len(queries)

    def test_constant_in_the_number_of_coordinators_and_clients(self, world: World) -> None:
        small = self._count(world)
        for _ in range(3):
            coordinator = CoordinatorFactory()
            TeamMembershipFactory(team=world.team_a, user=coordinator, started_on=world.team_since)
            world.give(coordinator, 4)
        ClientFactory(team=world.team_a, relationship_started_on=world.relationships_since)
        ReferralFactory(client=world.colleague_client)
        assert self._count(world) == small
