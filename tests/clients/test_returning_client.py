"""A closed client reopened by someone who was not their worker: the ground *returning
client* with a reason, the last team lead told, and the earlier record opened only as far as
the new work needs until the lead confirms."""

import datetime
from typing import Any

from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access import grants as access_grants
from access.models import AccessEvent, ReturningClient
from access.policy import Ground, client_for
from accounts.models import User
from assessments import services as assessment_services
from assessments.models import Assessment
from care_plans.models import CarePlan, PlanVersion
from clients.models import Client
from reminders.models import Kind, Reminder
from tests.conftest import World


def intake(user: User, client: Client, **extra: Any) -> Any:
    api = APIClient()
    api.force_login(user)
    contact = {"contacted_on": str(client.closed_on), "channel": "phone", "source": "client", "reason": "Palasi"}
    return api.post(
        reverse("api-intake"), {"contact": contact, "identity_code": client.identity_code, **extra}, format="json"
    )


def browser_of(user: User) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def test_without_a_reason_nothing_is_reopened(world: World) -> None:
    response = intake(world.other_coordinator, world.closed_client)
    assert response.status_code == 400
    assert "returning_reason" in response.json()
    world.closed_client.refresh_from_db()
    assert world.closed_client.is_closed
    assert not ReturningClient.objects.exists()


def reopened(world: World) -> ReturningClient:
    response = intake(world.other_coordinator, world.closed_client, returning_reason="Muutti takaisin Kuopioon")
    assert response.status_code == 201, response.content
    return ReturningClient.objects.get()


def test_the_new_worker_sees_only_what_the_new_work_needs(world: World) -> None:
    returning = reopened(world)
    assert (returning.opened_by, returning.worker, returning.reason) == (
        world.other_coordinator,
        world.other_coordinator,
        "Muutti takaisin Kuopioon",
    )
    client = client_for(world.other_coordinator, world.closed_client.pk)
    assert client.access_ground == Ground.RETURNING_CLIENT
    api = APIClient()
    api.force_login(world.other_coordinator)
    assert api.get(reverse("api-client-contacts", kwargs={"pk": client.pk})).status_code == 403
    page = browser_of(world.other_coordinator).get(reverse("client-detail", args=[client.pk])).content.decode()
    assert "Tavoitteet saavutettu." not in page
    grant = AccessEvent.objects.get(action=AccessEvent.Action.GRANT, grantee=world.other_coordinator, client=client)
    assert grant.ground == Ground.RETURNING_CLIENT


def test_the_last_team_lead_is_told_and_confirms(world: World) -> None:
    returning = reopened(world)
    reminder = Reminder.objects.get(kind=Kind.RETURNING_CLIENT)
    assert (reminder.recipient, reminder.client_id) == (world.lead, world.closed_client.pk)
    lead = browser_of(world.lead)
    inbox = lead.get(reverse("reminders"))
    assert inbox.status_code == 200
    shown = [r for group in inbox.context["groups"] for kind in group.kinds for r in kind.reminders]
    assert reminder in shown
    page = lead.get(reverse("client-detail", args=[world.closed_client.pk])).content.decode()
    assert reverse("returning-client-confirm", args=[returning.pk]) in page
    assert lead.post(reverse("returning-client-confirm", args=[returning.pk])).status_code == 302
    assert client_for(world.other_coordinator, world.closed_client.pk).access_ground == Ground.DESIGNATED_COORDINATOR
    after = browser_of(world.other_coordinator).get(reverse("client-detail", args=[world.closed_client.pk]))
    assert "Tavoitteet saavutettu." in after.content.decode()
    reminder.refresh_from_db()
    assert reminder.done_at is not None
    assert lead.post(reverse("returning-client-confirm", args=[returning.pk])).status_code == 409


def test_nobody_else_confirms(world: World) -> None:
    returning = reopened(world)
    url = reverse("api-returning-client-confirm", kwargs={"pk": returning.pk})
    api = APIClient()
    for user, status in ((world.other_coordinator, 403), (world.other_lead, 403), (world.colleague, 404)):
        api.force_login(user)
        assert api.post(url).status_code == status, user
    returning.refresh_from_db()
    assert returning.confirmed_at is None


