"""Care plans: drafting from what is known, freezing on publish (service, API, database), the
conflict of concurrent edits, comparison of versions, review, the PDF's life cycle and bad
input. ``world`` gives own_client a plan: version 1 published (PDF ready), version 2 the draft."""

import datetime
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import AccessEvent
from access.policy import Ground
from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from assessments.models import Coverage, LifeDomain, RaiInstrument
from care_plans import selectors as plan_selectors
from care_plans import services as plan_services
from care_plans.models import Disagreement, PlanGoal, PlanPdf, PlanVersion
from care_plans.services import DraftConflictError
from core.errors import ConflictError
from networks import services as network_services
from tests.conftest import World

COORDINATOR = Ground.DESIGNATED_COORDINATOR


def content_of(version: PlanVersion) -> dict[str, Any]:
    return plan_selectors.draft_content(plan_selectors.version_with_content(version.pk))


def save(world: World, version: PlanVersion, **content: Any) -> PlanVersion:
    version.refresh_from_db()
    return plan_services.save_draft(
        version=version, by=world.coordinator, ground=COORDINATOR, revision=version.revision, content=content
    )


def _taken_into(sent: list[int]) -> Callable[[int], bool]:
    """A ``queue_pdf`` whose broker takes every task, noting which."""

    def queue(version_pk: int) -> bool:
        sent.append(version_pk)
        return True

    return queue


def publish(world: World, version: PlanVersion) -> PlanVersion:
    version.refresh_from_db()
    return plan_services.publish_version(
        version=version, by=world.coordinator, ground=COORDINATOR, revision=version.revision
    )


class TestDrafting:
    def test_a_new_plan_proposes_goals_services_and_actions(self, world: World) -> None:
        client = world.colleague_client
        assessment = assessment_services.start_assessment(client=client, by=world.colleague, ground=COORDINATOR)
        assessment_services.set_need(
            assessment=assessment,
            domain=LifeDomain.objects.get(code="daily_living"),
            by=world.colleague,
            ground=COORDINATOR,
            level=2,
            client_text="Haluan selvitä aamuista itse.",
            professional_text="Tarvitsee apua aamutoimissa.",
            slots=[
                {"weekday": 0, "time_of_day": "morning", "coverage": Coverage.SERVICE, "service": "Kotihoito"},
                {"weekday": 1, "time_of_day": "morning", "coverage": Coverage.SERVICE, "service": "Kotihoito"},
                {"weekday": 2, "time_of_day": "evening", "coverage": Coverage.UNCOVERED},
            ],
        )
        assessment_services.set_need(
            assessment=assessment,
            domain=LifeDomain.objects.get(code="health"),
            by=world.colleague,
            ground=COORDINATOR,
            level=0,
        )
        now = timezone.now()
        meeting = network_services.plan_meeting(
            client=client,
            by=world.colleague,
            ground=COORDINATOR,
            starts_at=now - datetime.timedelta(hours=2),
            ends_at=now - datetime.timedelta(hours=1),
            place="Koti",
            professionals=[world.colleague],
            network_members=[],
        )
        decision = meeting.decisions.create(text="Haetaan hoitotukea", responsible_client=True)

        draft = plan_services.start_plan(client=client, by=world.colleague, ground=COORDINATOR)

        goals = list(draft.goals.prefetch_related("actions"))
        assert [g.client_words for g in goals] == ["Haluan selvitä aamuista itse."]  # level 0 proposes nothing
        assert goals[0].professional_words == "Tarvitsee apua aamutoimissa."
        assert [(a.text, a.responsible, a.decision_id) for a in goals[0].actions.all()] == [
            ("Haetaan hoitotukea", "client", decision.pk)
        ]
        [service] = draft.services.all()
        assert service.service == "Kotihoito"
        assert service.slots == [{"weekday": 0, "time_of_day": "morning"}, {"weekday": 1, "time_of_day": "morning"}]
        assert plan_selectors.decisions_not_in_plan(client) == []

    # 31 March, for the shorter September; the assessment it reads is completed today.
    @pytest.mark.today(datetime.date(2026, 11, 27))
    def test_the_review_date_is_a_year_or_six_months_on_a_rai_schedule(self, world: World) -> None:
        today = datetime.date(2026, 3, 31)
        assert plan_services.default_review_on(world.colleague_client, today) == datetime.date(2027, 3, 31)
        assessment = assessment_services.start_assessment(
            client=world.colleague_client, by=world.colleague, ground=COORDINATOR
        )
        assessment_services.set_need(
            assessment=assessment,
            domain=LifeDomain.objects.get(code="health"),
            by=world.colleague,
            ground=COORDINATOR,
            level=1,
        )
        assessment_services.update_assessment(
            assessment=assessment,
            by=world.colleague,
            ground=COORDINATOR,
            fields={
                "situation_summary": "x",
                "professional_conclusion": "y",
                "client_view": "z",
                "rai_instrument": RaiInstrument.HOME_CARE,
                "rai_scores": {"maple": 3},
            },
        )
        assessment_services.complete_assessment(assessment=assessment, by=world.colleague, ground=COORDINATOR)
        assert plan_services.default_review_on(world.colleague_client, today) == datetime.date(2026, 9, 30)

    def test_a_second_draft_is_a_conflict(self, world: World) -> None:
        with pytest.raises(ConflictError):
            plan_services.start_plan(client=world.own_client, by=world.coordinator, ground=COORDINATOR)


