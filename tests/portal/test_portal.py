"""The client's portal: each part end to end through its pages (and API where there is one)."""

import datetime
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.http import Http404
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from access import portal as portal_access
from access.models import AccessEvent
from access.policy import Ground
from care_plans import selectors as plan_selectors
from care_plans import services as plan_services
from care_plans.models import PlanReview, PlanVersion
from clients.identity_code import make_identity_code
from clients.models import ClientMessage
from networks.models import Consent
from portal import notifications, selectors
from portal.models import ClientView, GoalRating, HeardAnswer, MessageToWorker, PortalAccount, Representative
from tests.conftest import World

DC = Ground.DESIGNATED_COORDINATOR


def fi(message: str) -> str:
    """The string as the page shows it in Finnish, the default language."""
    with translation.override("fi"):
        return translation.gettext(message)


def signed_in(user: Any) -> HttpClient:
    browser = HttpClient()
    browser.force_login(user)
    return browser


def publish_with_goals(world: World) -> PlanVersion:
    """Publishes own_client's draft with two goals; returns the published version."""
    draft = world.plan_draft
    content = plan_selectors.draft_content(plan_selectors.version_with_content(draft.pk))
    content["goals"] = [
        {"client_words": "Haluan käydä kaupassa itse.", "actions": []},
        {"client_words": "Haluan nukkua paremmin.", "actions": []},
    ]
    draft = plan_services.save_draft(
        version=draft, by=world.coordinator, ground=DC, revision=draft.revision, content=content
    )
    plan_services.publish_version(version=draft, by=world.coordinator, ground=DC, revision=draft.revision)
    return PlanVersion.objects.get(pk=draft.pk)


class TestHomeAndSession:
    def test_home_names_the_worker_and_todays_substitute(self, world: World) -> None:
        response = signed_in(world.citizen).get(reverse("portal-home"))
        assert response.status_code == 200
        page = response.content.decode()
        assert world.coordinator.get_full_name() in page
        assert world.coordinator.email in page
        # World's substitution runs until today.
        assert world.substitute.get_full_name() in page

    def test_every_portal_response_is_no_store_and_the_session_idles_out_in_20_minutes(self, world: World) -> None:
        browser = signed_in(world.citizen)
        response = browser.get(reverse("portal-home"))
        assert "no-store" in response["Cache-Control"]
        assert browser.session.get_expiry_age() == 20 * 60
        assert "no-store" in browser.get(reverse("portal-sign-in"))["Cache-Control"]

    def test_the_idle_clock_restarts_without_writing_the_session_on_every_request(self, world: World) -> None:
        browser = signed_in(world.citizen)
        browser.get(reverse("portal-home"))
        first = Session.objects.get(pk=browser.session.session_key).expire_date
        with CaptureQueriesContext(connection) as writes:
            assert browser.get(reverse("portal-home")).status_code == 200
        assert not [q for q in writes.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
        assert Session.objects.get(pk=browser.session.session_key).expire_date == first
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=90)):
            assert browser.get(reverse("portal-home")).status_code == 200
            restarted = Session.objects.get(pk=browser.session.session_key).expire_date
            later = datetime.timedelta(seconds=80)
            assert first + later <= restarted <= timezone.now() + datetime.timedelta(minutes=20)

    def test_staff_get_nothing_and_clients_nothing_from_staff(self, world: World) -> None:
        assert signed_in(world.coordinator).get(reverse("portal-home")).status_code == 404
        assert signed_in(world.citizen).get(reverse("client-detail", args=[world.own_client.pk])).status_code == 404
        assert signed_in(world.citizen).get(reverse("caseload")).status_code == 404
        assert signed_in(world.citizen).get(reverse("home"))["Location"] == reverse("portal-home")

    def test_sign_out_is_one_post(self, world: World) -> None:
        browser = signed_in(world.citizen)
        assert browser.post(reverse("portal-sign-out")).status_code == 302
        assert browser.get(reverse("portal-home")).status_code == 302

    def test_turned_off_the_portal_opens_for_no_one(self, world: World) -> None:
        PortalAccount.objects.filter(client=world.own_client).update(enabled=False)
        assert signed_in(world.citizen).get(reverse("portal-home")).status_code == 302  # to choose: nothing there
        assert signed_in(world.citizen).get(reverse("portal-choose")).status_code == 200
        with pytest.raises(Http404):
            portal_access.portal_client_for(world.citizen, world.own_client.pk)

    def test_demo_sign_in_signs_in_a_listed_person_only(self, world: World, settings: Any) -> None:
        browser = HttpClient()
        assert browser.post(reverse("portal-demo-sign-in"), {"user": world.coordinator.pk}).status_code == 400
        assert browser.post(reverse("portal-demo-sign-in"), {"user": world.citizen.pk}).status_code == 302
        assert browser.get(reverse("portal-home")).status_code == 200
        assert PortalAccount.objects.get(client=world.own_client).last_sign_in_at is not None
        settings.PORTAL_DEMO_SIGN_IN = False
        assert HttpClient().get(reverse("portal-demo-sign-in")).status_code == 404


