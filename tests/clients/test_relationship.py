"""The client relationship from first contact to closure: deadlines, the named worker,
handover, substitution, referrals, closure and reopening."""

import datetime
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from access.policy import Ground, client_for
from accounts.factories import CoordinatorFactory
from accounts.models import Profession
from clients import selectors, services
from clients.factories import ClientFactory
from clients.identity_code import make_identity_code
from clients.models import (
    Assignment,
    AssignmentEnd,
    ClientMessage,
    ClosureReason,
    ContactSource,
    DeadlineRule,
    Referral,
    RelationshipPeriod,
)
from core.errors import ConflictError
from teams import services as team_services
from teams.factories import TeamMembershipFactory
from teams.models import Substitution
from tests.conftest import World

# The deadline tests need Christmas: they run on a pinned day (tests/conftest.py), the rest count
# their dates from today.
PINNED = pytest.mark.today(datetime.date(2026, 11, 27))


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """The refusals are matched by their English text; the default language is Finnish."""
    with translation.override("en"):
        yield


def _contact(world: World, client, **overrides):
    values = {
        "client": client,
        "by": world.coordinator,
        "ground": Ground.DESIGNATED_COORDINATOR,
        "channel": "phone",
        "source": ContactSource.RELATIVE,
        "reason": "Muistisairaus etenee",
    } | overrides
    return services.record_contact(**values)


@PINNED
class TestAssessmentStartDeadline:
    THURSDAY_BEFORE_CHRISTMAS = datetime.date(2025, 12, 18)

    def contact(self, world: World, client, **overrides):
        return _contact(world, client, **{"contacted_on": self.THURSDAY_BEFORE_CHRISTMAS, **overrides})

    def test_urgent_need_is_the_same_day(self, world: World) -> None:
        contact = self.contact(world, world.own_client, urgent=True)
        assert (contact.deadline_rule, contact.assessment_due_on) == (
            DeadlineRule.URGENT,
            self.THURSDAY_BEFORE_CHRISTMAS,
        )

    @pytest.mark.parametrize(
        "attributes",
        [
            {"date_of_birth": datetime.date(1950, 12, 18)},  # 75 on the contact day
            {"date_of_birth": datetime.date(1980, 1, 1), "highest_care_allowance": True},
            {"date_of_birth": datetime.date(2015, 1, 1), "child_special_support": True},
        ],
        ids=["aged 75", "highest care allowance", "child needing special support"],
    )
    def test_statutory_groups_get_the_seventh_working_day(self, world: World, attributes: dict[str, object]) -> None:
        client = ClientFactory(**attributes, identity_code="")
        contact = self.contact(world, client)
        # 19, 22, 23, 29, 30, 31 December and 2 January: Christmas and New Year skipped.
        assert (contact.deadline_rule, contact.assessment_due_on) == (DeadlineRule.STATUTORY, datetime.date(2026, 1, 2))

    def test_aged_74_on_the_contact_day_is_not_in_the_statutory_group(self, world: World) -> None:
        client = ClientFactory(date_of_birth=datetime.date(1950, 12, 19), identity_code="")
        assert self.contact(world, client).deadline_rule == DeadlineRule.DEFAULT

    @override_settings(ASSESSMENT_DEFAULT_WORKING_DAYS=3)
    def test_others_get_the_configured_default(self, world: World) -> None:
        client = ClientFactory(date_of_birth=datetime.date(1990, 5, 5), identity_code="")
        contact = self.contact(world, client)
        assert (contact.deadline_rule, contact.assessment_due_on) == (DeadlineRule.DEFAULT, datetime.date(2025, 12, 23))

    def test_the_caseload_shows_the_earliest_pending_deadline(self, world: World) -> None:
        _contact(world, world.own_client, contacted_on=datetime.date(2026, 11, 2))
        _contact(world, world.own_client, contacted_on=datetime.date(2026, 11, 9), urgent=True)
        row = selectors.caseload(coordinator=world.coordinator).get(client=world.own_client)
        assert row.assessment_due_on == datetime.date(2026, 11, 9)  # type: ignore[attr-defined]

    def test_a_future_contact_date_is_refused(self, world: World) -> None:
        with pytest.raises(ValidationError, match="future"):
            _contact(world, world.own_client, contacted_on=timezone.localdate() + datetime.timedelta(days=1))


