"""Care plans (asiakassuunnitelma, SHL §39, laki sosiaalihuollon asiakkaan asemasta 812/2000 §7):
frozen versions, goals in the client's words, agreed services, disagreements, reviews, the PDF."""

import uuid

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment, LifeDomain, TimeOfDay
from core.fields import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT, LimitedTextField


def _refuse_rows_of_published(parent_table: str, parent_column: str, condition: str) -> pgtrigger.Trigger:
    """A trigger refusing an INSERT of a row under a frozen parent, so that nothing can be added
    to a published version behind the service's back either."""
    return pgtrigger.Trigger(
        name="no_insert_into_frozen",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert,
        func=(
            f"IF EXISTS (SELECT 1 FROM {parent_table} WHERE id = NEW.{parent_column} AND {condition}) THEN "  # noqa: S608
            "RAISE EXCEPTION 'published care plan versions are frozen'; END IF; RETURN NEW;"
        ),
    )


class CarePlan(models.Model):
    """The client's care plan (asiakassuunnitelma, SHL §39): made with the client, kept as a
    series of versions. One draft is edited at a time; publishing freezes it."""

    client = models.OneToOneField("clients.Client", on_delete=models.PROTECT, related_name="care_plan")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")

    def __str__(self) -> str:
        return f"plan of {self.client_id}"


@pghistory.track()
class PlanVersion(models.Model):
    """One version of a care plan. A draft is edited with optimistic concurrency (``revision``
    grows with every save; a save from an older revision is a conflict). Published, it is
    frozen: the service refuses changes and a trigger refuses any UPDATE or DELETE."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_versions"
    )
    client_wishes = LimitedTextField(_("the client's wishes and views"), blank=True, max_length=LONG_TEXT)
    strengths_client = LimitedTextField(_("strengths as the client sees them"), blank=True, max_length=MEDIUM_TEXT)
    strengths_professional = LimitedTextField(
        _("strengths as the professionals see them"), blank=True, max_length=MEDIUM_TEXT
    )
    backup_plan = LimitedTextField(
        _("backup plan: who steps in if a service fails"), blank=True, max_length=MEDIUM_TEXT
    )
    review_on = models.DateField(_("review by"), null=True, blank=True)
    language = models.CharField(_("language of the plan"), max_length=2, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("care plan version")
        verbose_name_plural = _("care plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_plan_version_per_number"),
            models.UniqueConstraint(fields=["plan"], condition=Q(status="draft"), name="one_draft_per_plan"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False, review_on__isnull=False),
                name="published_version_is_dated",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="published_is_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="published"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number} ({self.status})"

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.PUBLISHED


def _frozen_row_triggers(parent_table: str, parent_column: str, condition: str) -> list[pgtrigger.Trigger]:
    return [
        pgtrigger.Protect(
            name="frozen_row",
            operation=pgtrigger.Update | pgtrigger.Delete,
            condition=pgtrigger.Q(old__frozen=True),
        ),
        _refuse_rows_of_published(parent_table, parent_column, condition),
    ]


_VERSION_PUBLISHED = ("care_plans_planversion", "version_id", "status = 'published'")


@pghistory.track()
class PlanGoal(models.Model):
    """A goal in the client's own words, with an optional professional wording. ``key`` follows
    the goal from version to version, so that versions can be compared."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="goals")
    key = models.UUIDField(default=uuid.uuid4)
    order = models.PositiveSmallIntegerField(default=0)
    client_words = LimitedTextField(_("the goal in the client's words"), max_length=SHORT_TEXT)
    professional_words = LimitedTextField(_("the goal in professional terms"), blank=True, max_length=SHORT_TEXT)
    domain = models.ForeignKey(LifeDomain, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    frozen = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="one_goal_per_key")]
        triggers = _frozen_row_triggers(*_VERSION_PUBLISHED)

    def __str__(self) -> str:
        return self.client_words[:60]


class Responsible(models.TextChoices):
    PROFESSIONAL = "professional", _("A professional")
    NETWORK_MEMBER = "network_member", _("A network member")
    CLIENT = "client", _("The client")


class WorkMeasure(models.TextChoices):
    """What an action towards a goal of work or training is, in the words of employment
    services and Kela: työkokeilu, koulutus, palkkatuki, ammatillinen kuntoutus,
    työhönvalmennus, kuntouttava työtoiminta, työnhaku."""

    NONE = "", _("Not a work or training measure")
    WORK_TRIAL = "work_trial", _("Work trial")
    TRAINING = "training", _("Training or studies")
    PAY_SUBSIDY = "pay_subsidy", _("Pay subsidy")
    VOCATIONAL_REHABILITATION = "vocational_rehabilitation", _("Vocational rehabilitation (Kela)")
    JOB_COACHING = "job_coaching", _("Job coaching")
    REHABILITATIVE_WORK = "rehabilitative_work", _("Rehabilitative work activity")
    JOB_SEARCH = "job_search", _("Job search")


