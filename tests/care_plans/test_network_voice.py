"""The network's voice in the care plan: a relative's view of a review (their words and their
rating of each goal) beside the client's and the professional's, only with the client's consent
to share the plan in force; a disagreement's reasons; the named worker and today's substitute on
the plan's page and in its PDF. ``world`` gives own_client version 1 published, its daughter
Liisa (consent to share meetings only) and a substitute standing in for the coordinator today."""

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.test import Client as PageClient
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from access.models import AccessEvent, Section
from access.policy import Ground
from care_plans import selectors as plan_selectors
from care_plans import services as plan_services
from care_plans.models import Disagreement, GoalOutcome, NetworkGoalRating, NetworkReviewView, PlanReview, PlanVersion
from care_plans.tasks import render_pdf
from clients.models import Client
from core.errors import ConflictError
from networks import services as network_services
from networks.models import Consent, Relationship
from portal.models import WorkerContact
from tests.conftest import World

COORDINATOR = Ground.DESIGNATED_COORDINATOR


def review_of(world: World) -> PlanReview:
    world.plan_published.refresh_from_db()
    goal = world.plan_published.goals.get()
    return plan_services.record_review(
        version=world.plan_published,
        by=world.coordinator,
        ground=COORDINATOR,
        held_on=timezone.localdate(),
        notes="Aamut sujuvat.",
        outcomes=[{"goal": goal.key, "client_rating": 4, "professional_rating": 3, "comment": "Hyvä"}],
    )


def share_the_plan(world: World) -> Consent:
    """own_client agrees to share the plan with the daughter from a week ago for a year."""
    today = timezone.localdate()
    return network_services.give_consent(
        client=world.own_client,
        by=world.coordinator,
        ground=COORDINATOR,
        network_member=world.relative,
        sections=[Section.PLAN],
        purpose="Suunnitelman arviointi",
        given_on=today - datetime.timedelta(days=7),
        valid_until=today + datetime.timedelta(days=365),
    )


def record(world: World, review: PlanReview, **overrides: Any) -> NetworkReviewView:
    goal = world.plan_published.goals.get()
    arguments: dict[str, Any] = {
        "review": review,
        "network_member": world.relative,
        "words": "Äiti on iloisempi, kun iltaisin käydään.",
        "ratings": [{"goal": goal.key, "rating": 5}],
        "by": world.coordinator,
        "ground": COORDINATOR,
        **overrides,
    }
    return plan_services.record_network_review_view(**arguments)