class TestNamedWorker:
    def test_a_child_needing_special_support_needs_a_social_worker(self, world: World) -> None:
        world.own_client.child_special_support = True
        world.own_client.save()
        with pytest.raises(ValidationError) as caught:
            services.assign_coordinator(
                client=world.own_client,
                coordinator=world.colleague,
                started_on=timezone.localdate(),
                by=world.lead,
                ground=Ground.TEAM_LEAD,
            )
        assert "social worker" in str(caught.value)
        social_worker = CoordinatorFactory(profession=Profession.SOCIAL_WORKER)
        services.assign_coordinator(
            client=world.own_client,
            coordinator=social_worker,
            started_on=timezone.localdate(),
            by=world.lead,
            ground=Ground.TEAM_LEAD,
        )
        assert world.own_client.assignments.get(ended_on__isnull=True).coordinator == social_worker

    def test_the_client_is_told_who_their_named_worker_is_in_their_language(self, world: World) -> None:
        world.own_client.preferred_language = "sv"
        world.own_client.save()
        services.assign_coordinator(
            client=world.own_client,
            coordinator=world.colleague,
            started_on=timezone.localdate(),
            by=world.lead,
            ground=Ground.TEAM_LEAD,
        )
        message = ClientMessage.objects.filter(client=world.own_client).latest("created_at")
        assert world.colleague.get_full_name() in message.body
        assert message.subject == "Din egen kontaktperson"

    def test_no_named_worker_needs_a_reason_and_ends_the_assignment(self, world: World) -> None:
        with pytest.raises(ValidationError):
            services.record_no_named_worker(client=world.own_client, by=world.lead, ground=Ground.TEAM_LEAD, reason=" ")
        services.record_no_named_worker(
            client=world.own_client, by=world.lead, ground=Ground.TEAM_LEAD, reason="Asioi itsenäisesti"
        )
        world.own_client.refresh_from_db()
        assert world.own_client.no_named_worker_reason == "Asioi itsenäisesti"
        assert not world.own_client.assignments.filter(ended_on__isnull=True).exists()
        # The team stays responsible: its lead still sees the client.
        assert client_for(world.lead, world.own_client.pk).access_ground == Ground.TEAM_LEAD


class TestHandover:
    def test_150_clients_spread_evenly_in_one_transaction_with_bounded_queries(self, world: World) -> None:
        world.give(world.coordinator, count=149)
        receivers = [world.colleague, CoordinatorFactory(), CoordinatorFactory()]
        for receiver in receivers[1:]:
            TeamMembershipFactory(team=world.team_a, user=receiver)
        clients = [a.client for a in selectors.caseload(coordinator=world.coordinator)]
        assert len(clients) == 150
        with CaptureQueriesContext(connection) as captured:
            created = services.hand_over(
                clients=clients, to=receivers, by=world.lead, ground=Ground.TEAM_LEAD, note="Jään eläkkeelle"
            )
        # A fixed number whatever the number of clients: 10 for the handover, and for the grant
        # log one query per receiver (who sees through them) and two per person whose access
        # may grow (the receivers and the lead), before and after.
        assert len(captured) <= 10 + len(receivers) + 2 * (len(receivers) + 1) + 2
        assert len(created) == 150
        per_receiver = [assignment.coordinator_id for assignment in created]
        assert sorted(per_receiver.count(r.pk) for r in receivers) == [50, 50, 50]
        for client in clients:
            assert client.assignments.filter(ended_on__isnull=True).count() == 1
            assert (
                client.assignments.filter(end_reason=AssignmentEnd.HANDOVER, coordinator=world.coordinator).count() == 1
            )
        assert ClientMessage.objects.filter(client__in=clients).count() == 150
        assert selectors.unread_handover_notes(world.colleague).count() == 50

    def test_a_failure_part_way_leaves_nothing_changed(self, world: World) -> None:
        world.give(world.coordinator, count=5)
        clients = [a.client for a in selectors.caseload(coordinator=world.coordinator)]
        clients[3].child_special_support = True  # the colleague is no social worker
        clients[3].save()
        before = list(Assignment.objects.order_by("pk").values_list("pk", "coordinator", "ended_on"))
        with pytest.raises(ValidationError, match="social worker"):
            services.hand_over(clients=clients, to=[world.colleague], by=world.lead, ground=Ground.TEAM_LEAD, note="")
        assert list(Assignment.objects.order_by("pk").values_list("pk", "coordinator", "ended_on")) == before

    def test_the_api_refuses_clients_that_are_not_yours_and_changes_nothing(self, world: World, api: APIClient) -> None:
        api.force_login(world.coordinator)
        response = api.post(
            reverse("api-handover"),
            {"client_ids": [world.own_client.pk, world.other_client.pk], "to": [world.colleague.pk]},
            format="json",
        )
        assert response.status_code == 400
        assert str(world.other_client.pk) in str(response.json()["clients"])
        assert world.own_client.assignments.get(ended_on__isnull=True).coordinator == world.coordinator

    def test_the_handover_note_is_read_once(self, world: World) -> None:
        [assignment] = services.hand_over(
            clients=[world.own_client],
            to=[world.colleague],
            by=world.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            note="Kissa hoidossa naapurilla",
        )
        assert list(selectors.unread_handover_notes(world.colleague)) == [assignment]
        services.mark_handover_note_read(assignment=assignment, by=world.colleague)
        assert not selectors.unread_handover_notes(world.colleague).exists()


