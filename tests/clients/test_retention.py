"""Retention acted on: the nightly job lists the closed clients past their retention and, with
the setting on, anonymises them in place, keeping what the statistics count. The day is
injected: the retention end date plus one."""

import datetime
from decimal import Decimal
from io import StringIO

import pghistory.models
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import CharField, ForeignKey, Model, OneToOneField, TextField
from django.test import override_settings
from django.utils import timezone

from access.models import Consultation, ReturningClient, Section
from access.policy import Ground
from accounts.models import User
from assessments import selectors as assessment_selectors
from assessments.models import (
    Assessment,
    DomainNeed,
    LifeDomain,
    NeedSlot,
    NetworkView,
    ProfessionalConclusion,
)
from budgets.models import Budget, Reallocation, Spending
from care_plans import selectors as plan_selectors
from care_plans import services as plan_services
from care_plans.models import (
    Disagreement,
    GoalAction,
    GoalOutcome,
    NetworkGoalRating,
    NetworkReviewView,
    PlanGoal,
    PlanPdf,
    PlanReview,
    PlanService,
    PlanVersion,
)
from clients import selectors, services
from clients.models import (
    Anonymisation,
    Assignment,
    Client,
    ClientMessage,
    ClosureReason,
    Contact,
    CoordinationReview,
    RelationshipPeriod,
    RetentionRun,
)
from clients.tasks import apply_retention
from networks.models import CareTeamMember, Consent, Decision, NetworkMeeting, NetworkMember
from portal import selectors as portal_selectors
from portal.models import ClientView, GoalRating, HeardAnswer, MessageToWorker
from tests.conftest import World

DAY = datetime.timedelta(days=1)


def past(world: World) -> datetime.date:
    """The first day past the closed client's retention."""
    period = world.closed_client.relationship_periods.get()
    assert period.retention_ends_on is not None
    return period.retention_ends_on + DAY


def endings(world: World, today: datetime.date) -> dict[int, selectors.Endings]:
    return selectors.endings_by_team(team_ids=[world.team_a.pk], since=today - 20 * 365 * DAY, until=today)


class TestRetention:
    def test_nothing_is_past_retention_before_its_end(self, world: World) -> None:
        assert list(selectors.past_retention(past(world) - DAY)) == []
        assert [c.pk for c in selectors.past_retention(past(world))] == [world.closed_client.pk]

    def test_a_dry_run_lists_and_changes_nothing(self, world: World) -> None:
        before = Client.objects.values_list("first_name", "identity_code").get(pk=world.closed_client.pk)
        result = services.apply_retention(today=past(world), anonymise=False)
        assert [c.pk for c in result.listed] == [world.closed_client.pk]
        assert (result.run.applied, result.run.found, result.run.anonymised) == (False, 1, 0)
        after = Client.objects.values_list("first_name", "identity_code").get(pk=world.closed_client.pk)
        assert after == before
        assert not Anonymisation.objects.exists()

    def test_the_setting_is_off_by_default(self, world: World) -> None:
        apply_retention()  # the beat task: today is long before the end, and it only lists
        run = RetentionRun.objects.get()
        assert (run.applied, run.found) == (False, 0)

    def test_anonymises_keeping_the_counts(self, world: World) -> None:
        client = world.closed_client
        period = client.relationship_periods.get()
        RelationshipPeriod.objects.filter(pk=period.pk).update(client_view_words="Kiitos avusta.")
        ClientMessage.objects.create(client=client, subject="Hei", body="Viesti")
        Contact.objects.filter(client=client).update(reason="Kaatuili kotona")
        counted = endings(world, past(world))
        born = client.date_of_birth

        result = services.apply_retention(today=past(world), anonymise=True)

        assert (result.run.applied, result.run.anonymised) == (True, 1)
        client.refresh_from_db()
        assert (client.first_name, client.last_name, client.identity_code, client.phone, client.email) == (
            "",
            "",
            "",
            "",
            "",
        )
        assert client.date_of_birth == datetime.date(born.year, 1, 1)
        assert client.anonymised_on == past(world)
        assert str(client.pk) in client.full_name
        period.refresh_from_db()
        assert (period.closing_summary, period.reached, period.client_view_words) == ("", "", "")
        assert (period.closure_reason, period.client_view, period.planned_ending) != ("", "", None)
        assert not ClientMessage.objects.filter(client=client).exists()
        assert set(Contact.objects.filter(client=client).values_list("reason", flat=True)) <= {""}
        assert set(Assignment.objects.filter(client=client).values_list("handover_note", flat=True)) <= {""}
        # The history that kept the old values is gone.
        assert not apps.get_model("clients", "ClientEvent").objects.filter(pgh_obj_id=client.pk).exists()
        assert endings(world, past(world)) == counted
        audit = Anonymisation.objects.get(client=client)
        assert (audit.run, audit.retention_ended_on) == (result.run, past(world) - DAY)
        # A rerun finds nothing left to do.
        assert services.apply_retention(today=past(world), anonymise=True).listed == []

    def test_open_and_reopened_clients_are_kept(self, world: World) -> None:
        day = past(world)
        services.reopen_client(
            client=world.closed_client, by=world.lead, ground="team_lead", opened_on=timezone.localdate()
        )
        assert services.apply_retention(today=day, anonymise=True).listed == []
        assert Client.objects.filter(anonymised_on__isnull=False).count() == 0

    def test_anonymises_reviews_words(self, world: World) -> None:
        period = world.closed_client.relationship_periods.get()
        CoordinationReview.objects.create(
            period=period,
            client=world.closed_client,
            reviewed_on=period.opened_on,
            decision="close",
            client_view="helped",
            client_view_words="Omat sanat",
            note="Perusteet",
            recorded_by=world.coordinator,
        )
        services.apply_retention(today=past(world), anonymise=True)
        assert list(CoordinationReview.objects.values_list("client_view", "client_view_words", "note")) == [
            ("helped", "", "")
        ]


