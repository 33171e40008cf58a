"""Coordination that ends on purpose (issue 18, part 2): the review point set at opening, its
reminder, the coordination review (page and API), closure with the client's view and what was
reached, and planned against unplanned endings."""

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
from accounts.models import User
from clients import selectors, services
from clients.identity_code import make_identity_code
from clients.models import Client, ClosureReason, CoordinationReview, RelationshipPeriod
from reminders.models import Kind, Reminder
from reminders.services import sweep
from tests.conftest import World

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def signed_in(user: User) -> Browser:
    user.language = "en"
    user.save(update_fields=["language"])
    browser = Browser()
    browser.force_login(user)
    return browser


def period_of(client: Client) -> RelationshipPeriod:
    period = selectors.open_period_of(client)
    assert period is not None
    return period


def due_in(client: Client, days: int) -> RelationshipPeriod:
    period = period_of(client)
    period.review_due_on = TODAY + days * DAY
    period.save(update_fields=["review_due_on"])
    return period


def review(world: World, client: Client | None = None, **changes: Any) -> CoordinationReview:
    fields: dict[str, Any] = {
        "reviewed_on": TODAY,
        "decision": "continue",
        "next_review_on": TODAY + 120 * DAY,
        "client_view": "helped",
        "client_view_words": "Sain apua yhdestä paikasta.",
    }
    return services.record_coordination_review(
        client=client or world.own_client,
        by=world.coordinator,
        ground=Ground.DESIGNATED_COORDINATOR,
        **(fields | changes),
    )


def close(world: World, client: Client, reason: str) -> RelationshipPeriod:
    return services.close_client(
        client=client,
        by=world.coordinator,
        ground=Ground.DESIGNATED_COORDINATOR,
        closed_on=TODAY,
        reason=reason,
        summary="Yhteenveto.",
        reached="Kotihoito käynnistyi.",
        client_view="partly",
    )


def new_client_fields(number: int = 954) -> dict[str, Any]:
    born = TODAY - datetime.timedelta(days=80 * 365)
    return {
        "first_name": "Eino",
        "last_name": "Laine",
        "date_of_birth": born,
        "identity_code": make_identity_code(born, number),
        "municipality": "Kuopio",
    }


