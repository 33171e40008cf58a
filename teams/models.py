"""The organisation: teams, who is in them and who leads them, and substitutions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A multi-professional team (moniammatillinen tiimi) of coordinators and other
    professionals, led by one or more team leads (tiiminvetäjä / esihenkilö)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """One person's membership of a team over a period, as a member or as a lead."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member")
        LEAD = "lead", _("Lead")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MEMBER)
    role = models.CharField(_("role in the team"), max_length=200, blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["team", "user", "kind"],
                condition=Q(ended_on__isnull=True),
                name="one_open_membership_per_team_user_kind",
            ),
        ]
        indexes = [models.Index(fields=["user", "kind", "team"], name="membership_user_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id} as {self.kind}"


class Substitution(models.Model):
    """A substitute (sijainen) sees an absent coordinator's caseload for a date range; the
    access ends by itself after ``ends_on``."""

    absent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="substituted_by")
    substitute = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="substitutions")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("substitution")
        verbose_name_plural = _("substitutions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="substitution_dates_in_order"),
            models.CheckConstraint(condition=~Q(absent=models.F("substitute")), name="substitute_is_someone_else"),
        ]
        indexes = [models.Index(fields=["substitute", "starts_on", "ends_on"], name="substitution_by_substitute")]

    def __str__(self) -> str:
        return f"{self.substitute_id} for {self.absent_id} {self.starts_on}–{self.ends_on}"