class TestCommand:
    def test_lists_with_an_injected_day(self, world: World) -> None:
        out = StringIO()
        call_command("apply_retention", "--today", past(world).isoformat(), stdout=out)
        assert f"client {world.closed_client.pk}" in out.getvalue()
        assert "dry run" in out.getvalue()
        assert Client.objects.get(pk=world.closed_client.pk).anonymised_on is None

    @override_settings(RETENTION_ANONYMISE=True)
    def test_the_setting_turns_anonymising_on_and_dry_run_still_only_lists(self, world: World) -> None:
        call_command("apply_retention", "--today", past(world).isoformat(), "--dry-run", stdout=StringIO())
        assert Client.objects.get(pk=world.closed_client.pk).anonymised_on is None
        call_command("apply_retention", "--today", past(world).isoformat(), stdout=StringIO())
        assert Client.objects.get(pk=world.closed_client.pk).anonymised_on == past(world)

    def test_a_bad_day_is_refused(self, world: World) -> None:
        from django.core.management import CommandError

        with pytest.raises(CommandError):
            call_command("apply_retention", "--today", "٢٠٢٦-01-01", stdout=StringIO())


# Every table that holds rows of a client without a ``client`` column of its own, with the path
# from it to the client. A new such table fails the walk until it is named here, and so until
# its app's anonymiser has been thought about.
CLIENT_PATHS = {
    "assessments.DomainNeed": "assessment__client",
    "assessments.NeedSlot": "need__assessment__client",
    "assessments.ProfessionalConclusion": "assessment__client",
    "assessments.NetworkView": "assessment__client",
    "care_plans.PlanVersion": "plan__client",
    "care_plans.PlanGoal": "version__plan__client",
    "care_plans.GoalAction": "goal__version__plan__client",
    "care_plans.PlanService": "version__plan__client",
    "care_plans.Disagreement": "version__plan__client",
    "care_plans.PlanPdf": "version__plan__client",
    "care_plans.PlanReview": "version__plan__client",
    "care_plans.GoalOutcome": "review__version__plan__client",
    "care_plans.NetworkReviewView": "review__version__plan__client",
    "care_plans.NetworkGoalRating": "view__review__version__plan__client",
    "networks.Decision": "meeting__client",
    "budgets.BudgetLine": "budget__client",
    "budgets.Spending": "line__budget__client",
    "budgets.Reallocation": "budget__client",
    "portal.GoalRating": "view__client",
    "clients.Anonymisation": "client",
    "reminders.DeliveryAttempt": "reminder__client",
}
# Tables of a client left as they are, and why.
KEPT_TABLES = {
    # The access log keeps each event's client, is append-only and has its own retention.
    "access.AccessEvent",
}
# Text columns that are codes or names of no one, not words about the client.
CODES = {
    "clients.Client.record_class",
    "clients.Client.municipality",  # counted by area; names no one
    "clients.Referral.counterpart",  # a partner organisation, counted per partner
    "clients.RelationshipPeriod.retention_class",
    "clients.Anonymisation.retention_class",
    "reminders.Reminder.subject_type",
    "reminders.DeliveryAttempt.error",  # the mail server's
    "networks.CareTeamMember.role",  # the professional's role: "home care nurse"
    "care_plans.PlanVersion.language",
    "care_plans.PlanService.service",  # "home help": what was agreed, counted
    "care_plans.PlanService.provider",  # an organisation
    "care_plans.PlanPdf.sha256",
    "care_plans.PlanPdf.taken_by",
    "care_plans.PlanPdf.error",
}
# A check constraint keeps some columns non-empty: anonymising leaves a mark there, no words.
BLANK = {"", "-"}
PROJECT_APPS = (
    "accounts",
    "teams",
    "access",
    "clients",
    "networks",
    "assessments",
    "care_plans",
    "budgets",
    "reminders",
    "portal",
)