class TestPublishing:
    def test_publishing_freezes_and_starts_the_next_draft_with_the_same_keys(self, world: World) -> None:
        published = PlanVersion.objects.get(pk=world.plan_published.pk)
        draft = world.plan_draft
        assert published.status == PlanVersion.Status.PUBLISHED
        assert published.language == world.own_client.preferred_language
        assert published.review_on is not None
        assert draft.number == 2
        assert draft.based_on_id == published.pk
        assert set(draft.goals.values_list("key", flat=True)) == set(published.goals.values_list("key", flat=True))
        assert all(published.goals.values_list("frozen", flat=True))
        assert PlanPdf.objects.get(version=published).status == PlanPdf.Status.READY

    def test_publishing_needs_wishes_a_goal_and_a_backup_plan(self, world: World, api: APIClient) -> None:
        save(world, world.plan_draft, client_wishes="", backup_plan="", goals=[])
        api.force_login(world.coordinator)
        world.plan_draft.refresh_from_db()
        response = api.post(
            reverse("api-plan-version-publish", kwargs={"pk": world.plan_draft.pk}),
            {"revision": world.plan_draft.revision},
            format="json",
        )
        assert response.status_code == 400
        assert set(response.json()) == {"client_wishes", "goals", "backup_plan"}
        assert PlanVersion.objects.get(pk=world.plan_draft.pk).status == PlanVersion.Status.DRAFT

    def test_a_published_version_refuses_changes_in_the_service(self, world: World) -> None:
        published = world.plan_published
        published.refresh_from_db()
        with pytest.raises(ConflictError):
            plan_services.save_draft(
                version=published,
                by=world.coordinator,
                ground=COORDINATOR,
                revision=published.revision,
                content={"client_wishes": "muutettu"},
            )
        with pytest.raises(ConflictError):
            publish(world, published)

    def test_and_in_the_api(self, world: World, api: APIClient) -> None:
        api.force_login(world.coordinator)
        published = PlanVersion.objects.get(pk=world.plan_published.pk)
        url = reverse("api-plan-version", kwargs={"pk": published.pk})
        response = api.put(url, {"revision": published.revision, "client_wishes": "muutettu"}, format="json")
        assert response.status_code == 409
        assert PlanVersion.objects.get(pk=published.pk).client_wishes == "Haluan asua kotona."

    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE care_plans_planversion SET client_wishes = 'muutettu' WHERE status = 'published'",
            "DELETE FROM care_plans_planversion WHERE status = 'published'",
            "UPDATE care_plans_plangoal SET client_words = 'muutettu' WHERE frozen",
            "DELETE FROM care_plans_plangoal WHERE frozen",
            "UPDATE care_plans_planpdf SET content = 'x'::bytea",
            "DELETE FROM care_plans_planpdf",
            'INSERT INTO care_plans_plangoal (version_id, key, "order", client_words, professional_words, frozen)'
            " SELECT id, gen_random_uuid(), 9, 'lisätty', '', false FROM care_plans_planversion"
            " WHERE status = 'published'",
            "INSERT INTO care_plans_disagreement (version_id, key, subject, client_position, professional_position,"
            " reasons, frozen) SELECT id, gen_random_uuid(), 'plan', 'a', 'b', '', false"
            " FROM care_plans_planversion WHERE status = 'published'",
        ],
    )
    def test_and_in_the_database(self, world: World, statement: str) -> None:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
        published = plan_selectors.version_with_content(world.plan_published.pk)
        assert published.client_wishes == "Haluan asua kotona."
        assert [g.client_words for g in published.goals.all()] == ["Aamut ovat vaikeita."]
        assert bytes(PlanPdf.objects.get(version=published).content or b"") == b"%PDF-1.7 test"


