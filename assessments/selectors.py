"""Reads of needs assessments: the list, one assessment with its needs and time slots, the
week grid, the comparison of two assessments, and the coordinator's due/overdue list."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dates import WEEKDAYS

from access import policy
from access import selectors as access_selectors
from access.models import Section
from access.services import record_list_access
from accounts.models import User
from clients.models import Assignment, Client, Contact
from core.lookups import among
from networks import selectors as network_selectors
from networks.models import NetworkMember

from .models import (
    Assessment,
    Coverage,
    DomainNeed,
    LifeDomain,
    NeedSlot,
    NetworkView,
    ProfessionalConclusion,
    ScaleLevel,
    TimeOfDay,
)

# How far ahead the due list looks for deadlines coming up.
COMING_UP_DAYS = 30
CHANGE_DIRECTIONS = ("better", "worse", "same", "new", "gone")
DUE_KINDS = ("start", "complete", "reassess")


def assessments_within_reach(client: Client) -> QuerySet[Assessment]:
    """The client's assessments that the user who opened ``client`` may read (a returning
    client's new worker: those started since the return and the last one before it)."""
    return policy.within_the_new_work(
        Assessment.objects.filter(client=client),
        client,
        earlier=lambda returned: Q(started_on__lt=returned.opened_on),
        newest=("-started_on", "-pk"),
    )


def completed_assessments_of(client: Client) -> QuerySet[Assessment]:
    """The client's completed assessments, the latest first: what a budget is calculated from,
    and what a new assessment continues."""
    return Assessment.objects.filter(client=client, status=Assessment.Status.COMPLETED).order_by("-completed_on", "-pk")


def assessments_of(client: Client) -> QuerySet[Assessment]:
    return (
        assessments_within_reach(client)
        .annotate(
            need_count=Count("needs", distinct=True),
            uncovered_slots=Count("needs__slots", filter=Q(needs__slots__coverage=Coverage.UNCOVERED), distinct=True),
        )
        .order_by("-started_on", "-pk")
    )


def assessment_with_needs(pk: int) -> Assessment:
    """One assessment with its needs, domains, time slots, participants and the professionals'
    own conclusions, in six queries."""
    slots = NeedSlot.objects.select_related("network_member").order_by("weekday", "time_of_day")
    needs = DomainNeed.objects.select_related("domain").prefetch_related(Prefetch("slots", queryset=slots))
    conclusions = ProfessionalConclusion.objects.select_related("author").order_by("profession", "pk")
    return (
        Assessment.objects.select_related("client", "contact", "previous", "created_by", "completed_by")
        .prefetch_related(
            Prefetch("needs", queryset=needs),
            "relatives",
            "professionals",
            Prefetch("conclusions", queryset=conclusions),
        )
        .get(pk=pk)
    )


def configuration() -> dict[str, Any]:
    """The life domains and scales in use (configuration data), with the levels of the
    domains' own scales (the work-ability scale of work and studies) by scale."""
    levels = list(ScaleLevel.objects.all())
    own: dict[str, list[ScaleLevel]] = {}
    for level in levels:
        if level.scale not in (ScaleLevel.Scale.NEED, ScaleLevel.Scale.ICF):
            own.setdefault(level.scale, []).append(level)
    return {
        "domains": list(LifeDomain.objects.filter(active=True)),
        "need_levels": [level for level in levels if level.scale == ScaleLevel.Scale.NEED],
        "icf_levels": [level for level in levels if level.scale == ScaleLevel.Scale.ICF],
        "work_levels": own.get(ScaleLevel.Scale.WORK, []),
        "own_levels": own,
    }


def conclusions_of(assessment: Assessment) -> list[ProfessionalConclusion]:
    """The professionals' own conclusions, by profession (prefetched by ``assessment_with_needs``)."""
    return list(assessment.conclusions.all())


def own_conclusion(assessment: Assessment, user: User) -> ProfessionalConclusion | None:
    """``user``'s own conclusion in the assessment, if they wrote one."""
    return next((c for c in assessment.conclusions.all() if c.author_id == user.pk), None)


def domains_for(assessment: Assessment, domains: list[LifeDomain]) -> list[LifeDomain]:
    """Of ``domains``, those the assessment's client is assessed in at their age when it
    started, and any that already holds one of its needs (recorded work is never hidden)."""
    age = assessment.client.age_on(assessment.started_on)
    held = {need.domain_id for need in assessment.needs.all()}
    return [domain for domain in domains if domain.applies_at(age) or domain.pk in held]


