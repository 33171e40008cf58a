from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from clients.identity_code import validate_identity_code
from core.fields import LimitedTextField

# How long the client's own texts may be: a view before a review, an answer, a message.
VIEW_MAX_LENGTH = 4000
ANSWER_MAX_LENGTH = 1000
MESSAGE_MAX_LENGTH = 1000


class PortalAccount(models.Model):
    """The client's use of the portal (oma asiointi): turned on and off by the coordinator, the
    user the client signs in as (made at the first strong sign-in), when they last signed in and
    which plan version they last read."""

    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="portal_account")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="portal_account"
    )
    enabled = models.BooleanField(_("portal in use"), default=False)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_sign_in_at = models.DateTimeField(_("last signed in"), null=True, blank=True)
    last_read_version = models.ForeignKey(
        "care_plans.PlanVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    messages_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")

    def __str__(self) -> str:
        return f"portal of {self.client_id} ({'on' if self.enabled else 'off'})"


class Basis(models.TextChoices):
    """On what basis a representative acts for the client."""

    GUARDIAN_OF_MINOR = "guardian_of_minor", _("Guardian of a child (population register)")
    MANDATE = "mandate", _("Authorised by the client (Suomi.fi mandate)")
    APPOINTED_GUARDIAN = "appointed_guardian", _("Guardian appointed for an adult")


class Representative(models.Model):
    """A person who may use the portal for the client (puolesta asiointi): a child's guardian, a
    person the client has authorised, or an appointed guardian. Their identity code is used only
    to match their strong sign-in; it is never shown (a public guardian's above all)."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="portal_representatives")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="representations"
    )
    name = models.CharField(_("name"), max_length=200)
    identity_code = models.CharField(_("personal identity code"), max_length=11, validators=[validate_identity_code])
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="representative_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["identity_code"], name="representative_identity_code")]

    def __str__(self) -> str:
        return f"{self.name} for {self.client_id}"


class ClientView(models.Model):
    """The client's own view before a plan review or a reassessment (asiakkaan oma näkemys), in
    their own words, with a 1–5 rating of each goal. It never edits a published version: the
    coordinator reads it and shows it beside the next draft as the client's own words."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="portal_views")
    version = models.ForeignKey(
        "care_plans.PlanVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="client_views"
    )
    text = LimitedTextField(_("my view"), max_length=VIEW_MAX_LENGTH)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_representative = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("read by the coordinator"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("the client's view")
        verbose_name_plural = _("the client's views")

    def __str__(self) -> str:
        return f"view of {self.client_id} at {self.created_at}"


class GoalRating(models.Model):
    """How far the client feels a goal has come, 1 (not at all) to 5 (fully)."""

    view = models.ForeignKey(ClientView, on_delete=models.CASCADE, related_name="ratings")
    goal = models.ForeignKey("care_plans.PlanGoal", on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        ordering = ["goal__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["view", "goal"], name="one_rating_per_goal_per_view"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="goal_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.rating}"


class HeardAnswer(models.Model):
    """After a plan review, how well the client felt heard (1–5 and free text): feeds the team
    lead's review of the coordinators' work."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="heard_answers")
    review = models.ForeignKey("care_plans.PlanReview", on_delete=models.PROTECT, related_name="heard_answers")
    rating = models.PositiveSmallIntegerField(
        _("how well I was heard"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = LimitedTextField(_("in my own words"), blank=True, max_length=ANSWER_MAX_LENGTH)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["review"], name="one_heard_answer_per_review"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="heard_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"heard {self.rating} on review {self.review_id}"


class MessageToWorker(models.Model):
    """A short message from the client to their named worker, sent in the portal."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="portal_messages")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="client_portal_messages"
    )
    text = LimitedTextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_representative = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message from the client")
        verbose_name_plural = _("messages from the client")
        indexes = [models.Index(fields=["worker", "read_at"], name="portal_message_unread")]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.worker_id}"


class WorkerContact(models.Model):
    """How a client reaches a worker: the title, phone and hours the portal shows beside the
    named worker's name and e-mail (OmaKanta shows the named worker's contact details too)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="worker_contact")
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    reachable = models.CharField(_("when reachable"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("worker's contact details")
        verbose_name_plural = _("workers' contact details")

    def __str__(self) -> str:
        return f"contact of {self.user_id}"


class MessageEmail(models.Model):
    """That the "new message waiting" e-mail of one message was sent: a rerun sends nothing."""

    message = models.OneToOneField("clients.ClientMessage", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"e-mail for message {self.message_id}"