class TestConcurrentEdits:
    def test_the_later_save_from_the_same_revision_is_a_conflict(self, world: World) -> None:
        draft = world.plan_draft
        draft.refresh_from_db()
        started_at = draft.revision
        plan_services.save_draft(
            version=draft,
            by=world.coordinator,
            ground=COORDINATOR,
            revision=started_at,
            content={"strengths_client": "Huumorintaju"},
        )
        with pytest.raises(DraftConflictError) as caught:
            plan_services.save_draft(
                version=draft,
                by=world.coordinator,
                ground=COORDINATOR,
                revision=started_at,
                content={"strengths_client": "Sinnikkyys"},
            )
        assert caught.value.current_revision == started_at + 1
        assert PlanVersion.objects.get(pk=draft.pk).strengths_client == "Huumorintaju"

    @pytest.mark.django_db(transaction=True)
    def test_two_saves_at_once_give_one_winner_and_one_conflict(self, world: World) -> None:
        """The second save is sent while the first holds its row uncommitted, on another
        connection: it waits for the lock, then finds the revision gone."""
        draft = PlanVersion.objects.get(pk=world.plan_draft.pk)
        saved, release = threading.Event(), threading.Event()
        outcomes: dict[str, object] = {}

        def edit(name: str, words: str, hold: bool) -> None:
            try:
                with transaction.atomic():
                    plan_services.save_draft(
                        version=PlanVersion.objects.get(pk=draft.pk),
                        by=world.coordinator,
                        ground=COORDINATOR,
                        revision=draft.revision,
                        content={"strengths_client": words},
                    )
                    if hold:
                        saved.set()
                        release.wait(timeout=30)
                outcomes[name] = "saved"
            except DraftConflictError as error:
                outcomes[name] = error
            finally:
                connection.close()

        first = threading.Thread(target=edit, args=("first", "Huumorintaju", True))
        second = threading.Thread(target=edit, args=("second", "Sinnikkyys", False))
        first.start()
        assert saved.wait(timeout=30)
        second.start()
        waited = False
        for _ in range(100):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                waited = (cursor.fetchone() or (0,))[0] > 0
            if waited:
                break
            time.sleep(0.1)
        release.set()
        first.join(timeout=30)
        second.join(timeout=30)
        assert waited, "the second save never waited for the first"
        assert outcomes["first"] == "saved"
        assert isinstance(outcomes["second"], DraftConflictError)
        assert PlanVersion.objects.get(pk=draft.pk).strengths_client == "Huumorintaju"

    def test_the_api_answers_409(self, world: World, api: APIClient) -> None:
        api.force_login(world.coordinator)
        url = reverse("api-plan-version", kwargs={"pk": world.plan_draft.pk})
        revision = api.get(url).json()["revision"]
        first = api.put(url, {"revision": revision, "strengths_client": "Huumorintaju"}, format="json")
        second = api.put(url, {"revision": revision, "strengths_client": "Sinnikkyys"}, format="json")
        assert first.status_code == 200
        assert first.json()["revision"] == revision + 1
        assert second.status_code == 409
        assert api.get(url).json()["strengths_client"] == "Huumorintaju"

    def test_the_page_shows_both_versions(self, world: World) -> None:
        from django.test import Client

        page = Client()
        page.force_login(world.coordinator)
        url = reverse("plan-version", kwargs={"pk": world.plan_draft.pk})
        world.plan_draft.refresh_from_db()
        revision = world.plan_draft.revision
        save(world, world.plan_draft, backup_plan="Naapuri Matti tulee.")
        response = page.post(
            url,
            {"action": "save", "draft-revision": revision, "draft-backup_plan": "Poika Pekka tulee."},
        )
        assert response.status_code == 409
        text = response.content.decode()
        assert "Poika Pekka tulee." in text  # what was submitted
        assert "Naapuri Matti tulee." in text  # what is saved
        assert PlanVersion.objects.get(pk=world.plan_draft.pk).backup_plan == "Naapuri Matti tulee."


