"""Needs assessments: deadlines, freezing, the week grid, comparison and bad input."""

import datetime
from typing import Any

import pytest
from django.db import ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access.policy import Ground
from assessments import selectors, services
from assessments.models import Assessment, Coverage, DomainNeed, LifeDomain, NeedSlot
from clients import services as client_services
from clients.models import Client, ContactSource
from core.errors import ConflictError
from tests.conftest import World

COORDINATOR = Ground.DESIGNATED_COORDINATOR


def domain(code: str) -> LifeDomain:
    return LifeDomain.objects.get(code=code)


def fill_and_complete(world: World, assessment: Assessment, completed_on: datetime.date | None = None) -> Assessment:
    services.update_assessment(
        assessment=assessment,
        by=world.coordinator,
        ground=COORDINATOR,
        fields={
            "situation_summary": "Asuu yksin, muisti heikentynyt.",
            "professional_conclusion": "Tarvitsee kotihoitoa aamuisin.",
            "client_view": "Haluan asua kotona.",
        },
    )
    return services.complete_assessment(
        assessment=assessment, by=world.coordinator, ground=COORDINATOR, completed_on=completed_on
    )


# Months that end on the 30th after ones that end on the 31st: the class runs on a pinned day.
@pytest.mark.today(datetime.date(2026, 11, 27))
class TestDeadlines:
    def test_starting_meets_the_contacts_start_deadline(self, world: World) -> None:
        contact = client_services.record_contact(
            client=world.colleague_client,
            by=world.colleague,
            ground=COORDINATOR,
            contacted_on=datetime.date(2026, 11, 2),
            channel="phone",
            source=ContactSource.CLIENT,
            reason="Arki ei suju",
        )
        assessment = services.start_assessment(
            client=world.colleague_client, by=world.colleague, ground=COORDINATOR, started_on=datetime.date(2026, 11, 5)
        )
        contact.refresh_from_db()
        assert assessment.contact == contact
        assert contact.assessment_started_on == datetime.date(2026, 11, 5)

    def test_a_child_needing_special_support_is_completed_within_three_months(self, world: World) -> None:
        world.colleague_client.child_special_support = True
        world.colleague_client.save()
        assessment = services.start_assessment(
            client=world.colleague_client, by=world.colleague, ground=COORDINATOR, started_on=datetime.date(2026, 8, 31)
        )
        assert assessment.complete_by == datetime.date(2026, 11, 30)  # no 31 November
        due = selectors.due_assessments(
            world.colleague, viewer=world.colleague, ground=COORDINATOR, today=datetime.date(2026, 11, 20)
        )
        assert [(item.client, item.kind, item.due_on) for item in due] == [
            (world.colleague_client, "complete", datetime.date(2026, 11, 30))
        ]

    def test_rai_clients_are_reassessed_in_six_months(self, world: World) -> None:
        world.assessment.started_on = datetime.date(2026, 5, 4)
        world.assessment.save()
        services.update_assessment(
            assessment=world.assessment,
            by=world.coordinator,
            ground=COORDINATOR,
            fields={"rai_instrument": "interrai_hc", "rai_scores": {"maple": 4, "cps": 2, "adl_h": 3, "iadl": 20}},
        )
        completed = fill_and_complete(world, world.assessment, datetime.date(2026, 5, 31))
        assert completed.reassess_on == datetime.date(2026, 11, 30)
        due = selectors.due_assessments(
            world.coordinator, viewer=world.coordinator, ground=COORDINATOR, today=datetime.date(2026, 11, 23)
        )
        assert [(item.kind, item.due_on) for item in due] == [("reassess", datetime.date(2026, 11, 30))]
        assert due[0].days_left == (datetime.date(2026, 11, 30) - timezone.localdate()).days

    def test_without_rai_there_is_no_automatic_reassessment(self, world: World) -> None:
        assert fill_and_complete(world, world.assessment).reassess_on is None


