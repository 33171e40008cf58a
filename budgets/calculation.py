"""The proposed amount of a personal budget, from the needs assessment.

The rule, as the organiser's configuration (``ServiceType``) sets it:
1. Only the time slots the budget would pay for count: those covered by a formal service and
   those not covered at all. Slots the client's network or the client covers are left out —
   that help is not bought.
2. A slot belongs to one service type: the first active type (in the configured order) one of
   whose keywords appears in the slot's free-text ``service`` ("kotiapu", "ateria"…); failing
   that, the first active type configured for the slot's life domain; failing that, none (the
   slot is not counted).
3. A time of the week counts once per service type, even when needs in two life domains ask
   for help then (one visit of home help answers both).
4. Units per week of a type = the sum, over its counted slots, of the type's units for that
   time of day (e.g. 1.5 hours of home help in a morning slot).
5. Amount of a type = units per week × the reference unit cost × the weeks of the period
   (its days, both ends included, ÷ 7), rounded half up to whole cents once, at the end
   (``budgets.money.to_cents``). The proposed total is the sum of the rounded amounts.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from assessments.models import Assessment, Coverage
from assessments.selectors import assessment_with_needs

from .models import ServiceType
from .money import ZERO, to_cents

PAID_COVERAGE = frozenset({Coverage.UNCOVERED, Coverage.SERVICE})


@dataclass(frozen=True)
class ProposedLine:
    service_type: ServiceType
    units_per_week: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Proposal:
    lines: list[ProposedLine]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def period_days(start: date, end: date) -> int:
    return (end - start).days + 1


def line_amount(units_per_week: Decimal, unit_cost: Decimal, days: int) -> Decimal:
    """Units per week × unit cost × days / 7, rounded to cents once (half up)."""
    return to_cents(units_per_week * unit_cost * Decimal(days) / Decimal(7))


def _type_of(service_text: str, domain_id: int, types: list[ServiceType]) -> ServiceType | None:
    text = service_text.lower()
    if text:
        for service_type in types:
            if any(word in text for word in service_type.keyword_list()):
                return service_type
    for service_type in types:
        if any(domain.pk == domain_id for domain in service_type.domains.all()):
            return service_type
    return None


def propose(assessment: Assessment, start: date, end: date) -> Proposal:
    """The proposed lines for ``assessment`` over the period (see the module's docstring)."""
    assessment = assessment_with_needs(assessment.pk)
    types = list(ServiceType.objects.filter(active=True).prefetch_related("domains"))
    counted: dict[int, set[tuple[int, str]]] = {}
    for need in assessment.needs.all():
        for slot in need.slots.all():
            if slot.coverage not in PAID_COVERAGE:
                continue
            service_type = _type_of(slot.service, need.domain_id, types)
            if service_type is not None:
                counted.setdefault(service_type.pk, set()).add((slot.weekday, slot.time_of_day))
    days = period_days(start, end)
    lines = []
    for service_type in types:
        times = counted.get(service_type.pk)
        if not times:
            continue
        units = sum((Decimal(str(service_type.units_for(time))) for _, time in times), ZERO)
        if units <= 0:
            continue
        lines.append(ProposedLine(service_type, units, line_amount(units, service_type.unit_cost, days)))
    return Proposal(lines)
