import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import LimitedTextField


class Kind(models.TextChoices):
    """What a reminder is about. Each kind is one set-based query in ``kinds.py``."""

    ASSESSMENT_START_DUE = "assessment_start_due", _("Needs assessment must start soon")
    ASSESSMENT_START_OVERDUE = "assessment_start_overdue", _("Needs assessment start deadline has passed")
    CHILD_ASSESSMENT_DUE = "child_assessment_due", _("A child's needs assessment must be completed within 3 months")
    RAI_REASSESSMENT_DUE = "rai_reassessment_due", _("RAI reassessment due")
    PLAN_REVIEW_DUE = "plan_review_due", _("Care plan review due")
    SERVICE_NOT_STARTED = "service_not_started", _("An agreed service has not started within 3 months")
    NO_NAMED_WORKER = "no_named_worker", _("Client without a named worker")
    REFERRAL_FOLLOW_UP = "referral_follow_up", _("Referral to follow up")
    BUDGET_THRESHOLD = "budget_threshold", _("Budget line past its threshold or running out")
    MEETING_TOMORROW = "meeting_tomorrow", _("Network meeting tomorrow")
    COORDINATION_REVIEW_DUE = "coordination_review_due", _("Coordination review due: is coordination still needed?")
    # Not swept: written by ``access.grants`` when a new worker reopens a closed client.
    RETURNING_CLIENT = "returning_client", _("A returning client reopened by a new worker: confirm")


class ReminderKindSetting(models.Model):
    """How far ahead a kind reminds and after how many days past the deadline it is reported
    to the team lead: practice rules an administrator edits. Installed with defaults by a data
    migration; a kind without a row uses the defaults in ``kinds.py``."""

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices, unique=True)
    active = models.BooleanField(_("active"), default=True)
    lead_days = models.PositiveSmallIntegerField(_("days before the due date"))
    escalation_days = models.PositiveSmallIntegerField(
        _("days past the due date before the team lead is told"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no escalation."),
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("reminder setting")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return self.get_kind_display()


class Delivery(models.TextChoices):
    PENDING = "pending", _("Waiting to be delivered")
    SENT = "sent", _("Delivered")
    SKIPPED = "skipped", _("Not delivered (cancelled)")


class Reminder(models.Model):
    """One reminder to one person about one thing due on one day (muistutus). The unique
    constraint makes a second sweep, or a second scheduler, create nothing new."""

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    # What the reminder is about: a row of another app ("clients.contact", 12).
    subject_type = models.CharField(_("about a record of"), max_length=40)
    subject_id = models.BigIntegerField(_("record number"))
    # Indexed by ``reminder_client`` below; the foreign key's own index was the same index twice,
    # each one more to write for every reminder the sweep inserts.
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+", verbose_name=_("client"), db_index=False
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("recipient")
    )
    due_on = models.DateField(_("due on"))
    # A deadline passed by the kind's escalation days, reported to a team lead.
    escalation = models.BooleanField(_("escalation"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    snoozed_until = models.DateField(_("snoozed until"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    # When the delivery task was last handed to the broker; a pending reminder not queued (the
    # broker was down) or queued long ago is queued again by the next sweep.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    emailed = models.BooleanField(_("sent by e-mail"), default=False)

    class Meta:
        ordering = ["-due_on", "-pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "due_on", "recipient", "escalation"],
                name="one_reminder_per_subject_due_recipient",
            ),
        ]
        indexes = [
            # The inbox and the unread count.
            models.Index(
                fields=["recipient", "-due_on"],
                condition=Q(done_at__isnull=True, cancelled_at__isnull=True),
                name="reminder_open_by_recipient",
            ),
            # The sweep's catch-up of deliveries not queued.
            models.Index(fields=["queued_at"], condition=Q(delivery="pending"), name="reminder_pending_delivery"),
            models.Index(fields=["client"], name="reminder_client"),
        ]

    def __str__(self) -> str:
        # The kind by its label: the admin titles a reminder's page with this.
        return f"{self.get_kind_display()}, {self.due_on}"


class DeliveryAttempt(models.Model):
    """One attempt to email a reminder, written and committed before the email is sent. Its
    key is the email's Message-ID. An attempt left ``started`` means a delivery whose outcome
    is unknown (the process died, or the commit after sending failed): it is not sent again."""

    class Outcome(models.TextChoices):
        STARTED = "started", _("Started")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="attempts")
    key = models.UUIDField(default=uuid.uuid4, unique=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.STARTED)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = LimitedTextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            # At most one attempt in flight for a reminder.
            models.UniqueConstraint(
                fields=["reminder"], condition=Q(outcome="started"), name="one_attempt_in_flight_per_reminder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reminder_id} {self.key} {self.outcome}"

    @property
    def message_id(self) -> str:
        return f"<reminder-{self.key}@caseflow>"


class EmailPreference(models.Model):
    """Whether a user wants a kind of reminder by email too; without a row, the default of
    the kind. Every reminder is in the inbox regardless."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preferences")
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    by_email = models.BooleanField(_("by email"))

    class Meta:
        verbose_name = _("reminder email preference")
        verbose_name_plural = _("reminder email preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_email_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.by_email}"
