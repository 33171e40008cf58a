"""Reads of client data, scoped to what the user may see and logged where they show it."""

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import OrderBy, RawSQL
from django.db.models.functions import Coalesce, Concat, Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access import selectors as access_selectors
from access.models import AccessEvent, Section
from access.services import record_access, record_list_access
from accounts.models import User
from core.errors import RateLimitedError
from core.lookups import among

from .models import (
    PLANNED_CLOSURE_REASONS,
    Assignment,
    AssignmentEnd,
    BounceKind,
    Client,
    ClientMessage,
    ClientView,
    Contact,
    CoordinationReview,
    Referral,
    ReferralPartner,
    ReferralStatus,
    RelationshipPeriod,
    SearchName,
)

CASELOAD_ORDERINGS: dict[str, tuple[str | OrderBy, ...]] = {
    "name": ("client__last_name", "client__first_name", "pk"),
    "-name": ("-client__last_name", "-client__first_name", "-pk"),
    "age": ("-client__date_of_birth", "pk"),
    "-age": ("client__date_of_birth", "pk"),
    "since": ("-started_on", "pk"),
    "-since": ("started_on", "pk"),
    "deadline": (F("assessment_due_on").asc(nulls_last=True), "pk"),
    "-deadline": (F("assessment_due_on").desc(nulls_last=True), "pk"),
}
# How close a word must be for the name search (pg_trgm word similarity, 0-1): low enough
# for a typo or two in a Finnish surname, high enough to keep unrelated names out.
NAME_SEARCH_THRESHOLD = 0.45
IDENTITY_CODE = re.compile(r"^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$", re.IGNORECASE)


def client_annotations(today: date) -> dict[str, Any]:
    """Continuity and the pending assessment deadline, computed in SQL for each client row of a
    query that has the client table under its own name (``clients_client``), so that a list
    of any length costs one query.
    - worker_changes_12m: named-worker changes in the last 12 months (not the first naming);
    - days_without_worker: days of the current relationship with no named worker;
    - relationship_days: length of the current (or last) relationship;
    - assessment_due_on: the earliest start deadline of a needs assessment not yet started."""
    return {
        # A change is an assignment of this relationship that follows another one of it.
        "worker_changes_12m": RawSQL(
            "SELECT COUNT(*) FROM clients_assignment a WHERE a.client_id = clients_client.id"
            " AND a.started_on >= %s AND a.started_on >= clients_client.relationship_started_on"
            " AND EXISTS (SELECT 1 FROM clients_assignment b WHERE b.client_id = a.client_id"
            "  AND b.started_on >= clients_client.relationship_started_on"
            "  AND (b.started_on, b.id) < (a.started_on, a.id))",
            (today - timedelta(days=365),),
            output_field=IntegerField(),
        ),
        "relationship_days": RawSQL(
            "COALESCE(clients_client.closed_on, %s) - clients_client.relationship_started_on",
            (today,),
            output_field=IntegerField(),
        ),
        "days_without_worker": RawSQL(
            "(COALESCE(clients_client.closed_on, %s) - clients_client.relationship_started_on) - COALESCE(("
            " SELECT SUM(LEAST(COALESCE(a.ended_on, %s), COALESCE(clients_client.closed_on, %s))"
            "  - GREATEST(a.started_on, clients_client.relationship_started_on))"
            " FROM clients_assignment a WHERE a.client_id = clients_client.id"
            " AND COALESCE(a.ended_on, %s) > clients_client.relationship_started_on), 0)",
            (today, today, today, today),
            output_field=IntegerField(),
        ),
        "assessment_due_on": RawSQL(
            "SELECT MIN(c.assessment_due_on) FROM clients_contact c WHERE c.client_id = clients_client.id"
            " AND c.assessment_started_on IS NULL AND c.cancelled_on IS NULL",
            (),
        ),
    }


def caseload(*, coordinator: User, search: str = "", order: str = "name") -> QuerySet[Assignment]:
    """The open assignments of ``coordinator`` with their clients, continuity figures and
    deadlines, in one query. The caller has authorised the viewer through
    ``policy.caseload_owner_for``."""
    assignments = (
        Assignment.objects.filter(coordinator=coordinator, ended_on__isnull=True)
        .select_related("client")
        .annotate(**client_annotations(timezone.localdate()))
    )
    for word in search.split():
        assignments = assignments.filter(Q(client__last_name__icontains=word) | Q(client__first_name__icontains=word))
    return assignments.order_by(*CASELOAD_ORDERINGS.get(order, CASELOAD_ORDERINGS["name"]))