def test_the_former_worker_reopens_as_before(world: World) -> None:
    response = intake(world.coordinator, world.closed_client)
    assert response.status_code == 201
    assert not ReturningClient.objects.exists()
    assert client_for(world.coordinator, world.closed_client.pk).access_ground == Ground.DESIGNATED_COORDINATOR


def test_the_intake_page_asks_for_the_reason_and_then_reopens(world: World) -> None:
    browser = browser_of(world.other_coordinator)
    data = {
        "mode": "existing",
        "existing_identity_code": world.closed_client.identity_code,
        "coordinator": world.other_coordinator.pk,
        "contacted_on": str(world.closed_client.closed_on),
        "channel": "phone",
        "source": "client",
        "reason": "Palasi",
    }
    asked = browser.post(reverse("intake"), data)
    assert asked.status_code == 400
    assert asked.context["intake_form"].errors["returning_reason"]
    assert world.closed_client.last_name not in asked.content.decode()
    assert not ReturningClient.objects.exists()
    done = browser.post(reverse("intake"), {**data, "returning_reason": "Muutti takaisin"})
    assert done.status_code == 302
    assert ReturningClient.objects.get().reason == "Muutti takaisin"


def earlier_record(world: World) -> tuple[list[Assessment], list[PlanVersion]]:
    """Three completed assessments and three published plan versions from before the closure."""
    client, since = world.closed_client, world.closed_client.closed_on
    assert since is not None
    assessments = [
        Assessment.objects.create(
            client=client,
            status=Assessment.Status.COMPLETED,
            started_on=since - datetime.timedelta(days=days),
            completed_on=since - datetime.timedelta(days=days - 10),
            created_by=world.coordinator,
        )
        for days in (400, 250, 100)
    ]
    plan = CarePlan.objects.create(client=client, created_by=world.coordinator)
    versions = [
        PlanVersion.objects.create(
            plan=plan,
            number=number,
            status=PlanVersion.Status.PUBLISHED,
            created_by=world.coordinator,
            published_by=world.coordinator,
            published_at=timezone.now() - datetime.timedelta(days=400 - 100 * number),
            review_on=since,
        )
        for number in (1, 2, 3)
    ]
    return assessments, versions


def test_of_the_earlier_record_the_new_worker_reads_only_the_last_assessment_and_plan(world: World) -> None:
    """Issue 17: 'the last plan and assessment', not every earlier version, until the lead
    confirms; whatever the new work records is read as usual."""
    assessments, versions = earlier_record(world)
    returning = reopened(world)
    api = APIClient()
    api.force_login(world.other_coordinator)
    pk = world.closed_client.pk

    def listed() -> tuple[list[int], list[int]]:
        read = api.get(reverse("api-client-assessments", kwargs={"pk": pk})).json()
        plan = api.get(reverse("api-client-care-plan", kwargs={"pk": pk})).json()
        return [a["id"] for a in read], [v["id"] for v in plan]

    assert listed() == ([assessments[-1].pk], [versions[-1].pk])
    for earlier in assessments[:-1]:
        assert api.get(reverse("api-assessment-detail", kwargs={"pk": earlier.pk})).status_code == 404
    for older in versions[:-1]:
        assert api.get(reverse("api-plan-version", kwargs={"pk": older.pk})).status_code == 404
    compare = reverse("api-care-plan-compare", kwargs={"pk": pk})
    assert api.get(compare, {"older": versions[0].pk, "newer": versions[-1].pk}).status_code == 400
    assert api.get(reverse("api-assessment-detail", kwargs={"pk": assessments[-1].pk})).status_code == 200
    assert api.get(reverse("api-plan-version", kwargs={"pk": versions[-1].pk})).status_code == 200
    page = browser_of(world.other_coordinator).get(reverse("client-care-plan", args=[pk]))
    assert [v.pk for v in page.context["versions"]] == [versions[-1].pk]

    started = assessment_services.start_assessment(
        client=client_for(world.other_coordinator, pk), by=world.other_coordinator, ground=Ground.RETURNING_CLIENT
    )
    assert listed()[0] == [started.pk, assessments[-1].pk]

    access_grants.confirm_returning_client(returning=returning, by=world.lead)
    assert listed() == (
        [started.pk, *(a.pk for a in reversed(assessments))],
        [v.pk for v in reversed(versions)],
    )