class TestSubstitution:
    def test_access_starts_and_ends_on_its_dates(self, world: World) -> None:
        today = timezone.localdate()
        substitution = team_services.create_substitution(
            absent=world.coordinator,
            substitute=world.colleague,
            starts_on=today + datetime.timedelta(days=1),
            ends_on=today + datetime.timedelta(days=3),
            by=world.coordinator,
        )
        with pytest.raises(Http404):
            client_for(world.colleague, world.own_client.pk)
        Substitution.objects.filter(pk=substitution.pk).update(starts_on=today)
        assert client_for(world.colleague, world.own_client.pk).access_ground == Ground.SUBSTITUTE
        Substitution.objects.filter(pk=substitution.pk).update(
            starts_on=today - datetime.timedelta(days=5), ends_on=today - datetime.timedelta(days=1)
        )
        with pytest.raises(Http404):
            client_for(world.colleague, world.own_client.pk)

    def test_only_for_yourself_or_your_team_and_with_a_colleague(self, world: World) -> None:
        today = timezone.localdate()
        with pytest.raises(ValidationError, match="yourself or your team"):
            team_services.create_substitution(
                absent=world.coordinator,
                substitute=world.colleague,
                starts_on=today,
                ends_on=today,
                by=world.other_lead,
            )
        with pytest.raises(ValidationError, match="same team"):
            team_services.create_substitution(
                absent=world.coordinator,
                substitute=world.other_coordinator,
                starts_on=today,
                ends_on=today,
                by=world.lead,
            )
        with pytest.raises(ValidationError, match="before it starts"):
            team_services.create_substitution(
                absent=world.coordinator,
                substitute=world.colleague,
                starts_on=today,
                ends_on=today - datetime.timedelta(days=1),
                by=world.coordinator,
            )


class TestReferrals:
    def test_status_only_moves_forward(self, world: World) -> None:
        referral = world.own_referral
        services.advance_referral(
            referral=referral, status="answered", by=world.coordinator, ground=Ground.DESIGNATED_COORDINATOR
        )
        with pytest.raises(ValidationError, match="forward"):
            services.advance_referral(
                referral=referral, status="received", by=world.coordinator, ground=Ground.DESIGNATED_COORDINATOR
            )

    def test_overdue_follow_ups_are_listed_for_the_coordinator_and_the_lead(self, world: World) -> None:
        assert list(selectors.overdue_referrals(world.coordinator)) == [world.own_referral]
        assert list(selectors.overdue_referrals(world.lead)) == [world.own_referral]
        assert list(selectors.overdue_referrals(world.other_lead)) == []
        services.advance_referral(
            referral=world.own_referral, status="closed", by=world.coordinator, ground=Ground.DESIGNATED_COORDINATOR
        )
        assert list(selectors.overdue_referrals(world.coordinator)) == []

    def test_an_incoming_referral_becomes_a_contact(self, world: World) -> None:
        referral = services.receive_referral(
            client=world.own_client,
            by=world.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            counterpart="Kela, Kuopion toimisto",
            source=ContactSource.KELA,
            reason="Kuntoutustarve",
            received_on=ago(25),
        )
        assert referral.direction == Referral.Direction.INCOMING
        assert referral.contact is not None
        assert referral.contact.source == ContactSource.KELA
        assert referral.contact.assessment_due_on > ago(25)


