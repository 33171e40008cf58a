import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
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
    reason = models.TextField(_("reason"), blank=True)
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
