"""Reads of the inbox: a person's own reminders only, each shown only while its client is
still visible to them (a reminder of a client handed over to someone else drops out)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connections, router
from django.db.models import Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from access import policy
from access import selectors as access_selectors
from access.services import record_list_access
from accounts.models import User
from clients import selectors as client_selectors
from clients.models import Assignment, Client
from core.lookups import int_array

from . import kinds
from .models import EmailPreference, Kind, Reminder


def _open_for(user: User, today: date) -> QuerySet[Reminder]:
    return Reminder.objects.filter(
        Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today),
        recipient=user,
        done_at__isnull=True,
        cancelled_at__isnull=True,
    )


# The kinds the coordinator's caseload lists as its due assessments (to start, to complete,
# to repeat). The inbox leaves out those about the user's own caseload and says how many there
# are, so that nothing is listed twice; an escalation, or one reaching a lead about a client
# without a named worker, is on nobody's caseload and stays in the inbox.
DUE_LIST_KINDS = (
    Kind.ASSESSMENT_START_DUE,
    Kind.ASSESSMENT_START_OVERDUE,
    Kind.CHILD_ASSESSMENT_DUE,
    Kind.RAI_REASSESSMENT_DUE,
)


class Show:
    """Which of the inbox's reminders to show: all, those reported to the user about other
    people's clients (escalations), or the user's own deadlines."""

    ALL = "all"
    ESCALATED = "escalated"
    OWN = "own"
    CHOICES = (ALL, ESCALATED, OWN)


@dataclass(frozen=True)
class InboxFilter:
    """The inbox's filters, read from the query (``kind``, ``client``, ``show``)."""

    kind: str = ""
    client_id: int | None = None
    show: str = Show.ALL

    @property
    def active(self) -> bool:
        return bool(self.kind or self.client_id or self.show != Show.ALL)


NO_FILTER = InboxFilter()


def _on_own_due_list(user: User) -> Q:
    own_caseload = Assignment.objects.filter(coordinator=user, ended_on__isnull=True).values("client")
    return Q(kind__in=DUE_LIST_KINDS, escalation=False, client__in=own_caseload)


def _visible_open(user: User, today: date, filters: InboxFilter) -> QuerySet[Reminder]:
    """Open reminders of clients the user still sees, each with its ``access_ground``, the
    due list's left out, narrowed by ``filters``."""
    # The annotation of visible_clients, which the type checker cannot see.
    ground = policy.visible_clients(user).filter(pk=OuterRef("client_id")).values("access_ground")[:1]  # type: ignore[misc]
    reminders = (
        _open_for(user, today)
        .exclude(_on_own_due_list(user))
        .annotate(access_ground=Subquery(ground))
        .filter(access_ground__isnull=False)
    )
    if filters.kind:
        reminders = reminders.filter(kind=filters.kind)
    if filters.client_id:
        reminders = reminders.filter(client_id=filters.client_id)
    if filters.show != Show.ALL:
        reminders = reminders.filter(escalation=filters.show == Show.ESCALATED)
    return reminders


def inbox(user: User, *, today: date | None = None, filters: InboxFilter = NO_FILTER) -> QuerySet[Reminder]:
    """The user's open reminders (not done, cancelled or snoozed), the most urgent first,
    each with its client, the ``access_ground`` the user sees the client on and the client's
    named worker (an escalation reaches a lead about someone else's client). The assessments
    on the user's own caseload's due list are not repeated here (``on_own_due_list``)."""
    today = today or timezone.localdate()
    return (
        _visible_open(user, today, filters)
        .annotate(coordinator_name=client_selectors.named_worker_name("client"))
        .select_related("client")
        .order_by("due_on", "pk")
    )


def on_own_due_list(user: User, *, today: date | None = None) -> int:
    """How many of the user's open reminders are about assessments their caseload's due list
    shows: the inbox points there instead of listing them again."""
    return _open_for(user, today or timezone.localdate()).filter(_on_own_due_list(user)).count()


@dataclass
class KindGroup:
    """A client's open reminders of one kind (several referrals or budget lines, say)."""

    kind: str
    label: str
    reminders: list[Reminder] = field(default_factory=list)


