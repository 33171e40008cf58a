"""Writes of personal budgets: one transaction each, validated, audited.

Never overspent: recording a spending locks the line's row (``SELECT … FOR UPDATE``), checks
what is left, and raises the line's running total in the same transaction; the check
constraint ``line_never_overspent`` is the last guard should anything bypass the lock. Going
over needs an explicit reallocation or an increase, each with a reason the client can read."""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import pgtrigger
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AccessEvent
from access.services import record_access
from accounts.models import User
from assessments import selectors as assessment_selectors
from assessments.models import Assessment
from care_plans.models import PlanService
from clients.models import Client
from clients.services import drop_history, ensure_open
from core.errors import ConflictError

from . import calculation
from .models import Budget, BudgetLine, BudgetRules, Provider, Reallocation, ServiceType, Spending
from .money import ZERO, euros, has_cents_only


def _audit(client: Client, by: User, ground: str, what: str, action: str = AccessEvent.Action.CHANGE) -> None:
    record_access(actor=by, client=client, action=action, what=what, ground=ground)


def rules_on(day: date) -> BudgetRules:
    """The rules in force on ``day`` (the defaults where an administrator removed them all)."""
    rules = BudgetRules.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    return rules or BudgetRules(valid_from=day)


def _check_money(field: str, value: Decimal, *, allow_zero: bool = False) -> None:
    if not value.is_finite() or not has_cents_only(value):
        raise ValidationError({field: _("Give euros with at most two decimals (cents).")})
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError({field: _("The amount must be more than zero.")})


def _ensure_accepted(budget: Budget) -> None:
    if budget.status == Budget.Status.DECLINED:
        raise ConflictError(_("The client declined this budget; it takes no spending or changes."))
    if budget.status != Budget.Status.ACCEPTED:
        raise ConflictError(_("The client has not yet accepted this budget."))
    ensure_open(budget.client)


@transaction.atomic
def offer_budget(
    *, client: Client, by: User, ground: str, period_start: date | None = None, offered_on: date | None = None
) -> Budget:
    """Offers the client a personal budget for a period of the configured length. One offer
    waits at a time, and an accepted budget's period cannot overlap another's."""
    ensure_open(client)
    offered_on = offered_on or timezone.localdate()
    period_start = period_start or offered_on
    rules = rules_on(period_start)
    period_end = period_start + relativedelta(months=rules.period_months) - relativedelta(days=1)
    overlapping = Budget.objects.filter(
        client=client, status=Budget.Status.ACCEPTED, period_start__lte=period_end, period_end__gte=period_start
    )
    if overlapping.exists():
        raise ValidationError({"period_start": _("The client already has a budget for part of this period.")})
    budget = Budget(
        client=client,
        period_start=period_start,
        period_end=period_end,
        offered_on=offered_on,
        offered_by=by,
        threshold_percent=rules.threshold_percent,
    )
    budget.full_clean(exclude=["client", "offered_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            budget.save()
    except IntegrityError as error:
        raise ConflictError(_("The client already has a budget offer waiting for an answer.")) from error
    _audit(client, by, ground, "budget.offer", AccessEvent.Action.CREATE)
    return budget


@transaction.atomic
def decide_budget(
    *, budget: Budget, accepted: bool, by: User, ground: str, decided_on: date | None = None, decline_reason: str = ""
) -> Budget:
    """Records the client's answer to the offer, and the day. A personal budget is voluntary:
    declining leaves the client's ordinary services as they are."""
    ensure_open(budget.client)
    budget = Budget.objects.select_for_update().select_related("client").get(pk=budget.pk)
    if budget.status != Budget.Status.OFFERED:
        raise ConflictError(_("The client has already answered this offer."))
    decided_on = decided_on or timezone.localdate()
    if decided_on < budget.offered_on:
        raise ValidationError({"decided_on": _("The answer cannot come before the offer.")})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("The answer cannot be in the future.")})
    budget.status = Budget.Status.ACCEPTED if accepted else Budget.Status.DECLINED
    budget.decided_on = decided_on
    budget.decline_reason = "" if accepted else decline_reason.strip()
    budget.save(update_fields=["status", "decided_on", "decline_reason"])
    _audit(budget.client, by, ground, "budget.decision")
    return budget


