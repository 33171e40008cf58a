from datetime import date

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .identity_code import mask, validate_identity_code


class Language(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")


@pghistory.track()
class Client(models.Model):
    """A person receiving service coordination (asiakas)."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    identity_code = models.CharField(
        _("personal identity code"),
        max_length=11,
        blank=True,
        validators=[validate_identity_code],
        help_text=_("For example 131052-308T. Leave empty if the client has none."),
    )
    municipality = models.CharField(_("municipality"), max_length=100)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.FINNISH
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Annotated by ``caseflow.access.visible_clients``: the relationship that grants access.
    access_ground: str

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.UniqueConstraint(
                fields=["identity_code"], condition=~Q(identity_code=""), name="unique_identity_code"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_identity_code(self) -> str:
        return mask(self.identity_code)

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@pghistory.track()
class Assignment(models.Model):
    """One period during which a coordinator is the client's designated worker
    (omatyöntekijä, SHL §42; vastuutyöntekijä, vanhuspalvelulaki §17). The history of these
    periods is the client's continuity record; at most one is open at a time."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="assignments")
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(ended_on__isnull=True), name="one_open_assignment_per_client"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="assignment_ends_after_start",
            ),
        ]
        indexes = [
            # The caseload: a coordinator's open assignments.
            models.Index(
                fields=["coordinator", "started_on"],
                condition=Q(ended_on__isnull=True),
                name="open_assignment_by_coord",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.coordinator_id} from {self.started_on}"