class TestFrozen:
    def test_a_completed_assessment_refuses_changes_in_the_service(self, world: World) -> None:
        fill_and_complete(world, world.assessment)
        with pytest.raises(ConflictError):
            services.update_assessment(
                assessment=world.assessment, by=world.coordinator, ground=COORDINATOR, fields={"client_view": "x"}
            )
        with pytest.raises(ConflictError):
            services.set_need(
                assessment=world.assessment, domain=domain("health"), by=world.coordinator, ground=COORDINATOR, level=1
            )

    def test_and_in_the_api(self, world: World, api: APIClient) -> None:
        fill_and_complete(world, world.assessment)
        api.force_login(world.coordinator)
        url = reverse("api-assessment-detail", kwargs={"pk": world.assessment.pk})
        assert api.patch(url, {"client_view": "x"}, format="json").status_code == 409

    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE assessments_assessment SET client_view = 'muutettu'",
            "DELETE FROM assessments_assessment",
            "UPDATE assessments_domainneed SET level = 0",
            "UPDATE assessments_needslot SET coverage = 'client'",
            "DELETE FROM assessments_needslot",
        ],
    )
    def test_and_in_the_database(self, world: World, statement: str) -> None:
        fill_and_complete(world, world.assessment)
        with (
            pytest.raises(ProgrammingError, match="Cannot update or delete"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
        world.assessment.refresh_from_db()
        assert world.assessment.client_view == "Haluan asua kotona."

    def test_a_new_assessment_starts_from_the_previous_one(self, world: World) -> None:
        fill_and_complete(world, world.assessment)
        new = services.start_assessment(client=world.own_client, by=world.coordinator, ground=COORDINATOR)
        assert new.previous == world.assessment
        [need] = new.needs.all()
        assert (need.domain.code, need.level, need.client_text, need.frozen) == (
            "daily_living",
            2,
            "Aamut ovat vaikeita.",
            False,
        )
        assert [(s.weekday, s.time_of_day, s.network_member) for s in need.slots.all()] == [
            (0, "morning", world.relative)
        ]
        services.set_need(
            assessment=new, domain=domain("daily_living"), by=world.coordinator, ground=COORDINATOR, level=1
        )
        assert DomainNeed.objects.get(assessment=world.assessment).level == 2


class TestGrid:
    def test_coverage_counts_and_uncovered_slots(self, world: World) -> None:
        services.set_need(
            assessment=world.assessment,
            domain=domain("health"),
            by=world.coordinator,
            ground=COORDINATOR,
            level=3,
            slots=[
                {"weekday": 0, "time_of_day": "morning", "coverage": ""},  # same time as the relative's
                {"weekday": 0, "time_of_day": "evening", "coverage": "service", "service": "Kotihoito"},
                {"weekday": 6, "time_of_day": "night", "coverage": ""},
            ],
        )
        grid = selectors.week_grid(selectors.assessment_with_needs(world.assessment.pk))
        assert grid.needed == 3  # Monday morning, Monday evening, Sunday night
        assert grid.uncovered == 2  # Monday morning has an uncovered need; Sunday night
        monday_morning = grid.cells[(0, "morning")]
        assert {slot.coverage for slot in monday_morning} == {Coverage.NETWORK, Coverage.UNCOVERED}
        assert any(slot.network_member == world.relative for slot in monday_morning)

    def test_the_detail_costs_the_same_for_few_and_many_needs(self, world: World, api: APIClient) -> None:
        api.force_login(world.coordinator)
        url = reverse("api-assessment-detail", kwargs={"pk": world.assessment.pk})

        def count() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert api.get(url).status_code == 200
            return len(captured)

        few = count()
        for code in ("health", "finances", "safety", "inclusion"):
            services.set_need(
                assessment=world.assessment,
                domain=domain(code),
                by=world.coordinator,
                ground=COORDINATOR,
                level=1,
                slots=[{"weekday": day, "time_of_day": "midday", "coverage": "client"} for day in range(7)],
            )
        assert count() == few


class TestComparison:
    def test_direction_per_domain(self, world: World, api: APIClient) -> None:
        services.set_need(
            assessment=world.assessment, domain=domain("health"), by=world.coordinator, ground=COORDINATOR, level=1
        )
        services.set_need(
            assessment=world.assessment, domain=domain("finances"), by=world.coordinator, ground=COORDINATOR, level=2
        )
        fill_and_complete(world, world.assessment)
        new = services.start_assessment(client=world.own_client, by=world.coordinator, ground=COORDINATOR)
        services.set_need(
            assessment=new, domain=domain("daily_living"), by=world.coordinator, ground=COORDINATOR, level=1
        )
        services.set_need(assessment=new, domain=domain("health"), by=world.coordinator, ground=COORDINATOR, level=3)
        DomainNeed.objects.filter(assessment=new, domain__code="finances").delete()
        services.set_need(assessment=new, domain=domain("inclusion"), by=world.coordinator, ground=COORDINATOR, level=1)
        api.force_login(world.coordinator)
        response = api.get(reverse("api-assessment-compare", kwargs={"pk": world.own_client.pk}))
        assert response.status_code == 200
        assert {row["domain"]: row["direction"] for row in response.json()} == {
            "daily_living": "better",
            "finances": "gone",
            "inclusion": "new",
            "health": "worse",
        }


BAD_NEEDS = [
    pytest.param({"level": 7}, "level", id="level out of range"),
    pytest.param({"level": 1, "icf_qualifier": 5}, "icf_qualifier", id="ICF qualifier out of range"),
    pytest.param({"level": 1, "slots": [{"weekday": 7, "time_of_day": "morning"}]}, "slots", id="no eighth weekday"),
    pytest.param({"level": 1, "slots": [{"weekday": 1, "time_of_day": "teatime"}]}, "slots", id="no such time of day"),
    pytest.param(
        {
            "level": 1,
            "slots": [{"weekday": 1, "time_of_day": "night", "coverage": "network", "network_member": 999999}],
        },
        "slots",
        id="network member of nobody",
    ),
    pytest.param(
        {"level": 1, "slots": [{"weekday": 1, "time_of_day": "night"}, {"weekday": 1, "time_of_day": "night"}]},
        "slots",
        id="the same slot twice",
    ),
    pytest.param({"level": "two"}, "level", id="wrong type"),
    pytest.param({"level": 1, "mood": "good"}, "mood", id="unknown field"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_NEEDS)
def test_bad_need_input_is_a_400_and_saves_nothing(
    world: World, api: APIClient, payload: dict[str, Any], field: str
) -> None:
    api.force_login(world.coordinator)
    before = (DomainNeed.objects.count(), NeedSlot.objects.count())
    url = reverse("api-assessment-need", kwargs={"pk": world.assessment.pk, "domain": "daily_living"})
    response = api.put(url, payload, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert (DomainNeed.objects.count(), NeedSlot.objects.count()) == before
    assert DomainNeed.objects.get(assessment=world.assessment).level == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"rai_instrument": "interrai_hc", "rai_scores": {"maple": 9}}, "rai_scores"),
        ({"rai_instrument": "interrai_hc", "rai_scores": {"happiness": 3}}, "rai_scores"),
        ({"rai_scores": {"cps": 2}}, "rai_scores"),
        ({"rai_instrument": "mmse"}, "rai_instrument"),
        ({"client_view": ["x"]}, "client_view"),
    ],
)
def test_bad_assessment_input_is_a_400(world: World, api: APIClient, payload: dict[str, Any], field: str) -> None:
    api.force_login(world.coordinator)
    response = api.patch(reverse("api-assessment-detail", kwargs={"pk": world.assessment.pk}), payload, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    world.assessment.refresh_from_db()
    assert (world.assessment.rai_instrument, world.assessment.rai_scores) == ("", {})


def test_completion_needs_the_statutory_fields_and_dates_in_order(world: World, api: APIClient) -> None:
    api.force_login(world.coordinator)
    url = reverse("api-assessment-complete", kwargs={"pk": world.assessment.pk})
    response = api.post(url, {}, format="json")
    assert response.status_code == 400
    assert {"situation_summary", "professional_conclusion", "client_view"} <= set(response.json())
    fill = {"situation_summary": "a", "professional_conclusion": "b", "client_view": "c"}
    api.patch(reverse("api-assessment-detail", kwargs={"pk": world.assessment.pk}), fill, format="json")
    before_the_start = world.assessment.started_on - datetime.timedelta(days=1)
    response = api.post(url, {"completed_on": before_the_start.isoformat()}, format="json")
    assert response.status_code == 400
    assert "completed_on" in response.json()
    world.assessment.refresh_from_db()
    assert world.assessment.status == Assessment.Status.STARTED


def test_due_list_costs_the_same_for_few_and_many_clients(world: World, api: APIClient) -> None:
    """From one client on the list to eleven; with none, the list logs nothing and saves the
    query that logs them."""
    api.force_login(world.coordinator)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api.get(reverse("api-assessments-due"))
        assert response.status_code == 200
        assert response.json()
        return len(captured)

    def contact_today(client: Client) -> None:
        client_services.record_contact(
            client=client,
            by=world.coordinator,
            ground=COORDINATOR,
            contacted_on=timezone.localdate(),
            channel="phone",
            source=ContactSource.CLIENT,
            reason="x",
        )

    contact_today(world.own_client)
    few = count()
    for client in [world.give(world.coordinator) for _ in range(10)]:
        contact_today(client)
    assert count() == few