@transaction.atomic
def calculate_budget(
    *,
    budget: Budget,
    by: User,
    ground: str,
    assessment: Assessment | None = None,
    allocations: Mapping[str, Decimal] | None = None,
    reason: str = "",
    client_wishes: str | None = None,
) -> Budget:
    """Calculates the budget from a completed needs assessment (the latest, unless named) and
    splits it into lines, one per service type (``budgets.calculation``). ``allocations`` (by
    service-type code) adjust the calculation — for the client's wishes or a service the grid
    does not show, such as transport — and then need a written ``reason``. Recalculating is
    for before any money moved; afterwards, reallocate or increase."""
    budget = Budget.objects.select_for_update().select_related("client").get(pk=budget.pk)
    _ensure_accepted(budget)
    if Spending.objects.filter(line__budget=budget).exists() or budget.reallocations.exists():
        raise ConflictError(_("Money has already moved on this budget: reallocate or increase it instead."))
    assessment = assessment or assessment_selectors.completed_assessments_of(budget.client).first()
    if assessment is None:
        raise ValidationError({"assessment": _("The client has no completed needs assessment to calculate from.")})
    if assessment.client_id != budget.client_id or assessment.status != Assessment.Status.COMPLETED:
        raise ValidationError({"assessment": _("Name a completed needs assessment of this client.")})
    proposal = calculation.propose(assessment, budget.period_start, budget.period_end)
    proposed = {line.service_type.code: line for line in proposal.lines}
    allocations = dict(allocations or {})
    types = {t.code: t for t in ServiceType.objects.filter(active=True)}
    unknown = sorted(set(allocations) - set(types))
    if unknown:
        raise ValidationError({"allocations": _("Unknown service type: %(codes)s.") % {"codes": ", ".join(unknown)}})
    for code, value in allocations.items():
        _check_money(f"allocation_{code}", value, allow_zero=True)
    final = {code: line.amount for code, line in proposed.items()} | allocations
    adjusted = any(final.get(code, ZERO) != (proposed[code].amount if code in proposed else ZERO) for code in final)
    reason = reason.strip()
    if adjusted and not reason:
        raise ValidationError({"reason": _("Say why the calculation is adjusted.")})
    budget.lines.all().delete()
    BudgetLine.objects.bulk_create(
        BudgetLine(
            budget=budget,
            service_type=types[code],
            calculated=proposed[code].amount if code in proposed else ZERO,
            units_per_week=proposed[code].units_per_week if code in proposed else ZERO,
            allocated=amount,
        )
        for code, amount in sorted(final.items(), key=lambda item: (types[item[0]].order, item[0]))
        if amount > 0 or code in proposed
    )
    budget.assessment = assessment
    budget.calculated_amount = proposal.total
    budget.amount = sum(final.values(), ZERO)
    budget.adjustment_reason = reason if adjusted else ""
    budget.calculated_on = timezone.localdate()
    if client_wishes is not None:
        budget.client_wishes = client_wishes.strip()
    budget.save()
    _audit(budget.client, by, ground, "budget.calculation")
    return budget


def _check_provider(provider: Provider, service_type_id: int, field: str = "provider") -> None:
    if not provider.active:
        raise ValidationError({field: _("This provider is no longer approved.")})
    if not provider.service_types.filter(pk=service_type_id).exists():
        raise ValidationError({field: _("This provider is not approved for this service.")})


@transaction.atomic
def choose_provider(*, line: BudgetLine, provider: Provider | None, by: User, ground: str) -> BudgetLine:
    """Records the client's choice of provider for a line, among those approved for its
    service type (or clears it)."""
    _ensure_accepted(line.budget)
    if provider is not None:
        _check_provider(provider, line.service_type_id)
    line.provider = provider
    BudgetLine.objects.filter(pk=line.pk).update(provider=provider)
    _audit(line.budget.client, by, ground, "budget.provider")
    return line


@transaction.atomic
def link_plan_services(*, line: BudgetLine, plan_services: Sequence[PlanService], by: User, ground: str) -> BudgetLine:
    """Links the care plan's agreed services that this line pays for, so that the plan, the
    budget and what was delivered read together."""
    _ensure_accepted(line.budget)
    client_id = line.budget.client_id
    if any(service.version.plan.client_id != client_id for service in plan_services):
        raise ValidationError({"plan_services": _("Name services of this client's care plan.")})
    line.plan_services.set(plan_services)
    _audit(line.budget.client, by, ground, "budget.plan_services")
    return line