@dataclass
class ClientGroup:
    """One client's open reminders in the inbox, by kind, the earliest deadline first."""

    client: Client
    # The client's named worker, whom an escalation is about ("" when none is named).
    coordinator_name: str
    kinds: list[KindGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(group.reminders) for group in self.kinds)

    @property
    def escalated(self) -> bool:
        return any(r.escalation for group in self.kinds for r in group.reminders)

    @property
    def unread(self) -> int:
        return sum(1 for group in self.kinds for r in group.reminders if r.read_at is None)


def inbox_clients(user: User, *, today: date | None = None, filters: InboxFilter = NO_FILTER) -> QuerySet[Any, Any]:
    """The clients the inbox lists, as ``client_id`` with its earliest deadline ``first_due``,
    the most urgent first: the inbox pages by client, so that a client's reminders are never
    split between pages."""
    return (
        _visible_open(user, today or timezone.localdate(), filters)
        .order_by()
        .values("client_id")
        .annotate(first_due=Min("due_on"))
        .order_by("first_due", "client_id")
    )


def inbox_groups(
    user: User, client_ids: list[int], *, today: date | None = None, filters: InboxFilter = NO_FILTER
) -> list[ClientGroup]:
    """The reminders of ``client_ids`` (a page of ``inbox_clients``) grouped by client, in that
    order, then by kind: one query."""
    reminders = inbox(user, today=today, filters=filters).filter(client_id__in=client_ids)
    return group_by_client(reminders, order=client_ids)


def group_by_client(reminders: Iterable[Reminder], *, order: list[int]) -> list[ClientGroup]:
    """``reminders`` (sorted by due date) as client groups in the order of ``order``, each
    with its kinds in the order of their earliest deadline."""
    groups: dict[int, ClientGroup] = {}
    kinds_of: dict[int, dict[str, KindGroup]] = {}
    for reminder in reminders:
        group = groups.get(reminder.client_id)
        if group is None:
            name = getattr(reminder, "coordinator_name", None) or ""
            group = groups[reminder.client_id] = ClientGroup(reminder.client, name)
            kinds_of[reminder.client_id] = {}
        by_kind = kinds_of[reminder.client_id]
        if reminder.kind not in by_kind:
            by_kind[reminder.kind] = KindGroup(reminder.kind, reminder.get_kind_display())
            group.kinds.append(by_kind[reminder.kind])
        by_kind[reminder.kind].reminders.append(reminder)
    return [groups[pk] for pk in order if pk in groups]


def unread_count(user: User, *, today: date | None = None) -> int:
    """Open reminders not read yet, of the same clients as the inbox shows (one query)."""
    return inbox(user, today=today).filter(read_at__isnull=True).count()


def reminder_for(user: User, pk: int) -> Reminder:
    """One of the user's own reminders; anyone else's is "not found"."""
    reminder = (
        Reminder.objects.filter(pk=pk, recipient=user)
        .annotate(coordinator_name=client_selectors.named_worker_name("client"))
        .select_related("client")
        .first()
    )
    if reminder is None:
        raise Http404
    return reminder


def email_preferences(user: User) -> dict[str, bool]:
    """Every kind with whether ``user`` gets it by email (their choice or the kind's default)."""
    chosen = dict(EmailPreference.objects.filter(user=user).values_list("kind", "by_email"))
    return {spec.kind: chosen.get(spec.kind, spec.by_email) for spec in kinds.available_kinds()}


def log_shown(*, user: User, reminders: list[Reminder], what: str) -> None:
    """Logs the clients a page of the inbox showed, each on the user's own ground."""
    shown = {}
    for reminder in reminders:
        reminder.client.access_ground = reminder.access_ground  # type: ignore[attr-defined]
        shown[reminder.client_id] = reminder.client
    record_list_access(actor=user, clients=shown.values(), what=what)


def reminder_with_client(user: User, pk: int, *, what: str) -> Reminder:
    """One of the user's own reminders with its client, fetched, authorised and logged as a
    read of the client; 404 when the reminder is not theirs or the client no longer visible."""
    reminder = reminder_for(user, pk)
    reminder.client = access_selectors.client_for_reading(user=user, pk=reminder.client_id, what=what)
    return reminder