class TestClosure:
    def test_closure_ends_the_assignment_stops_deadlines_and_starts_retention(self, world: World) -> None:
        contact = _contact(world, world.own_client, contacted_on=ago(25))
        closed_on = ago(7)
        period = services.close_client(
            client=world.own_client,
            by=world.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            closed_on=closed_on,
            reason=ClosureReason.MOVED,
            summary="Muutti Ouluun tyttären luo.",
            reached="Palvelut jatkuvat Oulussa.",
            client_view="partly",
            client_view_words="Hyvä, että joku soitti Ouluun.",
        )
        assert period.planned_ending is False
        assert (period.client_view, period.reached) == ("partly", "Palvelut jatkuvat Oulussa.")
        assert world.own_client.assignments.get(end_reason=AssignmentEnd.CLOSURE).ended_on == closed_on
        contact.refresh_from_db()
        assert contact.cancelled_on == closed_on
        assert period.retention_starts_on == closed_on
        expected_class = services.retention_class(world.own_client, closed_on)
        assert period.retention_class == expected_class
        assert period.retention_ends_on is not None
        assert period.retention_ends_on.year - closed_on.year in (10, 12)
        assert selectors.caseload(coordinator=world.coordinator).filter(client=world.own_client).count() == 0
        # The former coordinator still reads the record.
        assert client_for(world.coordinator, world.own_client.pk).access_ground == Ground.FORMER_COORDINATOR

    def test_closed_is_read_only_until_reopened(self, world: World, api: APIClient) -> None:
        client = world.closed_client
        with pytest.raises(ConflictError):
            services.update_client(client=client, by=world.lead, ground=Ground.TEAM_LEAD, fields={"phone": "1"})
        api.force_login(world.lead)
        response = api.post(
            reverse("api-client-contacts", kwargs={"pk": client.pk}),
            {"contacted_on": ago(25).isoformat(), "channel": "phone", "source": "client", "reason": "x"},
            format="json",
        )
        assert response.status_code == 403
        response = api.post(
            reverse("api-client-closure", kwargs={"pk": client.pk}),
            {
                "closed_on": ago(25).isoformat(),
                "reason": "moved",
                "summary": "x",
                "reached": "x",
                "client_view": "helped",
            },
            format="json",
        )
        assert response.status_code == 409
        closed_on = client.closed_on
        services.reopen_client(
            client=client,
            by=world.lead,
            ground=Ground.TEAM_LEAD,
            opened_on=ago(25),
            coordinator=world.colleague,
        )
        client.refresh_from_db()
        assert not client.is_closed
        periods = list(
            RelationshipPeriod.objects.filter(client=client).order_by("opened_on").values_list("closed_on", flat=True)
        )
        assert periods == [closed_on, None]
        assert client.assignments.get(ended_on__isnull=True).coordinator == world.colleague

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            (
                {
                    "closed_on": ago(25).isoformat(),
                    "reason": "bored",
                    "summary": "x",
                    "reached": "x",
                    "client_view": "helped",
                },
                "reason",
            ),
            (
                {
                    "closed_on": ago(25).isoformat(),
                    "reason": "moved",
                    "summary": "   ",
                    "reached": "x",
                    "client_view": "helped",
                },
                "summary",
            ),
            (
                {
                    "closed_on": ago(-1).isoformat(),
                    "reason": "moved",
                    "summary": "x",
                    "reached": "x",
                    "client_view": "helped",
                },
                "closed_on",
            ),
            (
                {
                    "closed_on": ago(2000).isoformat(),
                    "reason": "moved",
                    "summary": "x",
                    "reached": "x",
                    "client_view": "helped",
                },
                "closed_on",
            ),
            (
                {
                    "closed_on": ago(25).isoformat(),
                    "reason": "moved",
                    "summary": "x",
                    "reached": "x",
                    "client_view": "helped",
                    "extra": 1,
                },
                "extra",
            ),
            (
                {
                    "closed_on": ago(25).isoformat(),
                    "reason": "moved",
                    "summary": "x",
                    "reached": " ",
                    "client_view": "helped",
                },
                "reached",
            ),
            (
                {
                    "closed_on": ago(25).isoformat(),
                    "reason": "moved",
                    "summary": "x",
                    "reached": "x",
                    "client_view": "yes",
                },
                "client_view",
            ),
        ],
    )
    def test_bad_closure_input_is_a_400_and_changes_nothing(self, world: World, api: APIClient, payload, field) -> None:
        api.force_login(world.coordinator)
        response = api.post(reverse("api-client-closure", kwargs={"pk": world.own_client.pk}), payload, format="json")
        assert response.status_code == 400
        assert field in response.json()
        world.own_client.refresh_from_db()
        assert not world.own_client.is_closed
        assert world.own_client.assignments.filter(ended_on__isnull=True).exists()