class TestPlan:
    def test_the_latest_published_version_is_shown_read_and_logged_with_who_read(self, world: World) -> None:
        version = publish_with_goals(world)
        response = signed_in(world.citizen).get(reverse("portal-plan"))
        assert response.status_code == 200
        assert "Haluan käydä kaupassa itse." in response.content.decode()
        assert PortalAccount.objects.get(client=world.own_client).last_read_version_id == version.pk
        event = AccessEvent.objects.filter(actor=world.citizen).latest("pk")
        assert (event.what, event.ground) == ("portal.care_plan", portal_access.OWN_PORTAL)
        signed_in(world.representative).get(reverse("portal-plan"))
        event = AccessEvent.objects.filter(actor=world.representative).latest("pk")
        assert event.ground == portal_access.REPRESENTATIVE

    def test_the_pdf_is_the_coordinators(self, world: World) -> None:
        response = signed_in(world.citizen).get(reverse("portal-plan-pdf", args=[world.plan_published.pk]))
        assert response.status_code == 200
        assert b"".join(response) == b"%PDF-1.7 test"


class TestMyView:
    def test_a_view_with_ratings_reaches_the_coordinator_and_the_plan_stays(self, world: World) -> None:
        version = publish_with_goals(world)
        goals = list(version.goals.order_by("order"))
        data = {"text": "Kaupassa käynti sujuu jo.", f"goal_{goals[0].pk}": "4"}
        assert signed_in(world.citizen).post(reverse("portal-view"), data).status_code == 302
        view = ClientView.objects.get(client=world.own_client)
        assert view.version_id == version.pk
        assert [(r.goal_id, r.rating) for r in view.ratings.all()] == [(goals[0].pk, 4)]
        assert PlanVersion.objects.get(pk=version.pk).updated_at == version.updated_at
        page = signed_in(world.coordinator).get(reverse("client-portal", args=[world.own_client.pk]))
        assert "Kaupassa käynti sujuu jo." in page.content.decode()
        view.refresh_from_db()
        assert view.read_at is not None

    @pytest.mark.parametrize(
        "data",
        [
            {"text": "x" * 4001},
            {"text": "Hyvä", "goal_GOAL": "7"},
            {"text": "Hyvä", "goal_GOAL": "kolme"},
            {"text": ""},
            {"text": "\x00"},
        ],
    )
    def test_bad_input_is_a_clear_error_and_saves_nothing(self, world: World, data: dict[str, str]) -> None:
        version = publish_with_goals(world)
        goal = version.goals.first()
        assert goal is not None
        data = {key.replace("GOAL", str(goal.pk)): value for key, value in data.items()}
        response = signed_in(world.citizen).post(reverse("portal-view"), data)
        assert response.status_code == 400
        assert 'class="error"' in response.content.decode()
        assert not ClientView.objects.exists()
        assert not GoalRating.objects.exists()

    def test_how_i_was_heard_is_answered_once_and_feeds_the_review(self, world: World) -> None:
        review = PlanReview.objects.create(
            version=world.plan_published, held_on=timezone.localdate(), reviewed_by=world.coordinator
        )
        url = reverse("portal-heard", args=[review.pk])
        browser = signed_in(world.citizen)
        assert browser.post(url, {"rating": "7", "text": "x"}).status_code == 400
        assert not HeardAnswer.objects.exists()
        assert browser.post(url, {"rating": "4", "text": "Minua kuunneltiin."}).status_code == 302
        assert browser.post(url, {"rating": "5"}).status_code == 404  # answered: no longer open
        answers = list(
            selectors.heard_answers(clients=world.own_client.__class__.objects.filter(pk=world.own_client.pk))
        )
        assert [(a.rating, a.text, a.review.reviewed_by) for a in answers] == [
            (4, "Minua kuunneltiin.", world.coordinator)
        ]