class TestNetworkViewOfReview:
    @pytest.fixture(autouse=True)
    def in_english(self, world: World) -> Iterator[None]:
        """The assertions read the English messages, whatever language the thread was left in;
        pages and the API speak the signed-in user's saved language."""
        world.coordinator.language = "en"
        world.coordinator.save(update_fields=["language"])
        with translation.override("en"):
            yield

    def test_without_consent_to_share_the_plan_the_view_is_refused_with_a_clear_message(self, world: World) -> None:
        review = review_of(world)
        with pytest.raises(ValidationError) as refused:
            record(world, review)
        assert "no consent in force to share the care plan with Liisa Virtanen" in str(refused.value)
        assert not NetworkReviewView.objects.exists()

    def test_with_consent_in_force_it_stands_beside_the_clients_and_professionals_ratings(self, world: World) -> None:
        review = review_of(world)
        consent = share_the_plan(world)
        view = record(world, review)
        assert view.consent == consent
        assert [r.rating for r in view.ratings.all()] == [5]
        # The client's own and the professional's ratings stay as the review recorded them.
        outcome = GoalOutcome.objects.get(review=review)
        assert (outcome.client_rating, outcome.professional_rating) == (4, 3)
        loaded = plan_selectors.review_for(user=world.coordinator, pk=review.pk, what="test")
        [row] = plan_selectors.voices_of(loaded, list(loaded.version.goals.all()))
        assert row.outcome is not None
        assert (row.outcome.client_rating, row.outcome.professional_rating) == (4, 3)
        assert [(v.network_member.name, rating) for v, rating in row.network] == [("Liisa Virtanen", 5)]
        assert AccessEvent.objects.filter(
            pk__gt=world.last_event_pk, client=world.own_client, action="change", what="care_plan"
        ).exists()

    def test_a_withdrawn_or_lapsed_consent_no_longer_allows_it(self, world: World) -> None:
        review = review_of(world)
        consent = share_the_plan(world)
        network_services.withdraw_consent(consent=consent, by=world.coordinator, ground=COORDINATOR)
        with pytest.raises(ValidationError):
            record(world, review)
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        Consent.objects.create(
            client=world.own_client,
            network_member=world.relative,
            sections=[Section.PLAN],
            purpose="Päättynyt",
            given_on=yesterday - datetime.timedelta(days=30),
            valid_until=yesterday,
            recorded_by=world.coordinator,
        )
        with pytest.raises(ValidationError):
            record(world, review)
        assert not NetworkReviewView.objects.exists()

    def test_someone_elses_network_a_second_view_and_bad_ratings_are_refused(self, world: World) -> None:
        review = review_of(world)
        share_the_plan(world)
        stranger = network_services.add_network_member(
            client=world.colleague_client,
            by=world.colleague,
            ground=COORDINATOR,
            fields={"name": "Matti Muu", "relationship": Relationship.FRIEND},
        )
        with pytest.raises(ValidationError, match="own network"):
            record(world, review, network_member=stranger)
        with pytest.raises(ValidationError) as refused:
            record(world, review, words="  ", ratings=[{"goal": "not-a-key", "rating": 3}, {"goal": None}])
        assert set(refused.value.message_dict) == {"words", "ratings"}
        goal = world.plan_published.goals.get()
        with pytest.raises(ValidationError, match="1 to 5"):
            record(world, review, ratings=[{"goal": goal.key, "rating": 6}])
        record(world, review, ratings=[])
        with pytest.raises(ValidationError, match="already recorded"):
            record(world, review)
        assert NetworkReviewView.objects.count() == 1
        assert not NetworkGoalRating.objects.exists()

    def test_a_closed_client_takes_no_view(self, world: World) -> None:
        review = review_of(world)
        share_the_plan(world)
        Client.objects.filter(pk=world.own_client.pk).update(closed_on=timezone.localdate())
        with pytest.raises(ConflictError):
            record(world, PlanReview.objects.select_related("version__plan__client").get(pk=review.pk))

    def test_the_api_records_and_shows_it_beside_the_review(self, world: World, api: APIClient) -> None:
        review = review_of(world)
        api.force_login(world.coordinator)
        url = reverse("api-plan-review-network-views", kwargs={"pk": review.pk})
        goal = world.plan_published.goals.get()
        body = {
            "network_member": world.relative.pk,
            "words": "Hyvin menee.",
            "ratings": [{"goal": str(goal.key), "rating": 4}],
        }
        refused = api.post(url, body, format="json")
        assert refused.status_code == 400
        assert "no consent in force" in str(refused.json())
        share_the_plan(world)
        response = api.post(url, body, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["ratings"] == [{"goal": str(goal.key), "rating": 4}]
        assert api.get(url).json()[0]["name"] == "Liisa Virtanen"
        reviews = api.get(reverse("api-plan-version-reviews", kwargs={"pk": world.plan_published.pk})).json()
        [shown] = reviews
        assert shown["outcomes"][0]["client_rating"] == 4
        assert shown["network_views"][0]["words"] == "Hyvin menee."
        assert api.post(url, {**body, "network_member": 0}, format="json").status_code == 400
        assert api.post(url, {**body, "surprise": 1}, format="json").status_code == 400

    def test_the_review_page_shows_the_voices_side_by_side_and_records_one(self, world: World) -> None:
        review = review_of(world)
        share_the_plan(world)
        page = PageClient()
        page.force_login(world.coordinator)
        url = reverse("plan-review-detail", kwargs={"pk": review.pk})
        goal = world.plan_published.goals.get()
        response = page.post(
            url,
            {
                "network-network_member": world.relative.pk,
                "network-words": "Äiti jaksaa paremmin.",
                f"network-rating-{goal.key}": "4",
            },
        )
        assert response.status_code == 302
        html = page.get(url).content.decode()
        assert "Äiti jaksaa paremmin." in html
        assert "Liisa Virtanen" in html
        # The client's 4, the professional's 3, Liisa's 4, side by side.
        assert "4 / 5" in html
        assert "3 / 5" in html
        version_page = page.get(reverse("plan-version", kwargs={"pk": world.plan_published.pk})).content.decode()
        assert url in version_page
        empty = page.post(url, {"network-network_member": world.relative.pk, "network-words": ""})
        assert empty.status_code == 400

    def test_the_review_page_costs_the_same_for_more_views(self, world: World) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        review = review_of(world)
        share_the_plan(world)
        record(world, review)
        page = PageClient()
        page.force_login(world.coordinator)
        url = reverse("plan-review-detail", kwargs={"pk": review.pk})
        with CaptureQueriesContext(connection) as one:
            assert page.get(url).status_code == 200
        for n in range(3):
            member = network_services.add_network_member(
                client=world.own_client,
                by=world.coordinator,
                ground=COORDINATOR,
                fields={"name": f"Naapuri {n}", "relationship": Relationship.NEIGHBOUR},
            )
            network_services.give_consent(
                client=world.own_client,
                by=world.coordinator,
                ground=COORDINATOR,
                network_member=member,
                sections=[Section.PLAN],
                purpose="Arviointi",
                given_on=timezone.localdate(),
                valid_until=timezone.localdate(),
            )
            record(world, review, network_member=member)
        with CaptureQueriesContext(connection) as four:
            assert page.get(url).status_code == 200
        assert len(four) == len(one)


class TestDisagreementReasons:
    @pytest.fixture(autouse=True)
    def in_english(self, world: World) -> Iterator[None]:
        """The assertions read the English messages, whatever language the thread was left in;
        pages and the API speak the signed-in user's saved language."""
        world.coordinator.language = "en"
        world.coordinator.save(update_fields=["language"])
        with translation.override("en"):
            yield

    def test_the_service_refuses_a_disagreement_without_reasons(self, world: World) -> None:
        version = world.plan_draft
        version.refresh_from_db()
        goal = version.goals.get()
        item = {"subject": "goal", "goal": goal.key, "client_position": "En", "professional_position": "Kyllä"}
        with pytest.raises(ValidationError, match="give the reasons"):
            plan_services.save_draft(
                version=version,
                by=world.coordinator,
                ground=COORDINATOR,
                revision=version.revision,
                content={"disagreements": [{**item, "reasons": "  "}]},
            )
        assert not Disagreement.objects.filter(version=version).exists()

    def test_the_api_refuses_a_missing_or_blank_reason_with_a_clear_message(self, world: World, api: APIClient) -> None:
        api.force_login(world.coordinator)
        url = reverse("api-plan-version", kwargs={"pk": world.plan_draft.pk})
        given = api.get(url).json()
        item = {"subject": "plan", "client_position": "En", "professional_position": "Kyllä"}
        missing = api.put(url, {"revision": given["revision"], "disagreements": [item]}, format="json")
        assert missing.status_code == 400
        assert "Give the reasons for the disagreement." in str(missing.json())
        blank = api.put(url, {"revision": given["revision"], "disagreements": [{**item, "reasons": ""}]}, format="json")
        assert blank.status_code == 400
        assert "give the reasons for the disagreement" in str(blank.json())
        done = api.put(
            url, {"revision": given["revision"], "disagreements": [{**item, "reasons": "Syy"}]}, format="json"
        )
        assert done.status_code == 200, done.content

    def test_the_page_refuses_it_on_the_form(self, world: World) -> None:
        page = PageClient()
        page.force_login(world.coordinator)
        world.plan_draft.refresh_from_db()
        response = page.post(
            reverse("plan-version", kwargs={"pk": world.plan_draft.pk}),
            {
                "action": "disagreement",
                "disagreement-revision": world.plan_draft.revision,
                "disagreement-about": "plan",
                "disagreement-client_position": "En tarvitse",
                "disagreement-professional_position": "Tarvitset",
                "disagreement-reasons": "",
            },
        )
        assert response.status_code == 400
        assert "Give the reasons for the disagreement." in response.content.decode()
        assert not Disagreement.objects.filter(version=world.plan_draft).exists()

    def test_one_recorded_without_reasons_before_stays_until_changed(self, world: World) -> None:
        version = world.plan_draft
        Disagreement.objects.create(
            version=version, subject="plan", client_position="En", professional_position="Kyllä", reasons=""
        )
        version.refresh_from_db()
        content = plan_selectors.draft_content(plan_selectors.version_with_content(version.pk))
        version = plan_services.save_draft(
            version=version,
            by=world.coordinator,
            ground=COORDINATOR,
            revision=version.revision,
            content={"disagreements": content["disagreements"]},
        )
        changed = [{**content["disagreements"][0], "client_position": "En todellakaan"}]
        with pytest.raises(ValidationError, match="give the reasons"):
            plan_services.save_draft(
                version=version,
                by=world.coordinator,
                ground=COORDINATOR,
                revision=version.revision,
                content={"disagreements": changed},
            )


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


class TestNamedWorkerOnThePlan:
    @pytest.fixture
    def contact(self, world: World) -> WorkerContact:
        return WorkerContact.objects.create(
            user=world.coordinator, title="Palveluohjaaja", phone="040 123 4567", reachable="Ma–pe 9–11"
        )

    def test_the_plan_page_names_the_worker_how_to_reach_them_and_todays_substitute(
        self, world: World, contact: WorkerContact
    ) -> None:
        page = PageClient()
        page.force_login(world.coordinator)
        html = page.get(reverse("plan-version", kwargs={"pk": world.plan_published.pk})).content.decode()
        assert world.coordinator.get_full_name() in html
        assert "040 123 4567" in html
        assert "Ma–pe 9–11" in html
        assert world.coordinator.email in html
        assert world.substitute.get_full_name() in html

    def test_the_pdf_names_them_too(self, world: World, contact: WorkerContact) -> None:
        text = pdf_text(render_pdf(world.plan_published.pk))
        assert world.coordinator.get_full_name() in text
        assert "040 123 4567" in text
        assert world.substitute.get_full_name() in text

    def test_without_a_substitute_today_none_is_named(self, world: World, contact: WorkerContact) -> None:
        from teams.models import Substitution

        Substitution.objects.filter(substitute=world.substitute).delete()
        text = pdf_text(render_pdf(world.plan_published.pk))
        assert world.coordinator.get_full_name() in text
        assert world.substitute.get_full_name() not in text


def test_the_database_keeps_a_network_rating_from_1_to_5(world: World) -> None:
    """The database keeps a rating to 1–5 whatever writes it."""
    review = review_of(world)
    share_the_plan(world)
    view = record(world, review, ratings=[])
    goal = world.plan_published.goals.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        NetworkGoalRating.objects.create(view=view, goal=goal, rating=9)
    assert PlanVersion.objects.filter(pk=world.plan_published.pk).exists()


def test_a_review_recorded_on_its_page_opens_the_review_for_the_networks_views(world: World) -> None:
    world.plan_published.refresh_from_db()
    goal = world.plan_published.goals.get()
    page = PageClient()
    page.force_login(world.coordinator)
    response = page.post(
        reverse("plan-version-review", kwargs={"pk": world.plan_published.pk}),
        {"held_on": timezone.localdate().isoformat(), f"client-{goal.key}": "4", f"professional-{goal.key}": "3"},
    )
    review = PlanReview.objects.get(version=world.plan_published)
    assert response.status_code == 302
    assert response["Location"] == reverse("plan-review-detail", kwargs={"pk": review.pk})