@pghistory.track()
class GoalAction(models.Model):
    """Who does what by when towards a goal: a professional, a network member or the client.
    ``decision`` names the network-meeting decision it came from."""

    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="actions")
    key = models.UUIDField(default=uuid.uuid4)
    order = models.PositiveSmallIntegerField(default=0)
    text = LimitedTextField(_("what is done"), max_length=1000)
    responsible = models.CharField(_("who does it"), max_length=20, choices=Responsible.choices)
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    network_member = models.ForeignKey(
        "networks.NetworkMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("by"), null=True, blank=True)
    decision = models.ForeignKey(
        "networks.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="plan_actions"
    )
    # Towards a goal of work or training: which measure the action is (a work trial, a pay
    # subsidy, Kela's vocational rehabilitation…). The database default keeps the bulk seed's
    # COPY, which names no measure, valid.
    work_measure = models.CharField(
        _("work or training measure"),
        max_length=30,
        choices=WorkMeasure.choices,
        blank=True,
        default=WorkMeasure.NONE,
        db_default=WorkMeasure.NONE,
    )
    frozen = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(responsible="professional", professional__isnull=False, network_member__isnull=True)
                | Q(responsible="network_member", professional__isnull=True, network_member__isnull=False)
                | Q(responsible="client", professional__isnull=True, network_member__isnull=True),
                name="action_names_one_responsible",
            ),
        ]
        triggers = _frozen_row_triggers("care_plans_plangoal", "goal_id", "frozen")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def responsible_name(self) -> str:
        if self.professional is not None:
            return self.professional.get_full_name() or self.professional.username
        if self.network_member is not None:
            return self.network_member.name
        return str(Responsible.CLIENT.label)


@pghistory.track()
class PlanService(models.Model):
    """A service agreed in the plan: what, from which provider, how much, at which times of the
    week (from the assessment's time slots), from when, and who steps in if it fails. Budget
    lines (issue 8) link to these."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="services")
    key = models.UUIDField(default=uuid.uuid4)
    order = models.PositiveSmallIntegerField(default=0)
    service = models.CharField(_("service"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    amount = models.CharField(_("amount"), max_length=100, blank=True)
    # A list of the times of the week the service covers, each a weekday (0–6) and a time of day.
    slots = models.JSONField(_("times of the week"), default=list, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    backup = models.CharField(_("if the service fails"), max_length=300, blank=True)
    frozen = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("agreed service")
        verbose_name_plural = _("agreed services")
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="one_service_per_key")]
        triggers = _frozen_row_triggers(*_VERSION_PUBLISHED)

    def __str__(self) -> str:
        return self.service

    def slot_labels(self) -> list[str]:
        labels = dict(TimeOfDay.choices)
        return [f"{WEEKDAYS[s['weekday']]} {labels.get(s['time_of_day'], '')}".strip() for s in self.slots]


@pghistory.track()
class Disagreement(models.Model):
    """Where the client and the professional disagree — on a goal, a service or the plan as a
    whole — each side's position and the reasons (812/2000 §7, SHL §39)."""

    class Subject(models.TextChoices):
        PLAN = "plan", _("The plan as a whole")
        GOAL = "goal", _("A goal")
        SERVICE = "service", _("A service")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="disagreements")
    key = models.UUIDField(default=uuid.uuid4)
    subject = models.CharField(_("about"), max_length=10, choices=Subject.choices)
    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, null=True, blank=True, related_name="disagreements")
    service = models.ForeignKey(
        PlanService, on_delete=models.CASCADE, null=True, blank=True, related_name="disagreements"
    )
    client_position = LimitedTextField(_("the client's position"), max_length=SHORT_TEXT)
    professional_position = LimitedTextField(_("the professional's position"), max_length=SHORT_TEXT)
    reasons = LimitedTextField(_("reasons"), blank=True, max_length=SHORT_TEXT)
    frozen = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("disagreement")
        verbose_name_plural = _("disagreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(subject="plan", goal__isnull=True, service__isnull=True)
                | Q(subject="goal", goal__isnull=False, service__isnull=True)
                | Q(subject="service", goal__isnull=True, service__isnull=False),
                name="disagreement_names_its_subject",
            ),
        ]
        triggers = _frozen_row_triggers(*_VERSION_PUBLISHED)

    def __str__(self) -> str:
        return f"{self.version_id} {self.subject}"