class TestWhoHasLooked:
    def test_staff_reads_newest_first_in_plain_words_and_the_reading_is_logged(self, world: World) -> None:
        signed_in(world.coordinator).get(reverse("client-detail", args=[world.own_client.pk]))
        browser = signed_in(world.citizen)
        browser.get(reverse("portal-home"))  # the client's own reads are not listed
        response = browser.get(reverse("portal-log"))
        assert response.status_code == 200
        rows = response.context["rows"]
        assert rows[0].name == world.coordinator.get_full_name()
        assert rows[0].what == fi("your basic details")
        assert rows[0].why == fi("designated coordinator")
        assert all(row.name != world.citizen.get_full_name() for row in rows)
        assert AccessEvent.objects.filter(actor=world.citizen, what="portal.access_log").count() == 1

    def test_a_representatives_reads_are_listed(self, world: World) -> None:
        signed_in(world.representative).get(reverse("portal-plan"))
        rows = signed_in(world.citizen).get(reverse("portal-log")).context["rows"]
        assert any(row.profession == fi("your representative") for row in rows)

    def test_constant_queries_whatever_the_number_of_rows(self, world: World) -> None:
        def count() -> int:
            browser = signed_in(world.citizen)
            with CaptureQueriesContext(connection) as queries:
                assert browser.get(reverse("portal-log")).status_code == 200
            return len(queries)

        def add(n: int) -> None:
            AccessEvent.objects.bulk_create(
                AccessEvent(
                    actor=world.member, client=world.own_client, action="view", what="assessment", ground="care_team"
                )
                for _ in range(n)
            )

        add(5)
        few = count()
        add(120)
        assert count() == few

    def test_filtered_by_month_and_paged(self, world: World) -> None:
        month = timezone.localdate().strftime("%Y-%m")
        response = signed_in(world.citizen).get(reverse("portal-log"), {"month": month, "page": "1"})
        assert response.status_code == 200
        assert all(timezone.localtime(row.at).strftime("%Y-%m") == month for row in response.context["rows"])
        last_year = (timezone.localdate() - datetime.timedelta(days=400)).strftime("%Y-%m")
        assert signed_in(world.citizen).get(reverse("portal-log"), {"month": last_year}).context["rows"] == []

    @pytest.mark.parametrize("month", ["2026-13", "x" * 100, "２０２６-０１", "\x00"])
    def test_a_bad_month_is_a_400(self, world: World, month: str) -> None:
        assert signed_in(world.citizen).get(reverse("portal-log"), {"month": month}).status_code == 400


class TestConsents:
    def test_withdrawing_is_at_once_and_audited_like_a_staff_change(self, world: World) -> None:
        url = reverse("portal-consent-withdraw", args=[world.relative_consent.pk])
        assert signed_in(world.citizen).post(url).status_code == 302
        consent = Consent.objects.get(pk=world.relative_consent.pk)
        assert consent.withdrawn_on == timezone.localdate()
        event = AccessEvent.objects.filter(actor=world.citizen, action="change").latest("pk")
        assert (event.what, event.ground) == ("consent", portal_access.OWN_PORTAL)

    def test_someone_elses_consent_is_not_found(self, world: World) -> None:
        other = Consent.objects.create(
            client=world.other_client,
            outside_party="Kela",
            sections=["basic"],
            purpose="x",
            given_on=timezone.localdate(),
            valid_until=timezone.localdate(),
            recorded_by=world.other_coordinator,
        )
        assert signed_in(world.citizen).post(reverse("portal-consent-withdraw", args=[other.pk])).status_code == 404
        other.refresh_from_db()
        assert other.withdrawn_on is None

    def test_giving_a_consent(self, world: World) -> None:
        until = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
        data = {
            "consent-member": world.relative.pk,
            "consent-sections": ["basic", "plan"],
            "consent-purpose": "Suunnitelman seuranta",
            "consent-valid_until": until,
        }
        assert signed_in(world.citizen).post(reverse("portal-consents"), data).status_code == 302
        assert Consent.objects.filter(client=world.own_client, sections=["basic", "plan"]).exists()
        assert (
            signed_in(world.citizen).post(reverse("portal-consents"), {**data, "consent-member": "999999"}).status_code
            == 400
        )