class TestComparison:
    def test_the_comparison_lists_exactly_the_changes_made(self, world: World, api: APIClient) -> None:
        draft = world.plan_draft
        content = content_of(draft)
        kept_goal = content["goals"][0]
        kept_goal["actions"].append({"text": "Aamupala yhdessä", "responsible": "client"})
        content["goals"].append({"client_words": "Haluan käydä kirjastossa.", "actions": []})
        service_key = str(uuid.uuid4())
        save(
            world,
            draft,
            client_wishes="Haluan asua kotona ja käydä kirjastossa.",
            goals=content["goals"],
            services=[{"key": service_key, "service": "Kuljetuspalvelu", "amount": "4 matkaa kuussa"}],
            disagreements=[
                {
                    "subject": "service",
                    "service": service_key,
                    "client_position": "Haluan taksin",
                    "professional_position": "Palvelubussi riittää",
                    "reasons": "Kustannukset",
                }
            ],
        )
        world.coordinator.language = "en"
        world.coordinator.save(update_fields=["language"])
        api.force_login(world.coordinator)
        response = api.get(reverse("api-care-plan-compare", kwargs={"pk": world.own_client.pk}))
        assert response.status_code == 200
        changes = {(c["area"], c["kind"], c["what"]) for c in response.json()}
        assert changes == {
            ("plan", "changed", "the client's wishes and views"),
            ("action", "added", "Aamupala yhdessä"),
            ("goal", "added", "Haluan käydä kirjastossa."),
            ("service", "added", "Kuljetuspalvelu"),
            ("disagreement", "added", "Haluan taksin"),
        }

    def test_a_changed_goal_is_one_change_and_a_removed_one_another(self, world: World) -> None:
        content = content_of(world.plan_draft)
        content["goals"][0]["professional_words"] = "Aamutoimet"
        save(world, world.plan_draft, goals=content["goals"])
        older = plan_selectors.version_with_content(world.plan_published.pk)
        newer = plan_selectors.version_with_content(world.plan_draft.pk)
        assert [(c.area, c.kind, c.before, c.after) for c in plan_selectors.compare(older, newer)] == [
            ("goal", "changed", "", "Aamutoimet")
        ]
        save(world, world.plan_draft, goals=[])
        newer = plan_selectors.version_with_content(world.plan_draft.pk)
        assert [(c.area, c.kind) for c in plan_selectors.compare(older, newer)] == [("goal", "removed")]


