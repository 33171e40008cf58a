"""Personal budgets (henkilökohtainen budjetti).

Finland has no statute for them: the trials ran them under the service-voucher act 569/2009,
so the organiser's rules are configuration (``ServiceType``, ``Provider``, ``BudgetRules``),
edited by an administrator with their history kept by pghistory. A budget is offered to a
client, who accepts or declines it; accepted, it is calculated from the needs assessment,
split into service lines, and spending from providers is recorded against a line, never past
its allocation.

Money is ``Decimal`` with two places (euros and cents) everywhere; see ``budgets.money``.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.fields import MEDIUM_TEXT, SHORT_TEXT, LimitedTextField


class Unit(models.TextChoices):
    HOUR = "hour", _("hour")
    DAY = "day", _("day")
    MEAL = "meal", _("meal")
    TRIP = "trip", _("trip")
    VISIT = "visit", _("visit")


@pghistory.track()
class ServiceType(models.Model):
    """A kind of service a budget line pays for (palvelu): home help, personal assistance,
    day activity, meals, transport. Its reference unit cost is what the organiser's own
    service costs (service-voucher act 569/2009 §7: the value of a voucher is set against
    the cost of the organiser's own service). ``units_<time of day>`` say how many units one
    time slot of the assessment's week grid stands for (e.g. 1.5 hours of home help in a
    morning slot, one meal at midday)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.HOUR)
    unit_cost = models.DecimalField(_("reference unit cost (€)"), max_digits=12, decimal_places=2)
    units_morning = models.DecimalField(_("units per morning slot"), max_digits=5, decimal_places=2, default=0)
    units_midday = models.DecimalField(_("units per midday slot"), max_digits=5, decimal_places=2, default=0)
    units_evening = models.DecimalField(_("units per evening slot"), max_digits=5, decimal_places=2, default=0)
    units_night = models.DecimalField(_("units per night slot"), max_digits=5, decimal_places=2, default=0)
    # The life domains whose uncovered or service-covered slots this type answers by default.
    domains = models.ManyToManyField("assessments.LifeDomain", blank=True, related_name="+")
    # Words that, found in a slot's free-text service, name this type (comma-separated).
    keywords = models.CharField(_("keywords in the slot's service"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        constraints = [
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="service_type_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return str(getattr(self, f"name_{(get_language() or 'fi')[:2]}", self.name_fi))

    def units_for(self, time_of_day: str) -> object:
        return getattr(self, f"units_{time_of_day}", 0)

    def keyword_list(self) -> list[str]:
        return [word.strip().lower() for word in self.keywords.split(",") if word.strip()]


@pghistory.track()
class Provider(models.Model):
    """An approved service provider (palveluntuottaja) the client may choose, approved for
    some service types. The money goes to the provider, never to the client."""

    name = models.CharField(_("name"), max_length=200)
    business_id = models.CharField(_("business ID"), max_length=9, unique=True)
    service_types = models.ManyToManyField(ServiceType, blank=True, related_name="providers")
    active = models.BooleanField(_("approved"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class BudgetRules(models.Model):
    """The organiser's rules for personal budgets, from a date: the reminder threshold (share
    of a line used) and the default length of a budget period. The row in force is the latest
    whose ``valid_from`` has come."""

    valid_from = models.DateField(_("valid from"), unique=True)
    threshold_percent = models.DecimalField(_("reminder threshold (%)"), max_digits=5, decimal_places=2, default=80)
    period_months = models.PositiveSmallIntegerField(_("budget period (months)"), default=12)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("budget rules")
        verbose_name_plural = _("budget rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_percent__gt=0, threshold_percent__lte=100), name="threshold_is_a_share"
            ),
            models.CheckConstraint(condition=Q(period_months__gte=1), name="period_at_least_a_month"),
        ]

    def __str__(self) -> str:
        return _("from %(date)s: %(percent)s %%, %(months)s months") % {
            "date": self.valid_from,
            "percent": self.threshold_percent,
            "months": self.period_months,
        }


@pghistory.track()
class Budget(models.Model):
    """A client's personal budget over a period. Offered, the client accepts or declines it
    (voluntary; declining leaves ordinary services). Accepted, it is calculated from the needs
    assessment and split into lines. ``amount`` is the total of the lines' allocations."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="budgets")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OFFERED)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    offered_on = models.DateField(_("offered on"))
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decline_reason = LimitedTextField(_("reason for declining"), blank=True, max_length=SHORT_TEXT)
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, null=True, blank=True, related_name="budgets"
    )
    client_wishes = LimitedTextField(_("the client's wishes"), blank=True, max_length=MEDIUM_TEXT)
    calculated_amount = models.DecimalField(
        _("calculated amount (€)"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    amount = models.DecimalField(_("budget (€)"), default=0, max_digits=12, decimal_places=2)
    adjustment_reason = LimitedTextField(_("reason for adjusting the calculation"), blank=True, max_length=SHORT_TEXT)
    calculated_on = models.DateField(_("calculated on"), null=True, blank=True)
    threshold_percent = models.DecimalField(_("reminder threshold (%)"), max_digits=5, decimal_places=2, default=80)

    class Meta:
        ordering = ["-period_start", "-pk"]
        verbose_name = _("personal budget")
        verbose_name_plural = _("personal budgets")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="budget_period_forwards"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(status="offered") | Q(decided_on__isnull=False), name="decided_budget_is_dated"
            ),
            models.UniqueConstraint(fields=["client"], condition=Q(status="offered"), name="one_open_offer_per_client"),
        ]
        indexes = [models.Index(fields=["client", "-period_start"], name="budget_client_period")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.period_start}–{self.period_end} ({self.status})"

    @property
    def is_accepted(self) -> bool:
        return self.status == self.Status.ACCEPTED

    @property
    def period_days(self) -> int:
        return (self.period_end - self.period_start).days + 1


@pghistory.track()
class BudgetLine(models.Model):
    """One service line of a budget with its allocation, the provider the client chose, and the
    running totals of what was recorded against it: ``spent`` (invoiced) and ``committed``
    (services delivered, invoice to come). They are updated in the transaction that records a
    spending, under a row lock; the check constraint is the last guard against overspending."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="lines")
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="lines")
    calculated = models.DecimalField(_("calculated (€)"), default=0, max_digits=12, decimal_places=2)
    units_per_week = models.DecimalField(_("units per week"), max_digits=7, decimal_places=2, default=0)
    allocated = models.DecimalField(_("allocated (€)"), default=0, max_digits=12, decimal_places=2)
    spent = models.DecimalField(_("spent (€)"), default=0, max_digits=12, decimal_places=2)
    committed = models.DecimalField(_("committed (€)"), default=0, max_digits=12, decimal_places=2)
    plan_services = models.ManyToManyField("care_plans.PlanService", blank=True, related_name="budget_lines")

    class Meta:
        ordering = ["service_type__order", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["budget", "service_type"], name="one_line_per_service_type"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0, spent__gte=0, committed__gte=0), name="line_amounts_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(allocated__gte=F("spent") + F("committed")), name="line_never_overspent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget_id} {self.service_type_id}"

    @property
    def used(self) -> object:
        return self.spent + self.committed

    @property
    def left(self) -> object:
        return self.allocated - self.spent - self.committed


class Spending(models.Model):
    """A provider's invoice or service event recorded against a line: the amount in euros and
    cents, the day, the units delivered. Append-only: a trigger refuses changes and deletes."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        SERVICE_EVENT = "service_event", _("Service delivered, invoice to come")

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="spendings")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="spendings")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    units = models.DecimalField(_("units delivered"), max_digits=8, decimal_places=2, default=0)
    delivered_on = models.DateField(_("date"))
    reference = models.CharField(_("invoice or reference number"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivered_on", "-pk"]
        verbose_name = _("spending")
        verbose_name_plural = _("spending")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spending_amount_positive"),
            models.CheckConstraint(condition=Q(units__gte=0), name="spending_units_not_negative"),
        ]
        indexes = [models.Index(fields=["line", "delivered_on"], name="spending_line_day")]
        triggers = [pgtrigger.Protect(name="spending_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.line_id} {self.delivered_on} {self.amount}"


class Reallocation(models.Model):
    """Money moved from one line to another, or added to the budget (``from_line`` empty: an
    increase), with a reason the client can read. Append-only, like spending."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="reallocations")
    from_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    reason = LimitedTextField(_("reason, for the client"), max_length=SHORT_TEXT)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-made_at", "-pk"]
        verbose_name = _("reallocation")
        verbose_name_plural = _("reallocations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reallocation_amount_positive"),
            models.CheckConstraint(condition=~Q(from_line=F("to_line")), name="reallocation_between_lines"),
        ]
        triggers = [pgtrigger.Protect(name="reallocation_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.budget_id}: {self.amount} {self.from_line_id}→{self.to_line_id}"

    @property
    def is_increase(self) -> bool:
        return self.from_line_id is None