class TestMessages:
    def test_a_new_message_is_emailed_once_without_its_content(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        world.own_client.email = "asiakas@example.fi"
        world.own_client.save()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            message = ClientMessage.objects.create(
                client=world.own_client, subject="Uusi työntekijä", body="Salainen sisältö"
            )
        assert len(callbacks) == 1
        assert notifications.notify_new_message(message_pk=message.pk) is True
        assert notifications.notify_new_message(message_pk=message.pk) is False
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["asiakas@example.fi"]
        assert "Salainen" not in mail.outbox[0].body
        assert "Uusi työntekijä" not in mail.outbox[0].subject

    def test_no_email_without_the_portal(self, world: World) -> None:
        world.other_client.email = "muu@example.fi"
        world.other_client.save()
        message = ClientMessage.objects.create(client=world.other_client, subject="x", body="y")
        assert notifications.notify_new_message(message_pk=message.pk) is False
        assert mail.outbox == []

    def test_the_client_writes_to_the_worker(self, world: World) -> None:
        ClientMessage.objects.create(client=world.own_client, subject="Tervetuloa", body="Hei")
        browser = signed_in(world.citizen)
        assert "Tervetuloa" in browser.get(reverse("portal-messages")).content.decode()
        assert browser.post(reverse("portal-messages"), {"text": "x" * 1001}).status_code == 400
        assert browser.post(reverse("portal-messages"), {"text": "Voitko soittaa?"}).status_code == 302
        sent = MessageToWorker.objects.get()
        assert sent.worker == world.coordinator
        assert (
            "Voitko soittaa?"
            in signed_in(world.coordinator).get(reverse("client-portal", args=[world.own_client.pk])).content.decode()
        )


class TestCoordinatorSide:
    def test_turning_off_and_on(self, world: World) -> None:
        url = reverse("client-portal", args=[world.own_client.pk])
        browser = signed_in(world.coordinator)
        assert browser.post(url, {"action": "switch", "switch-enabled": ""}).status_code == 302
        assert signed_in(world.citizen).get(reverse("portal-plan")).status_code == 302
        assert browser.post(url, {"action": "switch", "switch-enabled": "on"}).status_code == 302
        assert signed_in(world.citizen).get(reverse("portal-plan")).status_code == 200
        assert signed_in(world.lead).post(url, {"action": "switch", "switch-enabled": ""}).status_code == 403

    def test_a_representative_is_recorded_audited_and_their_code_never_shown(self, world: World) -> None:
        url = reverse("client-portal", args=[world.own_client.pk])
        code = make_identity_code(timezone.localdate() - datetime.timedelta(days=40 * 365), 911)
        data = {
            "action": "representative",
            "rep-name": "Eeva Edunvalvoja",
            "rep-identity_code": code,
            "rep-basis": "appointed_guardian",
            "rep-starts_on": timezone.localdate().isoformat(),
        }
        browser = signed_in(world.coordinator)
        assert browser.post(url, {**data, "rep-identity_code": "123"}).status_code == 400
        assert browser.post(url, data).status_code == 302
        assert AccessEvent.objects.filter(
            actor=world.coordinator, what="portal.representative", action="grant", client=world.own_client
        ).exists()
        page = browser.get(url).content.decode()
        assert "Eeva Edunvalvoja" in page
        assert code not in page
        representative = Representative.objects.get(name="Eeva Edunvalvoja")
        end = {"action": "end", "representative": representative.pk, "end-ends_on": timezone.localdate().isoformat()}
        assert browser.post(url, end).status_code == 302
        representative.refresh_from_db()
        assert representative.ends_on == timezone.localdate()
        assert AccessEvent.objects.filter(
            actor=world.coordinator, what="portal.representative", action="revoke", client=world.own_client
        ).exists()

    def test_a_representative_whose_time_ended_opens_nothing(self, world: World) -> None:
        Representative.objects.filter(user=world.representative).update(
            ends_on=timezone.localdate() - datetime.timedelta(days=1)
        )
        assert signed_in(world.representative).get(reverse("portal-plan")).status_code == 302
        assert list(portal_access.portal_clients(world.representative)) == []


class TestOtherParts:
    def test_assessments_budget_and_meetings(self, world: World) -> None:
        browser = signed_in(world.citizen)
        assert browser.get(reverse("portal-assessments")).status_code == 200
        response = browser.get(reverse("portal-budget", args=[world.budget.pk]))
        assert response.status_code == 200
        assert "chart-caption" in response.content.decode()
        assert browser.get(reverse("portal-meetings")).status_code == 200
        later = timezone.now() + datetime.timedelta(days=3)
        world.meeting.__class__.objects.filter(pk=world.meeting.pk).update(
            starts_at=later, ends_at=later + datetime.timedelta(hours=1)
        )
        ics = browser.get(reverse("portal-meeting-ics", args=[world.meeting.pk]))
        assert ics.status_code == 200
        assert b"BEGIN:VCALENDAR" in ics.content


def test_the_clients_view_is_beside_the_next_draft(world: World) -> None:
    publish_with_goals(world)
    signed_in(world.citizen).post(reverse("portal-view"), {"text": "Omin sanoin: haluan lisää ulkoilua."})
    draft = PlanVersion.objects.get(plan__client=world.own_client, status=PlanVersion.Status.DRAFT)
    page = signed_in(world.coordinator).get(reverse("plan-version", args=[draft.pk])).content.decode()
    assert "Omin sanoin: haluan lisää ulkoilua." in page


def test_what_the_client_sends_reaches_the_workers_inbox_until_read(world: World) -> None:
    signed_in(world.citizen).post(reverse("portal-messages"), {"text": "Voitko soittaa?"})
    coordinator = signed_in(world.coordinator)
    inbox = coordinator.get(reverse("reminders")).content.decode()
    assert reverse("client-portal", args=[world.own_client.pk]) in inbox
    assert AccessEvent.objects.filter(
        actor=world.coordinator, what="reminders.portal", client=world.own_client
    ).exists()
    coordinator.get(reverse("client-portal", args=[world.own_client.pk]))
    assert (
        reverse("client-portal", args=[world.own_client.pk])
        not in coordinator.get(reverse("reminders")).content.decode()
    )


def test_a_representative_of_two_chooses_whose_portal_to_open(world: World) -> None:
    PortalAccount.objects.create(client=world.colleague_client, enabled=True)
    first = Representative.objects.get(user=world.representative)
    Representative.objects.create(
        client=world.colleague_client,
        user=world.representative,
        name=first.name,
        identity_code=first.identity_code,
        basis="guardian_of_minor",
        starts_on=first.starts_on,
        recorded_by=world.colleague,
    )
    browser = signed_in(world.representative)
    assert browser.get(reverse("portal-home"))["Location"] == reverse("portal-choose")
    assert browser.post(reverse("portal-choose"), {"client": world.other_client.pk}).status_code == 400
    assert browser.post(reverse("portal-choose"), {"client": world.colleague_client.pk}).status_code == 302
    response = browser.get(reverse("portal-home"))
    assert response.status_code == 200
    assert world.colleague_client.full_name in response.content.decode()
    event = AccessEvent.objects.filter(actor=world.representative).latest("pk")
    assert (event.client_id, event.ground) == (world.colleague_client.pk, portal_access.REPRESENTATIVE)