def log_caseload_shown(*, viewer: User, assignments: list[Assignment], ground: str) -> None:
    record_list_access(actor=viewer, clients=(a.client for a in assignments), what="caseload", ground=ground)


def unread_handover_notes(coordinator: User) -> QuerySet[Assignment]:
    """Clients handed over to ``coordinator`` whose handover note they have not read yet."""
    return (
        Assignment.objects.filter(coordinator=coordinator, ended_on__isnull=True, note_read_at__isnull=True)
        .exclude(handover_note="")
        .select_related("client", "handed_over_by")
        .order_by("-started_on", "pk")
    )


def continuity_of(client: Client) -> dict[str, Any]:
    """The continuity figures and pending deadline of one client (one query)."""
    annotations = client_annotations(timezone.localdate())
    row = Client.objects.annotate(**annotations).get(pk=client.pk)
    return {name: getattr(row, name) for name in annotations}


def named_worker_of(client: Client) -> User | None:
    """The client's named worker now (omatyöntekijä), if one is named."""
    assignment = Assignment.objects.filter(client=client, ended_on__isnull=True).select_related("coordinator").first()
    return None if assignment is None else assignment.coordinator


def assignment_history(client: Client) -> QuerySet[Assignment]:
    return client.assignments.select_related("coordinator", "handed_over_by").order_by("-started_on", "-pk")


def contacts_of(client: Client) -> QuerySet[Contact]:
    return client.contacts.select_related("recorded_by")


def referrals_of(client: Client) -> QuerySet[Referral]:
    """A client's referrals, each with its partner and, where it bounced, the bounce and the
    referral it was redirected to (or the one it was redirected from)."""
    return client.referrals.select_related(
        "created_by",
        "partner",
        "bounce__redirected_to__partner",
        "redirected_from__referral__partner",
    )


def partner_name(pk: int) -> str:
    """A partner's name, or its id where it is gone."""
    partner = ReferralPartner.objects.filter(pk=pk).first()
    return str(partner) if partner is not None else str(pk)


def referral_partners() -> QuerySet[ReferralPartner]:
    """The partners a new referral may name (those retired keep their old referrals)."""
    return ReferralPartner.objects.filter(active=True)


def messages_to(client: Client) -> QuerySet[ClientMessage]:
    return client.messages.all()


def _normalised(text: str) -> Func:
    return Func(Value(text), template="immutable_unaccent(lower(%(expressions)s))", output_field=TextField())


def search_clients(*, user: User, query: str, limit: int = 20) -> list[Client]:
    """Clients ``user`` may see whose name is like ``query``: tolerant of typos and of å, ä, ö
    typed as a, a, o (trigram word similarity over the unaccented name, through its index).
    The clients shown are logged."""
    query = query.strip()[:100]
    if len(query) < 2:
        return []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s", [NAME_SEARCH_THRESHOLD])
        found: list[Client] = list(
            policy.visible_clients(user)
            .alias(search_name=SearchName())
            .filter(search_name__trigram_word_similar=_normalised(query))
            .annotate(
                similarity=Func(_normalised(query), SearchName(), function="word_similarity", output_field=FloatField())
            )
            .order_by("-similarity", "last_name", "first_name", "pk")[:limit]
        )
    record_list_access(actor=user, clients=found, what="search")
    return found