# The kinds that are work on a client's case; a meeting tomorrow and a missing named worker
# are counted elsewhere in the team review.
WORK_KINDS = (
    Kind.ASSESSMENT_START_DUE,
    Kind.ASSESSMENT_START_OVERDUE,
    Kind.CHILD_ASSESSMENT_DUE,
    Kind.RAI_REASSESSMENT_DUE,
    Kind.PLAN_REVIEW_DUE,
    Kind.SERVICE_NOT_STARTED,
    Kind.REFERRAL_FOLLOW_UP,
    Kind.BUDGET_THRESHOLD,
)
# The start of the assessment is one kind of work whether its deadline has passed or not.
WORK_KIND_OF = {str(kind): str(kind) for kind in WORK_KINDS} | {
    str(Kind.ASSESSMENT_START_OVERDUE): str(Kind.ASSESSMENT_START_DUE)
}
SERVICE_NOT_STARTED = str(Kind.SERVICE_NOT_STARTED)


@dataclass(frozen=True)
class DueWork:
    kind: str
    subject_id: int
    client_id: int
    due_on: date
    recipient_id: int


def due_work(*, client_ids: list[int], today: date, days: int) -> list[DueWork]:
    """Every piece of work due by ``today + days`` (the overdue too) on the clients
    ``client_ids``, by the engine's own queries of each kind, with whom it falls to (the named
    worker, or the team's leads while there is none): one query, whatever the number of
    coordinators and clients. The team review counts these per coordinator and kind."""
    branches = [
        f"SELECT '{spec.kind}' AS kind, s.subject_id, s.client_id, s.due_on, s.recipient_id"  # noqa: S608  # kinds are constants
        f" FROM ({kinds.source_sql(spec, today)}) AS s (subject_id, client_id, due_on, recipient_id)"
        " WHERE s.client_id IN (SELECT id FROM scope)"
        for spec in kinds.available_kinds()
        if spec.kind in WORK_KIND_OF
    ]
    if not branches or not client_ids:
        return []
    # A plan review held within the kind's lead days before its date settles it, as in the sweep.
    review_spec = kinds.REGISTRY.get(Kind.PLAN_REVIEW_DUE)
    query_params: dict[str, Any] = {
        "today": today,
        "horizon": today + timedelta(days=days),
        "lead": review_spec.lead_days if review_spec else 0,
        # The kinds' batch bounds narrow each query to the range of these clients.
        "lo": min(client_ids),
        "hi": max(client_ids) + 1,
        "client_ids": int_array(client_ids),
    }
    # Through the router: the team lead's figures read this from the replica (core.db).
    with connections[router.db_for_read(Reminder)].cursor() as cursor:
        # The ids once, in a CTE that every kind's branch reads.
        scope = "WITH scope AS MATERIALIZED (SELECT unnest(%(client_ids)s::bigint[]) AS id) "
        cursor.execute(scope + " UNION ALL ".join(branches), query_params)
        return [
            DueWork(WORK_KIND_OF[kind], subject_id, client_id, due_on, recipient_id)
            for kind, subject_id, client_id, due_on, recipient_id in cursor.fetchall()
        ]


def next_due(work: list[DueWork]) -> tuple[DueWork, str] | None:
    """Of a client's work (``due_work`` a year ahead), the nearest piece (or the longest
    overdue), with its name: the deadline a client's page shows at the top."""
    due = min(work, key=lambda w: w.due_on, default=None)
    return None if due is None else (due, work_kind_labels()[due.kind])


def work_kind_labels() -> dict[str, str]:
    """The names of the kinds of work the team review counts."""
    return {kind: str(Kind(kind).label) for kind in dict.fromkeys(WORK_KIND_OF.values())}


def open_reminders_of(user: User) -> QuerySet[Reminder]:
    """Reminders to ``user`` neither done nor cancelled (snoozed ones too) about clients they
    still see: work still theirs. A client handed over takes its reminders out of the inbox."""
    return Reminder.objects.filter(
        recipient=user,
        done_at__isnull=True,
        cancelled_at__isnull=True,
        client__in=policy.visible_clients(user).values("pk"),
    )