class TestReviewPoint:
    def test_opening_sets_the_default_review_point(self, world: World) -> None:
        client = services.create_client(by=world.coordinator, fields=new_client_fields())
        months_on = period_of(client).review_due_on
        assert months_on is not None
        assert 170 <= (months_on - TODAY).days <= 190

    def test_intake_takes_the_coordinators_review_point(self, world: World, api: APIClient) -> None:
        api.force_login(world.coordinator)
        payload = {
            "contact": {"contacted_on": TODAY.isoformat(), "channel": "phone", "source": "client", "reason": "Apua"},
            "client": {**new_client_fields(), "date_of_birth": new_client_fields()["date_of_birth"].isoformat()},
            "review_due_on": (TODAY + 60 * DAY).isoformat(),
        }
        response = api.post(reverse("api-intake"), payload, format="json")
        assert response.status_code == 201, response.json()
        client = Client.objects.get(pk=response.json()["client_id"])
        assert period_of(client).review_due_on == TODAY + 60 * DAY

    @pytest.mark.parametrize("days", [0, -3, 5 * 365])
    def test_a_review_point_out_of_range_is_refused(self, world: World, api: APIClient, days: int) -> None:
        api.force_login(world.coordinator)
        before = Client.objects.count()
        payload = {
            "contact": {"contacted_on": TODAY.isoformat(), "channel": "phone", "source": "client", "reason": "Apua"},
            "client": {**new_client_fields(), "date_of_birth": new_client_fields()["date_of_birth"].isoformat()},
            "review_due_on": (TODAY + days * DAY).isoformat(),
        }
        response = api.post(reverse("api-intake"), payload, format="json")
        assert response.status_code == 400
        assert "review_due_on" in response.json()
        assert Client.objects.count() == before

    def test_the_intake_page_records_it(self, world: World) -> None:
        fields = new_client_fields(955)
        data = {
            "mode": "new",
            **{name: str(value) for name, value in fields.items()},
            "preferred_language": "fi",
            "coordinator": world.coordinator.pk,
            "review_due_on": (TODAY + 90 * DAY).isoformat(),
            "contacted_on": TODAY.isoformat(),
            "channel": "phone",
            "source": "client",
            "reason": "Apua kotiin",
        }
        response = signed_in(world.coordinator).post(reverse("intake"), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        client = Client.objects.get(identity_code=fields["identity_code"])
        assert period_of(client).review_due_on == TODAY + 90 * DAY

    def test_reopening_sets_a_new_review_point(self, world: World) -> None:
        period = services.reopen_client(
            client=world.closed_client, by=world.lead, ground=Ground.TEAM_LEAD, opened_on=TODAY
        )
        assert period.review_due_on is not None
        assert period.review_due_on > TODAY


class TestReminder:
    def test_a_review_coming_due_is_reminded_once_and_settled_by_the_review(self, world: World) -> None:
        period = due_in(world.own_client, 5)
        due_in(world.colleague_client, 60)  # beyond the lead days
        sweep(today=TODAY, queue=False)
        reminders = Reminder.objects.filter(kind=Kind.COORDINATION_REVIEW_DUE)
        assert list(reminders.values_list("subject_id", "recipient", "due_on")) == [
            (period.pk, world.coordinator.pk, period.review_due_on)
        ]
        assert sweep(today=TODAY, queue=False).created.get(Kind.COORDINATION_REVIEW_DUE) == 0
        review(world)
        reminder = reminders.get()
        assert reminder.done_at is not None
        # The next point is months away: nothing new.
        assert sweep(today=TODAY, queue=False).created.get(Kind.COORDINATION_REVIEW_DUE) == 0

    def test_a_passed_review_point_reaches_the_team_lead(self, world: World) -> None:
        due_in(world.own_client, -20)
        sweep(today=TODAY, queue=False)
        escalated = Reminder.objects.filter(kind=Kind.COORDINATION_REVIEW_DUE, escalation=True)
        assert world.lead.pk in set(escalated.values_list("recipient", flat=True))

    def test_closed_clients_have_none(self, world: World) -> None:
        period = world.closed_client.relationship_periods.get()
        RelationshipPeriod.objects.filter(pk=period.pk).update(review_due_on=TODAY)
        sweep(today=TODAY, queue=False)
        assert not Reminder.objects.filter(kind=Kind.COORDINATION_REVIEW_DUE).exists()


class TestReview:
    def test_going_on_moves_the_review_point_and_is_audited(self, world: World) -> None:
        due_in(world.own_client, 3)
        done = review(world)
        assert (done.due_on, done.decision) == (TODAY + 3 * DAY, "continue")
        assert period_of(world.own_client).review_due_on == TODAY + 120 * DAY
        assert AccessEvent.objects.filter(client=world.own_client, what="coordination_review").exists()

    def test_a_decision_to_end_makes_the_closure_planned(self, world: World) -> None:
        review(world, decision="close", next_review_on=None)
        assert period_of(world.own_client).review_due_on is None
        assert close(world, world.own_client, ClosureReason.MOVED).planned_ending is True

    @pytest.mark.parametrize(
        ("reason", "planned"),
        [(ClosureReason.GOALS_MET, True), (ClosureReason.SERVICES_CONTINUE, True), (ClosureReason.DECLINED, False)],
    )
    def test_the_reason_decides_otherwise(self, world: World, reason: str, planned: bool) -> None:
        period = close(world, world.own_client, reason)
        assert period.planned_ending is planned
        assert (period.client_view, period.reached) == ("partly", "Kotihoito käynnistyi.")

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"next_review_on": None}, "next_review_on"),
            ({"next_review_on": TODAY}, "next_review_on"),
            ({"next_review_on": TODAY + 4 * 365 * DAY}, "next_review_on"),
            ({"reviewed_on": TODAY + DAY}, "reviewed_on"),
            ({"decision": "maybe"}, "decision"),
            ({"client_view": "yes"}, "client_view"),
        ],
    )
    def test_bad_input_is_refused(self, world: World, changes: dict[str, Any], field: str) -> None:
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as refused:
            review(world, **changes)
        assert field in refused.value.message_dict
        assert not CoordinationReview.objects.exists()