class TestBadInput:
    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"goals": [{"client_words": ""}]}, "goals"),
            ({"goals": [{"client_words": "ok", "actions": [{"text": "x", "responsible": "wizard"}]}]}, "goals"),
            ({"goals": [{"client_words": "ok", "actions": [{"text": "x", "responsible": "professional"}]}]}, "goals"),
            ({"services": [{"service": "Kotihoito", "slots": [{"weekday": 9, "time_of_day": "morning"}]}]}, "services"),
            (
                {
                    "disagreements": [
                        {
                            "subject": "goal",
                            "goal": str(uuid.uuid4()),
                            "client_position": "a",
                            "professional_position": "b",
                        }
                    ]
                },
                "disagreements",
            ),
            ({"review_on": "31.2.2027"}, "review_on"),
            ({"colour": "red"}, "colour"),
            ({}, "revision"),
        ],
    )
    def test_a_400_with_field_errors_and_nothing_half_saved(
        self, world: World, api: APIClient, payload: dict[str, Any], field: str
    ) -> None:
        api.force_login(world.coordinator)
        world.plan_draft.refresh_from_db()
        before = (world.plan_draft.revision, content_of(world.plan_draft))
        body = {"revision": world.plan_draft.revision, "client_wishes": "Tämä ei saa tallentua.", **payload}
        if field == "revision":
            body = {"client_wishes": "x"}
        response = api.put(reverse("api-plan-version", kwargs={"pk": world.plan_draft.pk}), body, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        world.plan_draft.refresh_from_db()
        assert (world.plan_draft.revision, content_of(world.plan_draft)) == before

    def test_a_bad_review_is_a_400(self, world: World, api: APIClient) -> None:
        api.force_login(world.coordinator)
        url = reverse("api-plan-version-reviews", kwargs={"pk": world.plan_published.pk})
        goal = PlanGoal.objects.get(version=world.plan_published)
        today = timezone.localdate().isoformat()
        bad = {"held_on": today, "outcomes": [{"goal": str(goal.key), "client_rating": 6, "professional_rating": 3}]}
        response = api.post(url, bad, format="json")
        assert response.status_code == 400
        assert "outcomes" in response.json()
        unknown = {
            "held_on": today,
            "outcomes": [{"goal": str(uuid.uuid4()), "client_rating": 2, "professional_rating": 3}],
        }
        assert api.post(url, unknown, format="json").status_code == 400
        assert not world.plan_published.reviews.exists()


class TestSavingWithDisagreements:
    """A save rewrites the goals and services a disagreement points at; the disagreement must
    follow the new rows, whatever the caller had prefetched."""

    @pytest.fixture
    def draft(self, world: World) -> PlanVersion:
        version = world.plan_draft
        service = {"key": None, "service": "kotihoito", "provider": "", "amount": "", "starts_on": None}
        save(world, version, services=[service])
        content = content_of(version)
        about_goal = {"subject": "goal", "goal": content["goals"][0]["key"], "service": None}
        about_service = {"subject": "service", "goal": None, "service": content["services"][0]["key"]}
        positions = {"client_position": "En tarvitse", "professional_position": "Tarvitset", "reasons": "Syy"}
        save(world, version, disagreements=[{**about_goal, **positions}, {**about_service, **positions}])
        return version

    def test_the_api_takes_back_the_goals_and_services_it_gave(
        self, world: World, api: APIClient, draft: PlanVersion
    ) -> None:
        api.force_login(world.coordinator)
        url = reverse("api-plan-version", kwargs={"pk": draft.pk})
        given = api.get(url).json()
        for part in ("goals", "services"):
            response = api.put(url, {"revision": given["revision"], part: given[part]}, format="json")
            assert response.status_code == 200, response.json()
            given = response.json()
        kept = Disagreement.objects.filter(version=draft)
        assert sorted(d.subject for d in kept) == ["goal", "service"]
        assert {d.goal_id for d in kept} - {None} == set(
            PlanGoal.objects.filter(version=draft).values_list("pk", flat=True)
        )

    def test_the_page_adds_a_goal(self, world: World, draft: PlanVersion) -> None:
        from django.test import Client

        page = Client()
        page.force_login(world.coordinator)
        draft.refresh_from_db()
        response = page.post(
            reverse("plan-version", kwargs={"pk": draft.pk}),
            {"action": "goal", "goal-revision": draft.revision, "goal-client_words": "Käyn kaupassa itse"},
        )
        assert response.status_code == 302
        assert PlanGoal.objects.filter(version=draft).count() == 2
        assert Disagreement.objects.filter(version=draft, subject="goal", goal__isnull=False).count() == 1

    def test_the_service_keeps_the_disagreements_of_a_prefetched_version(
        self, world: World, draft: PlanVersion
    ) -> None:
        version = plan_selectors.version_with_content(draft.pk)
        content = plan_selectors.draft_content(version)
        plan_services.save_draft(
            version=version,
            by=world.coordinator,
            ground=COORDINATOR,
            revision=version.revision,
            content={"goals": content["goals"], "services": content["services"]},
        )
        assert Disagreement.objects.filter(version=draft).count() == 2


class TestReview:
    def test_each_goal_is_rated_by_the_client_and_the_professional(self, world: World, api: APIClient) -> None:
        api.force_login(world.coordinator)
        goal = PlanGoal.objects.get(version=world.plan_published)
        url = reverse("api-plan-version-reviews", kwargs={"pk": world.plan_published.pk})
        body = {
            "held_on": timezone.localdate().isoformat(),
            "notes": "Aamut sujuvat paremmin.",
            "outcomes": [{"goal": str(goal.key), "client_rating": 4, "professional_rating": 3, "comment": "Hyvä"}],
        }
        response = api.post(url, body, format="json")
        assert response.status_code == 201, response.content
        assert api.get(url).json()[0]["outcomes"][0]["client_rating"] == 4
        figures = plan_selectors.goal_outcomes(world.own_client.__class__.objects.filter(pk=world.own_client.pk))
        assert figures == {"goals": 1, "client": 4.0, "professional": 3.0}

    def test_a_draft_is_not_reviewed(self, world: World) -> None:
        with pytest.raises(ConflictError):
            plan_services.record_review(
                version=world.plan_draft,
                by=world.coordinator,
                ground=COORDINATOR,
                held_on=timezone.localdate(),
                outcomes=[],
            )


class TestPdfLifeCycle:
    def test_publishing_queues_the_render_on_commit_and_stores_it_once(
        self, world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        sent: list[int] = []
        monkeypatch.setattr(plan_services, "queue_pdf", sent.append)
        with django_capture_on_commit_callbacks(execute=True):
            publish(world, world.plan_draft)
        assert sent == [world.plan_draft.pk]
        pdf = PlanPdf.objects.get(version=world.plan_draft)
        assert pdf.status == PlanPdf.Status.PENDING
        plan_services.store_pdf(version_pk=world.plan_draft.pk, content=b"%PDF first")
        plan_services.store_pdf(version_pk=world.plan_draft.pk, content=b"%PDF second")  # a duplicate task
        pdf.refresh_from_db()
        assert bytes(pdf.content or b"") == b"%PDF first"
        assert pdf.size == 10
        assert len(pdf.sha256) == 64

    def test_the_task_renders_in_the_worker_and_is_idempotent(self, world: World) -> None:
        from care_plans.tasks import render_plan_pdf

        with transaction.atomic():
            publish(world, world.plan_draft)
        render_plan_pdf.apply(args=(world.plan_draft.pk,))
        pdf = PlanPdf.objects.get(version=world.plan_draft)
        assert pdf.status == PlanPdf.Status.READY
        assert bytes(pdf.content or b"").startswith(b"%PDF")
        render_plan_pdf.apply(args=(world.plan_draft.pk,))
        assert PlanPdf.objects.get(version=world.plan_draft).sha256 == pdf.sha256

    def test_a_failing_render_is_retried_then_recorded_and_requeued(
        self, world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
    ) -> None:
        from care_plans import pdf as pdf_module
        from care_plans.tasks import MAX_RETRIES, render_plan_pdf

        publish(world, world.plan_draft)

        def broken(version: PlanVersion, **kwargs: Any) -> str:
            raise RuntimeError("fonts missing")

        monkeypatch.setattr(pdf_module, "plan_html", broken)
        render_plan_pdf.apply(args=(world.plan_draft.pk,))  # eager: retries run at once
        pdf = PlanPdf.objects.get(version=world.plan_draft)
        assert pdf.status == PlanPdf.Status.FAILED
        assert pdf.attempts == MAX_RETRIES + 1
        assert "fonts missing" in pdf.error
        sent: list[int] = []
        monkeypatch.setattr(plan_services, "queue_pdf", sent.append)
        with django_capture_on_commit_callbacks(execute=True):
            plan_services.request_pdf(
                version=PlanVersion.objects.get(pk=world.plan_draft.pk), by=world.coordinator, ground=COORDINATOR
            )
        assert PlanPdf.objects.get(version=world.plan_draft).status == PlanPdf.Status.PENDING
        assert sent == [world.plan_draft.pk]

    def test_with_the_broker_down_the_publish_commits_and_the_pdf_waits(
        self, world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from kombu.exceptions import OperationalError

        from care_plans.tasks import render_plan_pdf

        def broker_down(*args: Any, **kwargs: Any) -> None:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        monkeypatch.setattr(render_plan_pdf, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            publish(world, world.plan_draft)
        assert PlanVersion.objects.get(pk=world.plan_draft.pk).status == PlanVersion.Status.PUBLISHED
        assert PlanPdf.objects.get(version=world.plan_draft).status == PlanPdf.Status.PENDING
        from care_plans.tasks import requeue_pending_pdfs

        # The broker never took it: the sweep after the next minute sends it again, and while
        # the broker is still away it stops at the first refusal.
        assert PlanPdf.objects.get(version=world.plan_draft).queued_at is None
        PlanPdf.objects.filter(version=world.plan_draft).update(
            requested_at=timezone.now() - datetime.timedelta(minutes=1)
        )
        assert requeue_pending_pdfs() == 0
        sent: list[int] = []
        monkeypatch.setattr(plan_services, "queue_pdf", _taken_into(sent))
        assert requeue_pending_pdfs() == 1
        assert sent == [world.plan_draft.pk]

    def test_a_render_queued_but_never_finished_is_sent_again(
        self, world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from care_plans.tasks import STALE_AFTER, requeue_pending_pdfs

        with django_capture_on_commit_callbacks(execute=True):
            publish(world, world.plan_draft)
        pdf = PlanPdf.objects.get(version=world.plan_draft)
        assert pdf.queued_at is not None  # the test broker took it; no worker listens
        now = timezone.now()
        sent: list[int] = []
        monkeypatch.setattr(plan_services, "queue_pdf", _taken_into(sent))
        PlanPdf.objects.filter(pk=pdf.pk).update(requested_at=now - STALE_AFTER, queued_at=now - STALE_AFTER / 2)
        assert requeue_pending_pdfs() == 0  # a worker may still be on it
        PlanPdf.objects.filter(pk=pdf.pk).update(queued_at=now - STALE_AFTER - datetime.timedelta(seconds=1))
        assert requeue_pending_pdfs() == 1
        assert sent == [world.plan_draft.pk]

    def test_a_render_taken_by_a_worker_that_no_longer_answers_is_sent_again_once(
        self, world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from care_plans import tasks
        from core import workers

        with django_capture_on_commit_callbacks(execute=True):
            publish(world, world.plan_draft)
        version_pk = world.plan_draft.pk
        sent: list[int] = []
        monkeypatch.setattr(plan_services, "queue_pdf", _taken_into(sent))
        took = "pdf@host pid 7 1a2b3c4d"
        assert plan_services.take_pdf(version_pk=version_pk, worker=took)
        alive: set[str] | None = {took, "celery@other pid 9 5e6f7a8b"}
        monkeypatch.setattr(workers, "live_identities", lambda app: alive)
        assert tasks.requeue_pending_pdfs() == 0  # its worker is on it
        alive = None  # the broker cannot be asked who is alive: nobody is declared dead
        assert tasks.requeue_pending_pdfs() == 0
        # The node restarted under its name and process id (a container's PID 1): another worker.
        alive = {"pdf@host pid 7 9f8e7d6c", "celery@other pid 9 5e6f7a8b"}
        assert tasks.requeue_pending_pdfs() == 1
        assert sent == [version_pk]
        pdf = PlanPdf.objects.get(version_id=version_pk)
        assert (pdf.taken_by, pdf.taken_at, pdf.status) == ("", None, PlanPdf.Status.PENDING)
        assert tasks.requeue_pending_pdfs() == 0  # taken back once: a second sweep finds nothing

    def test_of_two_sweeps_at_once_one_takes_the_render_back_and_a_worker_that_took_it_keeps_it(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            publish(world, world.plan_draft)
        version_pk = world.plan_draft.pk
        plan_services.take_pdf(version_pk=version_pk, worker="dead")
        assert plan_services.release_pdf(version_pk=version_pk, taken_by="dead")
        assert not plan_services.release_pdf(version_pk=version_pk, taken_by="dead")
        plan_services.take_pdf(version_pk=version_pk, worker="dead")
        plan_services.take_pdf(version_pk=version_pk, worker="alive")  # between a sweep's read and its release
        assert not plan_services.release_pdf(version_pk=version_pk, taken_by="dead")
        assert PlanPdf.objects.get(version_id=version_pk).taken_by == "alive"

    def test_a_render_taken_long_ago_is_sent_again_though_its_worker_answers(
        self, world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from care_plans import tasks
        from core import workers

        with django_capture_on_commit_callbacks(execute=True):
            publish(world, world.plan_draft)
        sent: list[int] = []
        monkeypatch.setattr(plan_services, "queue_pdf", _taken_into(sent))
        monkeypatch.setattr(workers, "live_identities", lambda app: {"hung"})
        plan_services.take_pdf(version_pk=world.plan_draft.pk, worker="hung")
        PlanPdf.objects.filter(version=world.plan_draft).update(
            taken_at=timezone.now() - tasks.TAKEN_STALE_AFTER + datetime.timedelta(seconds=5)
        )
        assert tasks.requeue_pending_pdfs() == 0
        PlanPdf.objects.filter(version=world.plan_draft).update(
            taken_at=timezone.now() - tasks.TAKEN_STALE_AFTER - datetime.timedelta(seconds=1)
        )
        assert tasks.requeue_pending_pdfs() == 1
        assert sent == [world.plan_draft.pk]


class TestPages:
    def test_the_plan_pages_render_and_are_audited(self, world: World) -> None:
        from django.test import Client

        page = Client()
        page.force_login(world.coordinator)
        for url in (
            reverse("client-care-plan", kwargs={"pk": world.own_client.pk}),
            reverse("plan-version", kwargs={"pk": world.plan_draft.pk}),
            reverse("plan-version", kwargs={"pk": world.plan_published.pk}),
            reverse("plan-version-review", kwargs={"pk": world.plan_published.pk}),
            reverse("care-plan-compare", kwargs={"pk": world.own_client.pk}),
            reverse("plan-version-pdf-status", kwargs={"pk": world.plan_published.pk}),
        ):
            assert page.get(url).status_code == 200, url
        response = page.get(reverse("plan-version-pdf", kwargs={"pk": world.plan_published.pk}))
        assert response["Content-Type"] == "application/pdf"
        assert AccessEvent.objects.filter(
            pk__gt=world.last_event_pk, client=world.own_client, what="care_plan.pdf"
        ).exists()

    def test_preparing_the_pdf_again_answers_the_fragment_htmx_swaps_in(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from django.test import Client

        monkeypatch.setattr(plan_services, "queue_pdf", _taken_into([]))
        publish(world, world.plan_draft)
        PlanPdf.objects.filter(version=world.plan_draft).update(status=PlanPdf.Status.FAILED)
        page = Client()
        page.force_login(world.coordinator)
        url = reverse("plan-version-pdf-render", kwargs={"pk": world.plan_draft.pk})
        response = page.post(url, headers={"hx-request": "true"})
        assert response.status_code == 200
        assert 'id="plan-pdf"' in response.content.decode()
        assert PlanPdf.objects.get(version=world.plan_draft).status == PlanPdf.Status.PENDING

    def test_adding_a_disagreement_on_the_page(self, world: World) -> None:
        from django.test import Client

        page = Client()
        page.force_login(world.coordinator)
        world.plan_draft.refresh_from_db()
        goal = world.plan_draft.goals.get()
        response = page.post(
            reverse("plan-version", kwargs={"pk": world.plan_draft.pk}),
            {
                "action": "disagreement",
                "disagreement-revision": world.plan_draft.revision,
                "disagreement-about": f"goal:{goal.key}",
                "disagreement-client_position": "En tarvitse aamuapua",
                "disagreement-professional_position": "Kaatumisriski aamuisin",
                "disagreement-reasons": "Kaksi kaatumista",
            },
        )
        assert response.status_code == 302
        [d] = Disagreement.objects.filter(version=world.plan_draft)
        assert (d.subject, d.goal_id, d.client_position) == ("goal", goal.pk, "En tarvitse aamuapua")

    def test_a_bad_form_is_a_400_and_saves_nothing(self, world: World) -> None:
        from django.test import Client

        page = Client()
        page.force_login(world.coordinator)
        world.plan_draft.refresh_from_db()
        response = page.post(
            reverse("plan-version", kwargs={"pk": world.plan_draft.pk}),
            {"action": "service", "service-revision": world.plan_draft.revision, "service-service": ""},
        )
        assert response.status_code == 400
        assert not world.plan_draft.services.exists()


def test_the_versions_list_costs_the_same_for_few_and_many_versions(world: World, api: APIClient) -> None:
    api.force_login(world.coordinator)
    url = reverse("api-client-care-plan", kwargs={"pk": world.own_client.pk})
    with CaptureQueriesContext(connection) as few:
        assert api.get(url).status_code == 200
    for _ in range(3):
        world.plan_draft = publish(world, world.plan_draft)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(url).json()) == 5
    assert len(many) == len(few)


def test_the_version_detail_costs_a_fixed_number_of_queries(
    world: World, api: APIClient, django_assert_max_num_queries: Any
) -> None:
    api.force_login(world.coordinator)
    content = content_of(world.plan_draft)
    for n in range(5):
        content["goals"].append(
            {"client_words": f"Tavoite {n}", "actions": [{"text": "Teko", "responsible": "client"}] * 3}
        )
    save(world, world.plan_draft, goals=content["goals"])
    with django_assert_max_num_queries(20):
        assert api.get(reverse("api-plan-version", kwargs={"pk": world.plan_draft.pk})).status_code == 200
    assessment_selectors.configuration()  # the assessment's reads stay untouched by plans