@dataclass
class WeekGrid:
    """Help needed by weekday × time of day across all needs: each cell lists who covers the
    needs at that time; a cell with any uncovered need counts as uncovered."""

    cells: dict[tuple[int, str], list[NeedSlot]] = field(default_factory=dict)

    @property
    def needed(self) -> int:
        return len(self.cells)

    @property
    def uncovered(self) -> int:
        return sum(self._uncovered(slots) for slots in self.cells.values())

    @property
    def days(self) -> list[str]:
        return [str(WEEKDAYS[day]) for day in range(7)]

    def rows(self) -> list[tuple[str, list[tuple[list[NeedSlot], bool]]]]:
        """A row per time of day (its label first), a cell per weekday: its slots and whether
        any of them is uncovered."""
        rows = []
        for time, label in TimeOfDay.choices:
            cells = [self.cells.get((day, time), []) for day in range(7)]
            rows.append((str(label), [(slots, self._uncovered(slots)) for slots in cells]))
        return rows

    @staticmethod
    def _uncovered(slots: list[NeedSlot]) -> bool:
        return any(slot.coverage == Coverage.UNCOVERED for slot in slots)


def week_grid(assessment: Assessment) -> WeekGrid:
    """Built from the prefetched needs of ``assessment_with_needs``: no further queries."""
    grid = WeekGrid()
    for need in assessment.needs.all():
        for slot in need.slots.all():
            grid.cells.setdefault((slot.weekday, slot.time_of_day), []).append(slot)
    return grid


@dataclass(frozen=True)
class DomainChange:
    domain: LifeDomain
    before: int | None
    after: int | None

    @property
    def direction(self) -> str:
        """``better`` when the need for support fell, ``worse`` when it rose."""
        if self.before is None:
            return "new"
        if self.after is None:
            return "gone"
        if self.after < self.before:
            return "better"
        if self.after > self.before:
            return "worse"
        return "same"


def compare(older: Assessment, newer: Assessment) -> list[DomainChange]:
    """Domain by domain, how the need for support changed between two assessments."""
    levels: dict[int, dict[str, int]] = {}
    domains: dict[int, LifeDomain] = {}
    for label, assessment in (("before", older), ("after", newer)):
        for need in DomainNeed.objects.filter(assessment=assessment).select_related("domain"):
            levels.setdefault(need.domain_id, {})[label] = need.level
            domains[need.domain_id] = need.domain
    ordered = sorted(domains.values(), key=lambda d: (d.order, d.code))
    return [DomainChange(d, levels[d.pk].get("before"), levels[d.pk].get("after")) for d in ordered]


@dataclass(frozen=True)
class DueItem:
    client: Client
    kind: str  # "start", "complete" or "reassess"
    due_on: date

    @property
    def days_left(self) -> int:
        return (self.due_on - timezone.localdate()).days