class TestPage:
    def url(self, client: Client) -> str:
        return reverse("client-coordination", args=[client.pk])

    def data(self, **changes: Any) -> dict[str, Any]:
        return {
            "reviewed_on": TODAY.isoformat(),
            "decision": "continue",
            "next_review_on": (TODAY + 90 * DAY).isoformat(),
            "client_view": "partly",
            "client_view_words": "Apu tuli, mutta hitaasti.",
            "note": "Kotihoito alkaa vasta.",
            **changes,
        }

    def test_reachable_from_the_overview_and_the_tabs(self, world: World) -> None:
        due_in(world.own_client, 5)
        page = signed_in(world.coordinator).get(reverse("client-detail", args=[world.own_client.pk]))
        assert self.url(world.own_client) in page.content.decode()
        assert "Coordination review" in page.content.decode()

    def test_records_a_review(self, world: World) -> None:
        due_in(world.own_client, 5)
        response = signed_in(world.coordinator).post(self.url(world.own_client), self.data())
        assert response.status_code == 302
        assert period_of(world.own_client).review_due_on == TODAY + 90 * DAY
        page = signed_in(world.coordinator).get(self.url(world.own_client)).content.decode()
        assert "Apu tuli, mutta hitaasti." in page

    def test_a_decision_to_end_goes_on_to_the_closure_with_the_clients_view(self, world: World) -> None:
        browser = signed_in(world.coordinator)
        response = browser.post(self.url(world.own_client), self.data(decision="close", next_review_on=""))
        assert response["Location"] == reverse("client-close", args=[world.own_client.pk])
        form = browser.get(response["Location"]).context["form"]
        assert form.initial["client_view"] == "partly"

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"next_review_on": ""}, "next_review_on"),
            ({"decision": "maybe"}, "decision"),
            ({"client_view_words": "x" * 3000}, "client_view_words"),
            ({"reviewed_on": "٢٠٢٦-٠١-٠١"}, "reviewed_on"),
        ],
    )
    def test_bad_input_is_a_400_with_nothing_saved(self, world: World, changes: dict[str, Any], field: str) -> None:
        response = signed_in(world.coordinator).post(self.url(world.own_client), self.data(**changes))
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert not CoordinationReview.objects.exists()

    def test_control_characters_are_a_400(self, world: World) -> None:
        response = signed_in(world.coordinator).post(self.url(world.own_client), self.data(note="x\x00"))
        assert response.status_code == 400
        assert not CoordinationReview.objects.exists()

    def test_a_closed_client_answers_409(self, world: World) -> None:
        response = signed_in(world.lead).post(self.url(world.closed_client), self.data())
        assert response.status_code == 409
        assert not CoordinationReview.objects.exists()

    def test_a_nurse_on_the_care_team_reads_but_records_nothing(self, world: World) -> None:
        browser = signed_in(world.member)
        page = browser.get(self.url(world.own_client))
        assert page.status_code == 200
        assert "Record the coordination review" not in page.content.decode()
        assert browser.post(self.url(world.own_client), self.data()).status_code == 403

    def test_queries_do_not_grow_with_the_reviews(self, world: World) -> None:
        browser = signed_in(world.coordinator)
        review(world)
        with CaptureQueriesContext(connection) as one:
            browser.get(self.url(world.own_client))
        for days in (130, 140, 150):
            review(world, next_review_on=TODAY + days * DAY)
        with CaptureQueriesContext(connection) as four:
            browser.get(self.url(world.own_client))
        assert len(four) == len(one)


class TestApi:
    def test_reads_and_records(self, world: World, api: APIClient) -> None:
        due_in(world.own_client, 2)
        api.force_login(world.coordinator)
        url = reverse("api-client-coordination", args=[world.own_client.pk])
        body = {"reviewed_on": TODAY.isoformat(), "decision": "continue", "next_review_on": str(TODAY + 60 * DAY)}
        response = api.post(url, {**body, "client_view": "helped"}, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["due_on"] == str(TODAY + 2 * DAY)
        listed = api.get(url).json()
        assert listed["review_due_on"] == str(TODAY + 60 * DAY)
        assert [r["decision"] for r in listed["reviews"]] == ["continue"]

    @pytest.mark.parametrize(
        "payload",
        [
            {"decision": "continue", "client_view": "helped"},
            {"decision": "continue", "client_view": "helped", "next_review_on": "tomorrow"},
            {"decision": "close", "client_view": "nope"},
            {"decision": "close", "client_view": "helped", "unknown": 1},
            {"decision": "close", "client_view": "helped", "note": "x" * 5000},
        ],
    )
    def test_bad_input_is_a_400(self, world: World, api: APIClient, payload: dict[str, Any]) -> None:
        api.force_login(world.coordinator)
        url = reverse("api-client-coordination", args=[world.own_client.pk])
        response = api.post(url, {"reviewed_on": TODAY.isoformat(), **payload}, format="json")
        assert response.status_code == 400
        assert not CoordinationReview.objects.exists()

    def test_closure_asks_for_the_clients_view(self, world: World, api: APIClient) -> None:
        api.force_login(world.coordinator)
        url = reverse("api-client-closure", args=[world.own_client.pk])
        base = {"closed_on": TODAY.isoformat(), "reason": "goals_met", "summary": "Valmis."}
        assert api.post(url, base, format="json").status_code == 400
        response = api.post(url, {**base, "reached": "Arki sujuu.", "client_view": "helped"}, format="json")
        assert response.status_code == 200
        assert (response.json()["planned_ending"], response.json()["client_view"]) == (True, "helped")