def _count_identity_lookup(user: User) -> None:
    """At most ``IDENTITY_LOOKUPS_PER_MINUTE`` identity-code lookups per user in a minute
    (a fixed window in the cache): a walk over the numbers of one birth date needs hundreds."""
    window = int(time.time() // 60)
    key = f"identity-lookups:{user.pk}:{window}"
    cache.add(key, 0, timeout=120)
    if cache.incr(key) > settings.IDENTITY_LOOKUPS_PER_MINUTE:
        raise RateLimitedError(_("Too many identity code lookups. Wait a minute and try again."))


def _normalised_identity_code(code: str) -> str:
    code = code.strip().upper()
    if not IDENTITY_CODE.match(code):
        raise ValidationError({"identity_code": _("Enter a personal identity code, for example 131052-308T.")})
    return code


@dataclass(frozen=True)
class IdentityLookup:
    """What an intake lookup by identity code tells: the client, where the caller may see them;
    otherwise only whether a client exists and whom to contact (the team that holds them)."""

    exists: bool
    client: Client | None = None
    team: str = ""
    contact: str = ""


def look_up_identity_code(*, user: User, code: str) -> IdentityLookup:
    """Intake's lookup of a person by identity code: for the roles that do intake only,
    throttled per user, logged with its purpose. A caller without a ground learns that a client
    exists and who to contact, never the name or the date of birth."""
    if not policy.may_look_up_identity_codes(user):
        raise PermissionDenied
    code = _normalised_identity_code(code)
    _count_identity_lookup(user)
    found = Client.objects.filter(identity_code=code).select_related("team").first()
    if found is None:
        return IdentityLookup(exists=False)
    visible = policy.visible_clients(user, ids=[found.pk]).first()
    record_access(
        actor=user,
        client=found,
        action=AccessEvent.Action.VIEW,
        what="intake.lookup",
        ground=visible.access_ground if visible is not None else policy.Ground.INTAKE,
        reason="intake",
    )
    if visible is not None:
        return IdentityLookup(exists=True, client=visible)
    return IdentityLookup(exists=True, team=found.team.name if found.team else "", contact=_team_contact(found))


def _team_contact(client: Client) -> str:
    """Whom to contact about a client one may not see: the leads of the team that holds them."""
    if client.team is None:
        return ""
    leads = policy.leads_of_team(client.team).order_by("last_name", "first_name")
    return ", ".join(lead.get_full_name() or lead.username for lead in leads)


def visible_by_identity_code(*, user: User, code: str) -> list[Client]:
    """The client with this exact identity code, if ``user`` may see them (the general search):
    throttled as every identity-code lookup, and logged where shown."""
    _count_identity_lookup(user)
    found = list(policy.visible_clients(user).filter(identity_code=_normalised_identity_code(code)))
    record_list_access(actor=user, clients=found, what="search.identity_code")
    return found


def find_by_identity_code(*, user: User, code: str) -> Client | None:
    """The client with this exact identity code, among all clients: intake must find an
    existing client to attach a contact to, whoever their coordinator is. For the roles that do
    intake only, throttled, and logged when it finds someone."""
    if not policy.may_look_up_identity_codes(user):
        raise PermissionDenied
    code = code.strip().upper()
    if not IDENTITY_CODE.match(code):
        return None
    _count_identity_lookup(user)
    client = Client.objects.filter(identity_code=code).first()
    if client is not None:
        record_access(
            actor=user,
            client=client,
            action=AccessEvent.Action.VIEW,
            what="intake.identity_code",
            ground=policy.Ground.INTAKE,
            reason="intake",
        )
    return client


def caseload_client_ids(user: User) -> QuerySet[Assignment, Any]:
    """The clients in ``user``'s caseload, or in their teams' caseloads for a team lead."""
    coordinators = policy.coordinators_led_by(user).values("pk")
    return Assignment.objects.filter(
        Q(coordinator=user) | Q(coordinator__in=coordinators), ended_on__isnull=True
    ).values("client")


def log_overdue_referrals_shown(*, viewer: User, referrals: Iterable[Referral]) -> None:
    """Logs the clients of a shown page of ``overdue_referrals``, on the viewer's list ground."""
    shown = {referral.client.pk: referral.client for referral in referrals}
    record_list_access(
        actor=viewer, clients=shown.values(), what="referrals.overdue", ground=policy.list_ground(viewer)
    )


def named_worker_name(client: str) -> Subquery:
    """The full name of the named worker of the client that the outer query's field ``client``
    refers to, for a list of rows about clients (NULL where none is named)."""
    named = Assignment.objects.filter(client=OuterRef(client), ended_on__isnull=True).annotate(
        name=Concat("coordinator__first_name", Value(" "), "coordinator__last_name")
    )
    return Subquery(named.values("name")[:1], output_field=TextField())


def overdue_referrals(user: User) -> QuerySet[Referral]:
    """Referrals past their follow-up date, not closed, of the clients in ``user``'s caseload,
    each with its client's named worker (a lead's list spans several coordinators)."""
    return (
        Referral.objects.filter(
            client__in=caseload_client_ids(user),
            follow_up_on__lt=timezone.localdate(),
        )
        .exclude(status=ReferralStatus.CLOSED)
        .select_related("client", "partner", "bounce__redirected_to__partner", "redirected_from__referral__partner")
        .annotate(coordinator_name=named_worker_name("client"))
        .order_by("follow_up_on", "pk")
    )


def clients_for_handover(*, user: User, client_ids: list[int]) -> tuple[list[Client], str]:
    """The clients ``user`` may hand over, in one query, with the ground; a client that is
    not theirs to hand over is reported as not found, as everywhere else."""
    clients = list(policy.visible_clients(user, ids=client_ids))
    allowed = [c for c in clients if c.access_ground in policy.Ground.MAY_MANAGE]
    missing = sorted(set(client_ids) - {c.pk for c in allowed})
    if missing:
        raise ValidationError({"clients": [_("Not found: %(ids)s") % {"ids": ", ".join(map(str, missing))}]})
    grounds = {c.access_ground for c in allowed}
    return (
        allowed,
        policy.Ground.TEAM_LEAD if policy.Ground.TEAM_LEAD in grounds else policy.Ground.DESIGNATED_COORDINATOR,
    )


def handover_targets(user: User) -> QuerySet[User]:
    """Whom ``user`` may hand clients over to: a coordinator, their team colleagues; a team
    lead, the coordinators of the teams they lead."""
    colleagues = policy.colleagues_of(user).exclude(pk=user.pk).values("pk")
    led = policy.coordinators_led_by(user).values("pk")
    return User.objects.filter(Q(pk__in=colleagues) | Q(pk__in=led)).order_by("last_name", "first_name", "pk")


def relationship_periods_of(client: Client) -> QuerySet[RelationshipPeriod]:
    """The client's relationships, the current first, with who closed each."""
    return client.relationship_periods.select_related("closed_by").order_by("-opened_on", "-pk")


def sees_client(*, user: User, pk: int) -> bool:
    """Whether ``user`` may open the client: where a page goes after a change that may have
    ended the user's access (a closure, a contact on someone else's client)."""
    return policy.visible_clients(user, ids=[pk]).exists()


def received_assignment(*, user: User, pk: int) -> Assignment:
    """An assignment of a client to ``user``, whose handover note they may mark read; 404 for
    anyone else's."""
    assignment = Assignment.objects.filter(pk=pk, coordinator=user).first()
    if assignment is None:
        raise Http404
    return assignment


def referral_for(*, user: User, pk: int, what: str, may: frozenset[str] | None = None) -> Referral:
    """A referral, opened through its client (its contacts and referrals): authorised and
    logged; the referral's ``client`` carries the ``access_ground``."""
    client = access_selectors.client_of(Referral, pk, user=user, what=what, section=Section.CONTACTS, may=may)
    referral = Referral.objects.get(pk=pk)
    referral.client = client
    return referral


def open_assignments_of(coordinators: QuerySet[Any, Any] | list[int]) -> QuerySet[Assignment]:
    """The open assignments of ``coordinators`` (a queryset of users or of their ids), with the
    client table joined under its own name, so that ``client_annotations`` and kind filters
    compose on it: the team review groups these per coordinator in one query."""
    return Assignment.objects.filter(
        coordinator__in=coordinators, ended_on__isnull=True, client__closed_on__isnull=True
    )


def open_assignment_clients(coordinators: QuerySet[Any, Any] | list[int]) -> QuerySet[Assignment, Any]:
    """The ids (``client``) of the open clients that ``coordinators`` hold open assignments of:
    what ``open_assignments_of`` reads, without its join. Each client is tested by its key, a
    subquery per assignment: as a join the planner read all 100,000 clients to find a team's
    1,500 (bench/explain/team-review*.txt)."""
    still_open = (
        Client.objects.filter(pk=OuterRef("client_id"))
        .order_by()
        .values(still_open=ExpressionWrapper(Q(closed_on__isnull=True), output_field=BooleanField()))
    )
    return (
        Assignment.objects.filter(coordinator__in=coordinators, ended_on__isnull=True)
        .filter(Subquery(still_open, output_field=BooleanField()))
        .order_by()
        .values("client")
    )


def clients_without_named_worker(teams: QuerySet[Any, Any]) -> QuerySet[Client]:
    """Open clients of ``teams`` with no named worker and no recorded reason for having none,
    each with ``without_worker_since``: the start of the relationship or the end of the last
    assignment, whichever is later (SHL §42)."""
    last_end = Assignment.objects.filter(client=OuterRef("pk")).order_by().values("client").annotate(m=Max("ended_on"))
    return (
        Client.objects.filter(team__in=teams, closed_on__isnull=True, no_named_worker_reason="")
        .exclude(Exists(Assignment.objects.filter(client=OuterRef("pk"), ended_on__isnull=True)))
        .annotate(
            without_worker_since=Greatest(
                F("relationship_started_on"),
                Coalesce(Subquery(last_end.values("m"), output_field=DateField()), F("relationship_started_on")),
            )
        )
    )


def assignment_ends(*, coordinators: QuerySet[Any, Any] | list[int], since: date) -> QuerySet[Any, Any]:
    """How many assignments of ``coordinators`` ended since ``since``, per coordinator and end
    reason (handed over, closed, no worker needed): one grouped query."""
    return (
        Assignment.objects.filter(coordinator__in=coordinators, ended_on__gte=since)
        .order_by()
        .values("coordinator", "end_reason")
        .annotate(n=Count("pk"))
    )


def ended_assignment_clients(
    *, coordinators: QuerySet[Any, Any] | list[int], since: date, reason: str = ""
) -> QuerySet[Assignment, Any]:
    """The client ids behind ``assignment_ends``: clients whose assignment with one of
    ``coordinators`` ended since ``since`` (for ``reason``, when given)."""
    ended = Assignment.objects.filter(coordinator__in=coordinators, ended_on__gte=since)
    if reason:
        ended = ended.filter(end_reason=reason)
    return ended.values("client")


# A referral unanswered this long counts as left waiting by its partner.
REFERRAL_UNANSWERED_DAYS = 30
# How far back the partner figures of a caseload look.
PARTNER_FIGURES_DAYS = 365


def _unanswered(clients: QuerySet[Any, Any] | list[int], before: date) -> QuerySet[Referral]:
    return Referral.objects.filter(
        among("client", clients),
        direction=Referral.Direction.OUTGOING,
        status__in=[ReferralStatus.SENT, ReferralStatus.RECEIVED],
        sent_on__lt=before,
    )


_PARTNER_COLUMNS = ("partner__code", "partner__organisation", "partner__unit", "partner__kind", "partner__contact")


def _partner_of(row: dict[str, Any]) -> ReferralPartner | None:
    """The partner of a row grouped by ``partner`` and its ``_PARTNER_COLUMNS``, read in the
    same query (the review's query count stays fixed)."""
    if row["partner"] is None:
        return None
    return ReferralPartner(
        pk=row["partner"], **{column[len("partner__") :]: row[column] for column in _PARTNER_COLUMNS}
    )


def unanswered_referrals_by_counterpart(
    *, clients: QuerySet[Any, Any] | list[int], before: date
) -> list[dict[str, Any]]:
    """Outgoing referrals of ``clients`` sent before ``before`` and still neither answered nor
    closed, counted per partner, and per free text for the others (pompottelu: who leaves
    our clients waiting): ``partner`` (its id, or ``None``), ``counterpart`` (its name), ``n``
    and ``clients``."""
    grouped = (
        _unanswered(clients, before)
        .order_by()
        .values("partner", "counterpart", *_PARTNER_COLUMNS)
        .annotate(n=Count("pk"), clients=Count("client", distinct=True))
    )
    rows = []
    for row in grouped:
        partner = _partner_of(dict(row))
        name = str(partner) if partner is not None else row["counterpart"]
        rows.append({"partner": row["partner"], "counterpart": name, "n": row["n"], "clients": row["clients"]})
    return sorted(rows, key=lambda row: (-row["n"], row["counterpart"]))


def unanswered_referral_clients(
    *, clients: QuerySet[Any, Any] | list[int], before: date, counterpart: str = "", partner: int | None = None
) -> QuerySet[Referral, Any]:
    """The client ids behind ``unanswered_referrals_by_counterpart``: all, one partner's, or
    one other counterpart's (its free text)."""
    referrals = _unanswered(clients, before)
    if partner is not None:
        referrals = referrals.filter(partner=partner)
    if counterpart:
        referrals = referrals.filter(partner__isnull=True, counterpart=counterpart)
    return referrals.values("client")


class Median(Aggregate):
    """The median (PostgreSQL's ``percentile_cont``), as a float."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


# Days from sending to the answer: PostgreSQL subtracts dates into whole days (Django's own
# subtraction of two dates makes an interval).
_ANSWER_DAYS = Func(
    F("answered_on"), F("sent_on"), template="(%(expressions)s)", arg_joiner=" - ", output_field=IntegerField()
)


@dataclass
class PartnerFigures:
    """Referrals to one partner (``partner`` ``None``: the others, in free text) over a
    period: how many, how soon answered, how many bounced and how many wait unanswered."""

    partner: ReferralPartner | None
    referrals: int
    answered: int
    median_answer_days: float | None
    mean_answer_days: float | None
    bounces: int
    returned: int
    refused: int
    redirected: int
    unanswered: int

    @property
    def name(self) -> str:
        return str(self.partner) if self.partner is not None else _("Other")

    @property
    def bounce_share(self) -> int | None:
        return round(100 * self.bounces / self.referrals) if self.referrals else None


def referral_figures_by_partner(
    *, clients: QuerySet[Any, Any] | list[int], since: date, unanswered_before: date
) -> list[PartnerFigures]:
    """Per partner, the outgoing referrals of ``clients`` sent since ``since``: their number,
    the median and mean days to an answer, the bounces (came back unanswered, refused,
    redirected elsewhere) and those still unanswered that were sent before
    ``unanswered_before``. One grouped query; most referrals first, the others (free text)
    last. The team lead's review and the coordinator's partner page both use it."""
    waiting = Q(status__in=[ReferralStatus.SENT, ReferralStatus.RECEIVED], sent_on__lt=unanswered_before)
    answered = Q(answered_on__isnull=False)
    grouped = (
        Referral.objects.filter(among("client", clients), direction=Referral.Direction.OUTGOING, sent_on__gte=since)
        .order_by()
        .values("partner", *_PARTNER_COLUMNS)
        .annotate(
            referrals=Count("pk"),
            answered=Count("pk", filter=answered),
            median=Median(_ANSWER_DAYS, filter=answered),
            mean=Avg(_ANSWER_DAYS, filter=answered, output_field=FloatField()),
            bounces=Count("bounce"),
            returned=Count("bounce", filter=Q(bounce__kind=BounceKind.RETURNED)),
            refused=Count("bounce", filter=Q(bounce__kind=BounceKind.REFUSED)),
            redirected=Count("bounce", filter=Q(bounce__kind=BounceKind.REDIRECTED)),
            unanswered=Count("pk", filter=waiting),
        )
    )
    rows: list[dict[str, Any]] = [dict(row) for row in grouped]
    figures = [
        PartnerFigures(
            partner=_partner_of(row),
            referrals=row["referrals"],
            answered=row["answered"],
            median_answer_days=row["median"],
            mean_answer_days=round(row["mean"], 1) if row["mean"] is not None else None,
            bounces=row["bounces"],
            returned=row["returned"],
            refused=row["refused"],
            redirected=row["redirected"],
            unanswered=row["unanswered"],
        )
        for row in rows
    ]
    # The others (free text) last, whatever their number.
    return sorted(figures, key=lambda f: (f.partner is None, -f.referrals, f.name))


def open_clients() -> QuerySet[Client]:
    """Clients whose relationship is open. Callers narrow it to what a user may see."""
    return Client.objects.filter(closed_on__isnull=True)


def with_named_worker(clients: QuerySet[Client]) -> QuerySet[Client]:
    """``clients`` each with ``named_worker_name`` and ``named_worker_id`` (empty without one)."""
    current = Assignment.objects.filter(client=OuterRef("pk"), ended_on__isnull=True)
    return clients.annotate(
        named_worker_id=Subquery(current.values("coordinator")[:1]),
        named_worker_first=Subquery(current.values("coordinator__first_name")[:1]),
        named_worker_last=Subquery(current.values("coordinator__last_name")[:1]),
    )


def log_list_shown(*, viewer: User, clients: Iterable[Client], what: str) -> None:
    """Logs a list of clients (each on its own ``access_ground``) as read by ``viewer``."""
    record_list_access(actor=viewer, clients=clients, what=what)


def assignment_end_reasons() -> list[tuple[str, str]]:
    """Why an assignment ended, with the names: the reasons of the handover figures."""
    return [(str(value), str(label)) for value, label in AssignmentEnd.choices]


# Ending coordination on purpose


def open_period_of(client: Client) -> RelationshipPeriod | None:
    """The client's current relationship, with its review point."""
    return client.relationship_periods.filter(closed_on__isnull=True).first()


def coordination_reviews_of(client: Client) -> QuerySet[CoordinationReview]:
    """The client's coordination reviews, the latest first, with who recorded each."""
    return client.coordination_reviews.select_related("recorded_by").order_by("-reviewed_on", "-pk")


@dataclass(frozen=True)
class Endings:
    """The ends of client relationships of one team over a span: planned and unplanned, and
    the clients' own views of whether coordination helped (closures ask for it)."""

    team_id: int
    planned: int
    unplanned: int
    views: dict[str, int]

    @property
    def total(self) -> int:
        return self.planned + self.unplanned

    @property
    def planned_share(self) -> int | None:
        return round(100 * self.planned / self.total) if self.total else None


def endings_by_team(*, team_ids: list[int], since: date, until: date) -> dict[int, Endings]:
    """Per team, the relationships closed between ``since`` and ``until`` (inclusive): one
    grouped query whatever the number of teams. Anonymised clients count too: retention keeps
    the rows that these figures read."""
    counts = {f"view_{value}": Count("pk", filter=Q(client_view=value)) for value in ClientView.values}
    # A closure recorded before endings were told apart counts by its reason.
    planned = Q(planned_ending=True) | Q(planned_ending__isnull=True, closure_reason__in=PLANNED_CLOSURE_REASONS)
    rows = (
        RelationshipPeriod.objects.filter(client__team_id__in=team_ids, closed_on__gte=since, closed_on__lte=until)
        .values("client__team_id")
        .annotate(
            planned=Count("pk", filter=planned),
            unplanned=Count("pk", filter=~planned),
            **counts,
        )
        .order_by()
    )
    found: list[dict[str, Any]] = list(rows)  # type: ignore[arg-type]  # the views' counts are named at run time
    return {
        row["client__team_id"]: Endings(
            team_id=row["client__team_id"],
            planned=row["planned"],
            unplanned=row["unplanned"],
            views={value: row[f"view_{value}"] for value in ClientView.values},
        )
        for row in found
    }


def past_retention(today: date) -> QuerySet[Client]:
    """Closed clients not yet anonymised whose every relationship's retention ended before
    ``today`` (asiakastietolaki 703/2023: kept for the period of the record class from the
    closure, then disposed of). Annotated with the latest retention end and its record class."""
    still_kept = RelationshipPeriod.objects.filter(client=OuterRef("pk")).filter(
        Q(retention_ends_on__isnull=True) | Q(retention_ends_on__gte=today)
    )
    latest = RelationshipPeriod.objects.filter(client=OuterRef("pk")).order_by("-retention_ends_on", "-pk")
    return (
        Client.objects.filter(closed_on__isnull=False, anonymised_on__isnull=True)
        .exclude(Exists(still_kept))
        .annotate(
            retention_ended_on=Subquery(latest.values("retention_ends_on")[:1]),
            record_class=Subquery(latest.values("retention_class")[:1]),
        )
        .order_by("pk")
    )


def client_view_choices() -> list[tuple[str, str]]:
    """The answers to "did coordination help?", in order, with their names."""
    return [(value, str(label)) for value, label in ClientView.choices]