def client_tables() -> dict[type[Model], str]:
    """Every concrete model of the project holding rows of a client, with its path to it."""
    found: dict[type[Model], str] = {Client: "pk"}
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            name = model._meta.label
            if model is Client or name in KEPT_TABLES or issubclass(model, pghistory.models.Event):
                continue
            fields = {f.name: f for f in model._meta.get_fields() if f.concrete}
            if name in CLIENT_PATHS:
                found[model] = CLIENT_PATHS[name]
            elif isinstance(fields.get("client"), ForeignKey | OneToOneField):
                found[model] = "client"
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model in found or model._meta.label in KEPT_TABLES or issubclass(model, pghistory.models.Event):
                continue
            for f in model._meta.get_fields():
                if f.concrete and f.is_relation and f.many_to_one and f.related_model in found:
                    pytest.fail(f"{model._meta.label}.{f.name} leads to a client: add it to CLIENT_PATHS")
    return found


def free_texts(model: type[Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, CharField | TextField)
        and not f.choices
        and f"{model._meta.label}.{f.name}" not in CODES
        and not f.primary_key
    ]


def history(model: type[Model]) -> type[Model] | None:
    try:
        return apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    except LookupError:
        return None


def fill_every_app(world: World) -> Client:
    """own_client with words in every app: the world's assessment, plan, network, budget and
    portal, and the rest of their tables, the assessment completed and a version published so
    that the frozen rows' triggers are met."""
    client, by, today = world.own_client, world.coordinator, timezone.localdate()
    assessment = world.assessment
    Assessment.objects.filter(pk=assessment.pk).update(
        situation_summary="Asuu yksin.", professional_conclusion="Tarvitsee apua.", client_view="Pärjään."
    )
    need = DomainNeed.objects.get(assessment=assessment)
    DomainNeed.objects.filter(pk=need.pk).update(professional_text="Aamutoimet vaikeita.")
    NeedSlot.objects.filter(need=need).update(service="Liisan aamukäynti")
    NeedSlot.objects.create(need=need, weekday=2, time_of_day="evening")
    ProfessionalConclusion.objects.create(assessment=assessment, author=world.member, text="Verenpaine koholla.")
    NetworkView.objects.create(
        assessment=assessment,
        network_member=world.relative,
        consent=world.relative_consent,
        words="Äiti ei jaksa.",
        recorded_by=by,
    )
    Assessment.objects.filter(pk=assessment.pk).update(status="completed", completed_on=today)
    DomainNeed.objects.filter(assessment=assessment).update(frozen=True)
    NeedSlot.objects.filter(need__assessment=assessment).update(frozen=True)
    ProfessionalConclusion.objects.filter(assessment=assessment).update(frozen=True)

    draft = world.plan_draft
    PlanVersion.objects.filter(pk=draft.pk).update(
        strengths_client="Sisukas.", strengths_professional="Oma-aloitteinen."
    )
    domain = LifeDomain.objects.get(code="daily_living")
    goal = PlanGoal.objects.create(
        version=draft, client_words="Käyn itse kaupassa.", professional_words="Asiointi itsenäistä.", domain=domain
    )
    GoalAction.objects.create(goal=goal, text="Liisa lähtee mukaan.", responsible="client")
    service = PlanService.objects.create(
        version=draft, service="Kotihoito", provider="Hoiva Oy", amount="2 h/vk", backup="Naapuri Pekka"
    )
    Disagreement.objects.create(
        version=draft, subject="plan", client_position="En halua.", professional_position="Tarvitaan.", reasons="X"
    )
    draft.refresh_from_db()
    plan_services.publish_version(version=draft, by=by, ground=Ground.DESIGNATED_COORDINATOR, revision=draft.revision)
    PlanPdf.objects.filter(version=draft).update(status="ready", content=b"%PDF Liisa", sha256="0" * 64)
    review = PlanReview.objects.create(version=draft, held_on=today, notes="Hyvä kehitys.", reviewed_by=by)
    GoalOutcome.objects.create(review=review, goal=goal, client_rating=4, professional_rating=3, comment="Melkein.")
    view = NetworkReviewView.objects.create(
        review=review, network_member=world.relative, consent=world.relative_consent, words="Paremmin.", recorded_by=by
    )
    NetworkGoalRating.objects.create(view=view, goal=goal, rating=4)

    NetworkMember.objects.filter(pk=world.relative.pk).update(
        organisation="Oma", phone="040 123 4567", email="liisa@example.com", available="Iltaisin"
    )
    CareTeamMember.objects.filter(client=client).update(responsibility="Lääkitys")
    Consent.objects.create(
        client=client,
        outside_party="Kelan virkailija Matti",
        sections=[Section.BASIC],
        purpose="Hoitotuki",
        given_on=today,
        valid_until=today,
        recorded_by=by,
    )
    NetworkMeeting.objects.filter(client=client).update(
        call_link="https://meet.example/liisa", agenda="Kotiutus", notes="Sovittiin.", client_view="Hyvä."
    )
    Decision.objects.create(meeting=world.meeting, text="Liisa hakee lääkkeet.", responsible_client=True)

    Budget.objects.filter(pk=world.budget.pk).update(
        client_wishes="Oma avustaja.", adjustment_reason="Muutto.", decline_reason="Ei nyt."
    )
    Spending.objects.create(
        line=world.budget_line,
        provider=world.budget_provider,
        amount=Decimal("10.00"),
        delivered_on=today,
        reference="Lasku Virtanen 1",
        recorded_by=by,
    )
    Reallocation.objects.create(
        budget=world.budget, to_line=world.budget_line, amount=Decimal("5.00"), reason="Lisätunnit", made_by=by
    )

    view_of_client = ClientView.objects.create(client=client, version=draft, text="Oma näkemys.", written_by=by)
    GoalRating.objects.create(view=view_of_client, goal=goal, rating=3)
    HeardAnswer.objects.create(client=client, review=review, rating=4, text="Kuultiin.", written_by=world.citizen)
    MessageToWorker.objects.create(client=client, worker=by, text="Soita.", written_by=world.citizen)
    Consultation.objects.create(
        client=client, professional=world.colleague, granted_by=by, reason="Muisti", starts_on=today, ends_on=today
    )
    ReturningClient.objects.create(client=client, opened_by=by, reason="Palasi", opened_on=today)
    assert service.pk
    services.close_client(
        client=client,
        by=by,
        ground=Ground.DESIGNATED_COORDINATOR,
        closed_on=today - 150 * DAY,
        reason=ClosureReason.GOALS_MET,
        summary="Valmis.",
        reached="Kotihoito.",
        client_view="helped",
        client_view_words="Kiitos.",
    )
    return client