def due_assessments(coordinator: User, *, viewer: User, ground: str, today: date | None = None) -> list[DueItem]:
    """For the coordinator's caseload: assessments to start (the contact's statutory
    deadline), a child's assessment to complete within 3 months, and RAI reassessments — the
    overdue ones and those coming up within ``COMING_UP_DAYS``. Three queries whatever the
    caseload size, and one more that logs the clients listed for ``viewer`` on ``ground``."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=COMING_UP_DAYS)
    clients = Assignment.objects.filter(coordinator=coordinator, ended_on__isnull=True).values("client")
    items = [
        DueItem(contact.client, "start", contact.assessment_due_on)
        for contact in Contact.objects.filter(
            client__in=clients,
            assessment_started_on__isnull=True,
            cancelled_on__isnull=True,
            assessment_due_on__lte=horizon,
        ).select_related("client")
    ]
    items += [
        DueItem(a.client, "complete", a.complete_by)
        for a in Assessment.objects.filter(
            client__in=clients, status=Assessment.Status.STARTED, complete_by__lte=horizon
        ).select_related("client")
        if a.complete_by is not None
    ]
    latest_completed = (
        Assessment.objects.filter(client__in=clients, status=Assessment.Status.COMPLETED, reassess_on__isnull=False)
        # Per client through its index: ``client__assessments__status`` was a NOT IN over every
        # started assessment of the county.
        .exclude(Exists(Assessment.objects.filter(client=OuterRef("client"), status=Assessment.Status.STARTED)))
        .order_by("client_id", "-completed_on")
        .distinct("client_id")
        .values("pk")
    )
    # The horizon on the latest ones in SQL: fetched whole, a caseload's every latest assessment
    # and its client were made into objects to keep a few.
    items += [
        DueItem(a.client, "reassess", a.reassess_on)
        for a in Assessment.objects.filter(pk__in=latest_completed, reassess_on__lte=horizon).select_related("client")
        if a.reassess_on is not None
    ]
    items.sort(key=lambda item: (item.due_on, item.client.last_name, item.kind))
    listed = {item.client.pk: item.client for item in items}
    record_list_access(actor=viewer, clients=listed.values(), what="assessments.due", ground=ground)
    return items


def assessment_for(*, user: User, pk: int, what: str, may: frozenset[str] | None = None) -> Assessment:
    """The assessment with its needs, opened through its client: authorised and logged."""
    client = access_selectors.client_of(Assessment, pk, user=user, what=what, section=Section.ASSESSMENT, may=may)
    if policy.limits_earlier_record(client) and not assessments_within_reach(client).filter(pk=pk).exists():
        raise Http404
    assessment = assessment_with_needs(pk)
    assessment.client = client
    return assessment


def rai_clients() -> QuerySet[Assessment, Any]:
    """The clients assessed with an RAI instrument (vanhuspalvelulaki §15a), as ``client`` ids:
    a kind of client the team review weighs more."""
    return Assessment.objects.exclude(rai_instrument="").values("client")


def uncovered_slots(clients: QuerySet[Any, Any] | list[int]) -> QuerySet[NeedSlot, Any]:
    """Times of the week nobody covers, in the latest assessment of each of ``clients``, counted
    per life domain and time of day (unmet need, reported upward): one grouped query."""
    latest = (
        Assessment.objects.filter(among("client", clients))
        .order_by("client_id", "-started_on", "-pk")
        .distinct("client_id")
        .values("pk")
    )
    return (
        NeedSlot.objects.filter(need__assessment__in=latest, coverage=Coverage.UNCOVERED)
        .order_by()
        .values("need__domain", "time_of_day")
        .annotate(slots=Count("pk"), clients=Count("need__assessment__client", distinct=True))
    )


def uncovered_slot_clients(
    clients: QuerySet[Any, Any] | list[int], *, domain: int | None = None, time_of_day: str = ""
) -> QuerySet[NeedSlot, Any]:
    """The client ids behind ``uncovered_slots``: all of them, or those of one life domain
    and/or one time of day (a cell of the grid)."""
    latest = (
        Assessment.objects.filter(client__in=clients)
        .order_by("client_id", "-started_on", "-pk")
        .distinct("client_id")
        .values("pk")
    )
    slots = NeedSlot.objects.filter(need__assessment__in=latest, coverage=Coverage.UNCOVERED)
    if domain is not None:
        slots = slots.filter(need__domain=domain)
    if time_of_day:
        slots = slots.filter(time_of_day=time_of_day)
    return slots.values("need__assessment__client")


def life_domains() -> QuerySet[LifeDomain]:
    return LifeDomain.objects.all()


def times_of_day() -> list[tuple[str, str]]:
    """The times of day of the week grid, with their names."""
    return [(str(value), str(label)) for value, label in TimeOfDay.choices]


def active_life_domains() -> list[LifeDomain]:
    """The life domains in use, in their order: what a plan's goal may be about."""
    return list(LifeDomain.objects.filter(active=True))


def network_views_of(assessment: Assessment) -> QuerySet[NetworkView]:
    """The views of the client's network recorded in the assessment, with who said and who
    recorded them and the consent that allowed it (one query)."""
    return NetworkView.objects.filter(assessment=assessment).select_related("network_member", "recorded_by", "consent")


def network_members_for_views(client: Client) -> QuerySet[NetworkMember]:
    """The client's current network, each marked ``has_consent`` where a consent to share the
    needs assessment is in force today: the people whose view may be recorded."""
    return network_selectors.members_with_consent(client, Section.ASSESSMENT)