class TestContinuity:
    def test_changes_gaps_and_length_from_sql(self, world: World) -> None:
        today = timezone.localdate()
        client = ClientFactory(
            relationship_started_on=today - datetime.timedelta(days=400), team=world.team_a, identity_code=""
        )
        RelationshipPeriod.objects.create(client=client, opened_on=client.relationship_started_on)
        # Named 10 days after the start, a gap of 20 days, then the current worker.
        Assignment.objects.create(
            client=client,
            coordinator=world.colleague,
            started_on=today - datetime.timedelta(days=390),
            ended_on=today - datetime.timedelta(days=300),
            end_reason="handover",
        )
        Assignment.objects.create(
            client=client, coordinator=world.coordinator, started_on=today - datetime.timedelta(days=280)
        )
        figures = selectors.continuity_of(client)
        assert figures["relationship_days"] == 400
        assert figures["days_without_worker"] == 10 + 20
        assert figures["worker_changes_12m"] == 1  # the current worker, 280 days ago; the first was not a change

    def test_a_first_naming_after_intake_is_not_a_change(self, world: World) -> None:
        today = timezone.localdate()
        client = ClientFactory(relationship_started_on=today - datetime.timedelta(days=30), identity_code="")
        Assignment.objects.create(
            client=client, coordinator=world.coordinator, started_on=today - datetime.timedelta(days=20)
        )
        figures = selectors.continuity_of(client)
        assert (figures["worker_changes_12m"], figures["days_without_worker"]) == (0, 10)


class TestIntakeAndSearch:
    @PINNED
    def test_intake_opens_a_relationship_with_a_deadline(self, world: World, api: APIClient) -> None:
        api.force_login(world.lead)
        born = datetime.date(1944, 3, 3)
        response = api.post(
            reverse("api-intake"),
            {
                "contact": {
                    "contacted_on": "2025-12-18",
                    "channel": "phone",
                    "source": "relative",
                    "reason": "Kaatuilu",
                },
                "client": {
                    "first_name": "Åke",
                    "last_name": "Öhman",
                    "date_of_birth": born.isoformat(),
                    "identity_code": make_identity_code(born, 961),
                    "municipality": "Vaasa",
                    "preferred_language": "sv",
                },
                "coordinator_id": world.colleague.pk,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["contact"]["assessment_due_on"] == "2026-01-02"
        client = client_for(world.colleague, response.json()["client_id"])
        assert client.team == world.team_a
        assert client.relationship_periods.count() == 1

    def test_intake_on_a_closed_client_by_identity_code_reopens_it(self, world: World, api: APIClient) -> None:
        api.force_login(world.other_coordinator)
        response = api.post(
            reverse("api-intake"),
            {
                "contact": {
                    "contacted_on": ago(25).isoformat(),
                    "channel": "visit",
                    "source": "client",
                    "reason": "Uusi tarve",
                },
                "identity_code": world.closed_client.identity_code,
                # Not their former client: a returning client, reopened with the reason.
                "returning_reason": "Palasi palveluiden piiriin",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        world.closed_client.refresh_from_db()
        assert not world.closed_client.is_closed
        assert world.closed_client.relationship_started_on == ago(25)

    @pytest.mark.parametrize("typed", ["Öhman", "ohman", "Ohmann", "öhman åke", "OHMAN"])
    def test_search_by_name_tolerates_typos_and_finnish_letters(self, world: World, typed: str) -> None:
        client = world.give(world.coordinator)
        client.first_name, client.last_name = "Åke", "Öhman"
        client.save()
        assert selectors.search_clients(user=world.coordinator, query=typed)[:1] == [client]
        assert selectors.search_clients(user=world.other_coordinator, query=typed) == []
