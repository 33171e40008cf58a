"""The organisation: teams, who is in them and who leads them, and substitutions."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
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


class ClientKind(models.TextChoices):
    """Kinds of client that weigh more in a coordinator's caseload than an ordinary one."""

    CHILD_SPECIAL_SUPPORT = "child_special_support", _("Child needing special support")
    RAI = "rai", _("RAI-assessed older client")
    PERSONAL_BUDGET = "personal_budget", _("Personal budget")
    NO_FINISHED_PLAN = "no_finished_plan", _("No published care plan")


# What a kind adds to the weight of an ordinary client (1) where the administrator has set
# nothing: a practice rule, edited in the admin (``LoadWeight``).
DEFAULT_LOAD_WEIGHTS: dict[str, Decimal] = {
    ClientKind.CHILD_SPECIAL_SUPPORT: Decimal("1.0"),
    ClientKind.RAI: Decimal("0.5"),
    ClientKind.PERSONAL_BUDGET: Decimal("0.5"),
    ClientKind.NO_FINISHED_PLAN: Decimal("0.3"),
}
# The weighted load per coordinator above which the review flags a caseload, until a lead sets one.
DEFAULT_LOAD_THRESHOLD = Decimal("60.0")


class LoadWeight(models.Model):
    """How much a kind of client adds to the weighted caseload (painotettu asiakasmäärä): every
    open client counts 1, plus the weight of each kind that applies to them."""

    kind = models.CharField(_("client kind"), max_length=30, choices=ClientKind.choices, unique=True)
    weight = models.DecimalField(
        _("added weight"), max_digits=4, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("caseload weight")
        verbose_name_plural = _("caseload weights")
        constraints = [models.CheckConstraint(condition=Q(weight__gte=0), name="load_weight_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: +{self.weight}"


class ReviewSettings(models.Model):
    """A team's review settings, set by its lead: the weighted load above which a caseload is
    flagged as too heavy."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="review_settings", verbose_name=_("team"))
    load_threshold = models.DecimalField(
        _("weighted load threshold"),
        max_digits=6,
        decimal_places=1,
        default=DEFAULT_LOAD_THRESHOLD,
        validators=[MinValueValidator(Decimal("1"))],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("updated by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("team review settings")
        verbose_name_plural = _("team review settings")
        constraints = [models.CheckConstraint(condition=Q(load_threshold__gte=1), name="load_threshold_positive")]

    def __str__(self) -> str:
        return f"{self.team_id}: {self.load_threshold}"


class DigestSubscription(models.Model):
    """Whether a team lead gets the weekly review digest by e-mail; without a row, they do."""

    lead = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_digest", verbose_name=_("team lead")
    )
    enabled = models.BooleanField(_("weekly digest by e-mail"), default=True)

    class Meta:
        verbose_name = _("weekly digest subscription")
        verbose_name_plural = _("weekly digest subscriptions")

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.enabled}"


class DigestDelivery(models.Model):
    """One weekly digest to one lead, claimed (inserted) before the e-mail is sent: the unique
    constraint makes a second scheduler's run for the same ISO week send nothing."""

    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField()
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("weekly digest delivery")
        verbose_name_plural = _("weekly digest deliveries")
        constraints = [
            models.UniqueConstraint(fields=["lead", "iso_year", "iso_week"], name="one_digest_per_lead_and_week")
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.iso_year}-W{self.iso_week}"


class MonthlySnapshot(models.Model):
    """The review's figures for one month, of a team (``coordinator`` empty) or of one of its
    coordinators, written by a monthly task so that trends never recompute history."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("team"))
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordinator"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    figures = models.JSONField(_("figures"), default=dict)
    written_at = models.DateTimeField(_("written at"), auto_now=True)

    class Meta:
        ordering = ["team", "month"]
        verbose_name = _("monthly review snapshot")
        verbose_name_plural = _("monthly review snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "coordinator", "month"], nulls_distinct=False, name="one_snapshot_per_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="snapshot_month_starts_on_first"),
        ]

    def __str__(self) -> str:
        return f"{self.team_id}/{self.coordinator_id or '-'} {self.month:%Y-%m}"
