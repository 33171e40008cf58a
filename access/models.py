from datetime import date

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import SHORT_TEXT, LimitedTextField


class Section(models.TextChoices):
    """Parts of a client's record. A team member sees only the parts their profession needs
    (``access.policy.SECTIONS_BY_PROFESSION``); consent names the parts that may be shared."""

    BASIC = "basic", _("Basic details")
    CONTACTS = "contacts", _("Contacts and referrals")
    NETWORK = "network", _("Network and consents")
    MEETINGS = "meetings", _("Network meetings")
    ASSESSMENT = "assessment", _("Needs assessment")
    PLAN = "plan", _("Care plan")
    BUDGET = "budget", _("Personal budget")


class AccessEvent(models.Model):
    """One read, change or disclosure of a client's data by staff (käyttöloki / luovutusloki,
    asiakastietolaki 703/2023): who, which client, what, when, and the relationship that
    allowed it. Append-only: a database trigger refuses updates and deletes."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        LIST = "list", _("Listed")
        CREATE = "create", _("Created")
        CHANGE = "change", _("Changed")
        DISCLOSE = "disclose", _("Disclosed")
        # Access widened or narrowed: ``grantee`` gained or lost sight of the client.
        GRANT = "grant", _("Granted access")
        REVOKE = "revoke", _("Revoked access")

    # The table is partitioned by month of ``at`` (``access.partitions``; migration 0008), its
    # primary key (id, at) in the database. No index on ``at`` alone: the partitions are the
    # months, and the client's log reads access_event_client_at.
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Indexed by access_event_client_at below; a second index on the column alone would only
    # cost a write per row on the hottest insert path.
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="access_events", db_index=False)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    what = models.CharField(_("what"), max_length=100)
    ground = models.CharField(_("ground"), max_length=40)
    # For a grant or a revocation: whose access changed, why, and until when (if it ends).
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = LimitedTextField(_("reason"), blank=True, max_length=SHORT_TEXT)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        indexes = [models.Index(fields=["client", "-at"], name="access_event_client_at")]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.what} ({self.client_id})"


class Consultation(models.Model):
    """A one-off consultation (konsultaatio): a professional outside the client's relations
    reads the client's basic details and assessment for a limited time, granted by someone who
    manages the client, with a reason. Visible only from ``starts_on`` to ``ends_on``, while not
    revoked and while the client relationship is open (``access.policy.visible_clients``)."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="consultations")
    professional = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations")
    # Empty only on grants carried over from the earlier permanent object permissions, whose
    # grantor was not recorded.
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = LimitedTextField(_("reason"), max_length=1000)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="consultation_dates_in_order"
            ),
        ]
        indexes = [models.Index(fields=["professional", "client"], name="consultation_professional")]

    def __str__(self) -> str:
        return f"{self.professional_id} on {self.client_id} {self.starts_on}–{self.ends_on}"

    def is_active_on(self, day: date) -> bool:
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on


class ReturningClient(models.Model):
    """A closed client reopened by someone who was not their worker (paluu-asiakas): the
    ground *returning client*, with its reason. Until a lead of the client's team confirms it,
    the new worker sees only what the new work needs (``access.policy.RETURNING_SECTIONS``): the
    earlier assessment and plan, not old contacts nor the closing summary."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="returns")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="returned_clients"
    )
    reason = LimitedTextField(_("reason"), max_length=SHORT_TEXT)
    opened_on = models.DateField(_("opened on"))
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("returning client")
        verbose_name_plural = _("returning clients")
        indexes = [
            models.Index(
                fields=["worker", "client"], condition=models.Q(confirmed_at__isnull=True), name="returning_unconfirmed"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id} reopened by {self.opened_by_id} on {self.opened_on}"