def figures(world: World, client: Client, today: datetime.date) -> object:
    """What the statistics count of ``client``: endings, goal outcomes, heard answers, unmet need."""
    return (
        endings(world, today),
        list(plan_selectors.goal_outcomes_by_domain([client.pk])),
        list(
            portal_selectors.heard_answers(clients=[client.pk], since=today - 20 * 365 * DAY).values_list(
                "rating", flat=True
            )
        ),
        list(assessment_selectors.uncovered_slots([client.pk])),
    )


class TestEveryApp:
    def test_every_apps_words_of_the_client_go_and_the_figures_stay(self, world: World) -> None:
        client = fill_every_app(world)
        ends = client.relationship_periods.get().retention_ends_on
        assert ends is not None
        day = ends + DAY
        tables = client_tables()
        rows = {model: list(model._default_manager.filter(**{path: client.pk})) for model, path in tables.items()}
        # The test reaches what it says: every free text of the client's rows in the other apps
        # has words (the client app's own columns are the tests above).
        worded = {
            f"{model._meta.label}.{name}"
            for model, found in rows.items()
            for row in found
            for name in free_texts(model)
            if getattr(row, name) not in BLANK
        }
        every = {f"{m._meta.label}.{name}" for m in rows if m._meta.app_label != "clients" for name in free_texts(m)}
        assert every - worded == set()
        assert PlanPdf.objects.filter(version__plan__client=client, status="ready").exists()
        before = figures(world, client, day)

        services.apply_retention(today=day, anonymise=True)

        left = []
        for model, path in tables.items():
            for row in model._default_manager.filter(**{path: client.pk}):
                left += [
                    f"{model._meta.label}.{name}={getattr(row, name)!r}"
                    for name in free_texts(model)
                    if getattr(row, name) not in BLANK
                ]
            events = history(model)
            if events is not None and rows[model]:
                kept = events._default_manager.filter(pgh_obj_id__in=[row.pk for row in rows[model]])
                left += [f"{events._meta.label} of {model._meta.label}"] if kept.exists() else []
        assert not left, "\n".join(left)
        assert not PlanPdf.objects.filter(version__plan__client=client).exists()
        assert not NetworkView.objects.filter(assessment__client=client).exists()
        assert not MessageToWorker.objects.filter(client=client).exists()
        assert User.objects.filter(pk=world.citizen.pk, first_name="", last_name="", is_active=False).exists()
        assert list(GoalOutcome.objects.filter(goal__version__plan__client=client).values_list("client_rating")) == [
            (4,)
        ]
        assert figures(world, client, day) == before