class PlanPdf(models.Model):
    """The PDF of a published version, rendered by a Celery task in the client's language and
    stored with its SHA-256. Once ready it is frozen like the version."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    version = models.OneToOneField(PlanVersion, on_delete=models.PROTECT, primary_key=True, related_name="pdf")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    content = models.BinaryField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = LimitedTextField(blank=True, max_length=SHORT_TEXT)
    requested_at = models.DateTimeField()
    # When the broker took the render task; empty while a broker outage kept it from being sent.
    queued_at = models.DateTimeField(null=True, blank=True)
    # The worker that took the render (core.workers.identity) and when: if that worker dies
    # mid-render, the sweep sees it no longer answers and sends the render again at once.
    taken_by = models.CharField(max_length=200, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("care plan PDF")
        verbose_name_plural = _("care plan PDFs")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (Q(content__isnull=False) & ~Q(sha256="")),
                name="ready_pdf_has_content",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="ready_pdf_is_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="ready"),
            ),
        ]

    def __str__(self) -> str:
        return f"PDF of {self.version_id} ({self.status})"


@pghistory.track()
class PlanReview(models.Model):
    """A review of a published version (at the review date or when needs change): each goal's
    outcome rated 1–5 by the client and by the professional."""

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField(_("held on"))
    notes = LimitedTextField(_("notes"), blank=True, max_length=LONG_TEXT)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("care plan review")
        verbose_name_plural = _("care plan reviews")

    def __str__(self) -> str:
        return f"review of {self.version_id} on {self.held_on}"


@pghistory.track()
class GoalOutcome(models.Model):
    """How far a goal was reached, 1 (not at all) to 5 (fully), as the client and as the
    professional rate it: the basis of the outcome figures team leads see."""

    review = models.ForeignKey(PlanReview, on_delete=models.CASCADE, related_name="outcomes")
    goal = models.ForeignKey(PlanGoal, on_delete=models.PROTECT, related_name="outcomes")
    client_rating = models.PositiveSmallIntegerField(_("the client's rating"))
    professional_rating = models.PositiveSmallIntegerField(_("the professional's rating"))
    comment = LimitedTextField(_("comment"), blank=True, max_length=SHORT_TEXT)

    class Meta:
        verbose_name = _("goal outcome")
        verbose_name_plural = _("goal outcomes")
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="one_outcome_per_goal"),
            models.CheckConstraint(
                condition=Q(client_rating__gte=1, client_rating__lte=5, professional_rating__gte=1)
                & Q(professional_rating__lte=5),
                name="outcome_ratings_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.client_rating}/{self.professional_rating}"


# The network's voice in a review: beside the client's and the professional's ratings.


@pghistory.track()
class NetworkReviewView(models.Model):
    """The view of someone in the client's own network (läheisen näkemys) at a plan review: in
    their own words, recorded by the coordinator as the person told it, with their own rating
    of the goals they have a view on (``NetworkGoalRating``). Only with the client's consent to
    share the care plan with that person in force when it is recorded (``consent`` names it).
    It stands beside the client's and the professional's ratings and never replaces the
    client's own."""

    review = models.ForeignKey(PlanReview, on_delete=models.PROTECT, related_name="network_views")
    network_member = models.ForeignKey("networks.NetworkMember", on_delete=models.PROTECT, related_name="review_views")
    consent = models.ForeignKey("networks.Consent", on_delete=models.PROTECT, related_name="+")
    words = LimitedTextField(_("the view in their own words"), max_length=MEDIUM_TEXT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("network member's view of a review")
        verbose_name_plural = _("network members' views of reviews")
        constraints = [
            models.UniqueConstraint(fields=["review", "network_member"], name="one_review_view_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.network_member_id} on review {self.review_id}"


@pghistory.track()
class NetworkGoalRating(models.Model):
    """How far a goal was reached, 1 (not at all) to 5 (fully), as a network member sees it."""

    view = models.ForeignKey(NetworkReviewView, on_delete=models.CASCADE, related_name="ratings")
    goal = models.ForeignKey(PlanGoal, on_delete=models.PROTECT, related_name="network_ratings")
    rating = models.PositiveSmallIntegerField(_("rating"))

    class Meta:
        ordering = ["goal__order", "pk"]
        verbose_name = _("network member's goal rating")
        verbose_name_plural = _("network members' goal ratings")
        constraints = [
            models.UniqueConstraint(fields=["view", "goal"], name="one_network_rating_per_goal"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="network_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.rating}"