@transaction.atomic
def record_spending(
    *,
    line: BudgetLine,
    amount: Decimal,
    delivered_on: date,
    by: User,
    ground: str,
    provider: Provider | None = None,
    units: Decimal = ZERO,
    kind: str = Spending.Kind.INVOICE,
    reference: str = "",
) -> Spending:
    """Records a provider's invoice (spent) or a delivered service whose invoice is to come
    (committed) against a line. The money goes to the provider; the line's provider is used
    unless another approved one is named. Refused, with what is left, when it does not fit."""
    _check_money("amount", amount)
    if not units.is_finite() or units < 0:
        raise ValidationError({"units": _("Units cannot be negative.")})
    if kind not in Spending.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of spending.")})
    # Locks the line: parallel recordings on it queue here, each seeing the total before it.
    locked = BudgetLine.objects.select_for_update().select_related("budget__client").get(pk=line.pk)
    budget = locked.budget
    _ensure_accepted(budget)
    if not budget.period_start <= delivered_on <= budget.period_end:
        raise ValidationError({"delivered_on": _("The date is outside the budget period.")})
    provider = provider or locked.provider
    if provider is None:
        raise ValidationError({"provider": _("Choose the provider the money goes to.")})
    _check_provider(provider, locked.service_type_id)
    left = locked.allocated - locked.spent - locked.committed
    if amount > left:
        raise ValidationError(
            {
                "amount": _("Only %(left)s is left on this line. Move money to it or increase the budget first.")
                % {"left": euros(left)}
            }
        )
    column = "spent" if kind == Spending.Kind.INVOICE else "committed"
    try:
        with transaction.atomic():
            BudgetLine.objects.filter(pk=locked.pk).update(**{column: F(column) + amount})
            spending = Spending.objects.create(
                line=locked,
                provider=provider,
                kind=kind,
                amount=amount,
                units=units,
                delivered_on=delivered_on,
                reference=reference.strip(),
                recorded_by=by,
            )
    except IntegrityError as error:  # the constraint: only if something bypassed the lock
        raise ValidationError({"amount": _("This would overspend the line.")}) from error
    _audit(budget.client, by, ground, "budget.spending", AccessEvent.Action.CREATE)
    return spending


@transaction.atomic
def reallocate(
    *,
    budget: Budget,
    to_line: BudgetLine,
    amount: Decimal,
    reason: str,
    by: User,
    ground: str,
    from_line: BudgetLine | None = None,
) -> Reallocation:
    """Moves money from one line to another, keeping the budget's total; without ``from_line``
    it increases the budget. Either way with a reason the client can read, kept for good."""
    _check_money("amount", amount)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Write the reason so that the client can read it.")})
    budget = Budget.objects.select_for_update().select_related("client").get(pk=budget.pk)
    _ensure_accepted(budget)
    if to_line.budget_id != budget.pk or (from_line is not None and from_line.budget_id != budget.pk):
        raise ValidationError({"to_line": _("Name lines of this budget.")})
    if from_line is not None and from_line.pk == to_line.pk:
        raise ValidationError({"to_line": _("Choose two different lines.")})
    # Locked in a fixed order, so two opposite moves cannot deadlock.
    pks = sorted({to_line.pk, *([from_line.pk] if from_line else [])})
    locked = {line.pk: line for line in BudgetLine.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    if from_line is not None:
        source = locked[from_line.pk]
        left = source.allocated - source.spent - source.committed
        if amount > left:
            raise ValidationError({"amount": _("Only %(left)s is left on that line.") % {"left": euros(left)}})
        BudgetLine.objects.filter(pk=source.pk).update(allocated=F("allocated") - amount)
    else:
        Budget.objects.filter(pk=budget.pk).update(amount=F("amount") + amount)
    BudgetLine.objects.filter(pk=to_line.pk).update(allocated=F("allocated") + amount)
    reallocation = Reallocation.objects.create(
        budget=budget, from_line=from_line, to_line=to_line, amount=amount, reason=reason, made_by=by
    )
    _audit(budget.client, by, ground, "budget.increase" if from_line is None else "budget.reallocation")
    return reallocation


# Retention: what the clients app's retention run blanks here.

# Spending and reallocations are append-only by triggers, against rewriting the money after
# the fact; anonymising past retention blanks only their words, leaving every amount, and is
# the one change that passes those triggers, inside the retention run's transaction.
_APPEND_ONLY_TRIGGERS = ("budgets.Spending:spending_append_only", "budgets.Reallocation:reallocation_append_only")


def anonymise_clients(client_ids: list[int]) -> None:
    """Blanks the words of the budgets of clients past retention: the client's wishes, the
    reasons for declining and for adjusting, the reasons of reallocations and the invoices'
    references. Every amount, unit, date and status stays."""
    budgets = Budget.objects.filter(client__in=client_ids)
    budgets.update(decline_reason="", client_wishes="", adjustment_reason="")
    with pgtrigger.ignore(*_APPEND_ONLY_TRIGGERS):
        Reallocation.objects.filter(budget__client__in=client_ids).update(reason="")
        Spending.objects.filter(line__budget__client__in=client_ids).update(reference="")
    drop_history(Budget, budgets.values_list("pk", flat=True))
    drop_history(BudgetLine, BudgetLine.objects.filter(budget__in=budgets).values_list("pk", flat=True))
