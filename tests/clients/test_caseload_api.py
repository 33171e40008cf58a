"""The caseload API: what each row says and what it leaves in the access log; and a list's
access events, each with its client's own ground."""

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access import policy
from access.models import AccessEvent
from access.services import record_list_access
from clients import selectors
from clients.api import CaseloadEntrySerializer, ContinuitySerializer
from clients.factories import ContactFactory
from tests.conftest import World


def test_each_row_has_the_continuity_of_its_schema_and_each_client_shown_is_logged(world: World) -> None:
    waiting = world.give(world.coordinator)
    ContactFactory(client=waiting)  # an assessment to start: a deadline in the row
    world.give(world.coordinator, count=2)
    api = APIClient()
    api.force_login(world.coordinator)
    last = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started = timezone.now()

    response = api.get(reverse("api-caseload"))

    assert response.status_code == 200
    rows = response.json()["results"]
    assignments = {assignment.pk: assignment for assignment in selectors.caseload(coordinator=world.coordinator)}
    assert sorted(row["id"] for row in rows) == sorted(assignments)
    for row in rows:
        assert row["continuity"] == ContinuitySerializer(assignments[row["id"]]).data
    assert any(row["continuity"]["assessment_due_on"] for row in rows)
    events = list(AccessEvent.objects.filter(pk__gt=last))
    assert sorted(event.client_id for event in events) == sorted(row["client"]["id"] for row in rows)
    for event in events:
        assert (event.actor, event.action, event.what, event.ground) == (
            world.coordinator,
            AccessEvent.Action.LIST,
            "caseload",
            policy.Ground.DESIGNATED_COORDINATOR,
        )
        assert (event.reason, event.grantee, event.until) == ("", None, None)
        assert started <= event.at <= timezone.now()


def test_each_row_drawn_directly_is_what_the_declared_fields_give(world: World) -> None:
    waiting = world.give(world.coordinator)
    ContactFactory(client=waiting)
    world.give(world.coordinator, count=2)
    assignment = selectors.caseload(coordinator=world.coordinator).get(client=waiting)
    assignment.handover_note = "Soita aamupäivisin; tytär tietää avaimen."
    assignment.save()
    caseload = list(selectors.caseload(coordinator=world.coordinator))
    assert len(caseload) >= 3

    drawn = CaseloadEntrySerializer(caseload, many=True).data
    serializer = CaseloadEntrySerializer()
    by_fields = [super(CaseloadEntrySerializer, serializer).to_representation(row) for row in caseload]

    assert [dict(row) for row in drawn] == [dict(row) for row in by_fields]
    assert any(row["handover_note"] for row in drawn)
    assert any(row["continuity"]["assessment_due_on"] for row in drawn)


def test_a_list_without_one_ground_logs_each_clients_own(world: World) -> None:
    own = world.give(world.coordinator)
    colleagues = world.give(world.other_coordinator)
    shown = list(policy.visible_clients(world.lead).filter(pk__in=[own.pk, colleagues.pk]))
    grounds = {client.pk: client.access_ground for client in shown}
    last = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    record_list_access(actor=world.lead, clients=shown, what="search")
    record_list_access(actor=world.lead, clients=[], what="search")  # nothing shown, nothing logged

    events = AccessEvent.objects.filter(pk__gt=last)
    assert {event.client_id: event.ground for event in events} == grounds
    assert len(events) == len(shown)
