"""Who may see which client, and on what ground: the one place that decides access.

Access follows the care relationship (asiakastietolaki 703/2023): it is derived from
relations in queries, never stored as a row per user and client.
- A coordinator sees and changes the clients currently assigned to them (an open
  ``Assignment``), and reads the clients whose relationship was closed while assigned to them.
- A substitute (sijainen) reads an absent coordinator's clients between the substitution's
  dates; the access ends by itself.
- A team lead sees the clients currently assigned to the coordinators of the teams they lead,
  and the clients those teams are responsible for (unassigned or closed ones too).
- A team member (a nurse, a physiotherapist…) sees the clients whose care team they are on,
  and only the sections of the record their profession needs (``SECTIONS_BY_PROFESSION``).
- A one-off consultation (``Consultation``) lets a professional read one client's basic details
  and assessment between its dates, until revoked, while the relationship is open.
Everything else is "not found", so that a user cannot tell others' clients exist.
"""

from collections.abc import Callable, Collection
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts.models import Profession, Role, User
from clients.models import Assignment, AssignmentEnd, Client
from core.lookups import among
from networks.models import CareTeamMember
from teams.models import Substitution, Team, TeamMembership

from .models import Consultation, ReturningClient, Section

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.request import Request
    from rest_framework.views import APIView


class Ground:
    """The relationship that allowed an access; written into every access event."""

    DESIGNATED_COORDINATOR = "designated_coordinator"
    TEAM_LEAD = "team_lead"
    SUBSTITUTE = "substitute"
    FORMER_COORDINATOR = "former_coordinator"
    CARE_TEAM = "care_team"
    CONSULTATION = "consultation"
    INTAKE = "intake"
    ADMINISTRATOR = "administrator"
    RETURNING_CLIENT = "returning_client"
    DATA_PROTECTION = "data_protection"

    LABELS = {
        DESIGNATED_COORDINATOR: _("designated coordinator"),
        TEAM_LEAD: _("team lead of the coordinator"),
        SUBSTITUTE: _("substitute of the coordinator"),
        FORMER_COORDINATOR: _("coordinator when the relationship was closed"),
        CARE_TEAM: _("member of the client's care team"),
        CONSULTATION: _("consultation granted for this client"),
        INTAKE: _("recording a contact (intake)"),
        ADMINISTRATOR: _("the organisation's administrator"),
        RETURNING_CLIENT: _("returning client, reopened by a new worker"),
        DATA_PROTECTION: _("data protection: answering a request or overseeing use"),
    }
    # Grounds that may change the client's record, and those that may also make the
    # decisions about who works with the client (assign, hand over, close, reopen).
    # A returning client's new worker works on the new relationship while the lead has not
    # confirmed yet; they see only part of the earlier record (``RETURNING_SECTIONS``).
    MAY_CHANGE = frozenset({DESIGNATED_COORDINATOR, RETURNING_CLIENT})
    MAY_MANAGE = frozenset({DESIGNATED_COORDINATOR, TEAM_LEAD})
    # A closed client has no designated coordinator: the coordinator it was closed under may
    # start a new relationship, as may those who manage it.
    MAY_REOPEN = MAY_MANAGE | {FORMER_COORDINATOR}
    # Grounds on which a professional writes their own conclusion in an assessment: the
    # client's worker, and the care team's professionals (a work-ability team's employment
    # specialist, nurse, physiotherapist…), each in the sections their profession sees.
    MAY_CONCLUDE = MAY_CHANGE | {CARE_TEAM}


ALL_SECTIONS = frozenset(Section.values)
# What each profession needs to see of a client whose care team it is on; the coordinators'
# and leads' grounds see every section.
SECTIONS_BY_PROFESSION: dict[str, frozenset[str]] = {
    Profession.SOCIAL_WORKER: ALL_SECTIONS,
    Profession.SOCIAL_COUNSELLOR: ALL_SECTIONS,
    Profession.NURSE: frozenset({Section.BASIC, Section.NETWORK, Section.MEETINGS, Section.ASSESSMENT, Section.PLAN}),
    Profession.DOCTOR: frozenset({Section.BASIC, Section.NETWORK, Section.MEETINGS, Section.ASSESSMENT, Section.PLAN}),
    Profession.PHYSIOTHERAPIST: frozenset({Section.BASIC, Section.MEETINGS, Section.ASSESSMENT, Section.PLAN}),
    Profession.OCCUPATIONAL_THERAPIST: frozenset({Section.BASIC, Section.MEETINGS, Section.ASSESSMENT, Section.PLAN}),
    Profession.PSYCHOLOGIST: frozenset({Section.BASIC, Section.MEETINGS, Section.ASSESSMENT, Section.PLAN}),
    # In a work-ability team the employment specialist takes part in the assessment (the domain
    # of work, studies and work ability, and their own conclusion beside the others').
    Profession.EMPLOYMENT_SPECIALIST: frozenset({Section.BASIC, Section.MEETINGS, Section.ASSESSMENT, Section.PLAN}),
    Profession.OTHER: frozenset({Section.BASIC, Section.MEETINGS}),
}
CONSULTATION_SECTIONS = frozenset({Section.BASIC, Section.ASSESSMENT})
# What a returning client's new worker sees until the lead confirms: what the new work needs
# (the details, the earlier assessment and plan), not old contacts, referrals and messages.
RETURNING_SECTIONS = frozenset({Section.BASIC, Section.ASSESSMENT, Section.PLAN})


def sections_for(user: User, ground: str) -> frozenset[str]:
    """The sections of a client's record ``user`` may see on ``ground``."""
    if ground == Ground.CARE_TEAM:
        return SECTIONS_BY_PROFESSION.get(user.profession, frozenset({Section.BASIC}))
    if ground == Ground.CONSULTATION:
        return CONSULTATION_SECTIONS
    if ground == Ground.RETURNING_CLIENT:
        return RETURNING_SECTIONS
    return ALL_SECTIONS


def shows_earlier_relationships(client: Client) -> bool:
    """Whether the user who opened ``client`` reads how earlier relationships ended (the
    closing summaries): not a returning client's new worker before the lead confirms."""
    return client.access_ground != Ground.RETURNING_CLIENT


def limits_earlier_record(client: Client) -> bool:
    """Whether the user who opened ``client`` is a returning client's new worker whom the lead
    has not confirmed yet, and so reads of the earlier record only what the new work needs."""
    return client.access_ground == Ground.RETURNING_CLIENT


def within_the_new_work[M: Model](
    queryset: QuerySet[M], client: Client, *, earlier: Callable[[ReturningClient], Q], newest: tuple[str, ...]
) -> QuerySet[M]:
    """Of ``queryset`` (the client's assessments or plan versions), what the user who opened
    ``client`` may read. A returning client's new worker reads what was recorded since the
    client returned and, of what ``earlier`` says came before, only the newest by ``newest``:
    the last assessment and plan the new work builds on, not the whole history."""
    if not limits_earlier_record(client):
        return queryset
    returned = ReturningClient.objects.filter(client=client, confirmed_at__isnull=True).order_by("-created_at").first()
    if returned is None:
        return queryset
    before = earlier(returned)
    latest_before = queryset.filter(before).order_by(*newest).values("pk")[:1]
    return queryset.filter(~before | Q(pk__in=latest_before))


def require_section(user: User, client: Client, section: str) -> None:
    """403 where the user sees the client but not this part of the record."""
    if section not in sections_for(user, client.access_ground):
        raise PermissionDenied


def authorise(client: Client, grounds: frozenset[str]) -> None:
    """403 unless the user's ground on ``client`` (as ``client_for`` set it) is one of ``grounds``."""
    if client.access_ground not in grounds:
        raise PermissionDenied


def may_change(client: Client) -> bool:
    """Whether the user who opened ``client`` (``client_for`` set its ``access_ground``) may
    change the record now: on a ground that may change it, while the relationship is open."""
    return client.access_ground in Ground.MAY_CHANGE and not client.is_closed


def may_manage(client: Client) -> bool:
    """Whether the user who opened ``client`` may decide now who works with the client (the
    named worker, the care team, meetings, a closure): on a ground that may manage it, while
    the relationship is open."""
    return client.access_ground in Ground.MAY_MANAGE and not client.is_closed


def may_conclude(client: Client) -> bool:
    """Whether the user who opened ``client`` may write their own conclusion in the client's
    assessment now: the worker or a care-team professional, while the relationship is open."""
    return client.access_ground in Ground.MAY_CONCLUDE and not client.is_closed


def may_reopen(client: Client) -> bool:
    """Whether the user who opened ``client`` may start a new relationship with it now."""
    return client.is_closed and client.access_ground in Ground.MAY_REOPEN


def is_staff(user: "User | AnonymousUser") -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", Role.CLIENT) != Role.CLIENT)


def active_on(day: date) -> Q:
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def teams_led_by(user: User, *, on: date | None = None) -> QuerySet[TeamMembership, Any]:
    day = on or timezone.localdate()
    return TeamMembership.objects.filter(active_on(day), user=user, kind=TeamMembership.Kind.LEAD).values("team")


def coordinators_led_by(user: User, *, on: date | None = None) -> QuerySet[User]:
    """The coordinators who are members of a team that ``user`` leads, on the given day."""
    day = on or timezone.localdate()
    member_ids = TeamMembership.objects.filter(
        active_on(day), team__in=teams_led_by(user, on=day), kind=TeamMembership.Kind.MEMBER
    ).values("user")
    return User.objects.filter(pk__in=member_ids, is_active=True, role=Role.COORDINATOR)


def colleagues_of(user: User, *, on: date | None = None) -> QuerySet[User]:
    """Coordinators who share a team with ``user`` (``user`` included)."""
    day = on or timezone.localdate()
    teams = TeamMembership.objects.filter(active_on(day), user=user).values("team")
    member_ids = TeamMembership.objects.filter(active_on(day), team__in=teams, kind=TeamMembership.Kind.MEMBER).values(
        "user"
    )
    return User.objects.filter(pk__in=member_ids, is_active=True, role=Role.COORDINATOR)


def leads_of_team(team: Team, *, on: date | None = None) -> QuerySet[User]:
    """The people who lead ``team`` on the day."""
    day = on or timezone.localdate()
    lead_ids = TeamMembership.objects.filter(active_on(day), team=team, kind=TeamMembership.Kind.LEAD).values("user")
    return User.objects.filter(pk__in=lead_ids, is_active=True)


def is_organisation_administrator(user: User) -> bool:
    """The organisation's administrator: manages users, teams and configuration, and is the
    one who grants team leadership or moves a coordinator between teams."""
    return user.is_active and user.role == Role.ADMINISTRATOR


def may_manage_team(user: User, team: Team) -> bool:
    """Whether ``user`` adds members to ``team``: the organisation's administrator, or a lead
    of the team (``access.grants.check_team_membership`` decides each addition)."""
    return is_organisation_administrator(user) or teams_led_by(user).filter(team=team).exists()


def absent_coordinators_for(user: User, *, on: date | None = None) -> QuerySet[Substitution, Any]:
    """The coordinators ``user`` substitutes for on the day."""
    day = on or timezone.localdate()
    return Substitution.objects.filter(substitute=user, starts_on__lte=day, ends_on__gte=day).values("absent")


# The roles that carry clients: coordinators and the leads who stand in for their teams.
WORKING_ROLES = frozenset({Role.COORDINATOR, Role.TEAM_LEAD})


def works_caseloads(user: User) -> bool:
    """Whether ``user`` carries clients (intake, handover, substitutions)."""
    return user.role in WORKING_ROLES


def may_create_clients(user: User) -> bool:
    """Whether ``user`` registers a client directly, as its designated coordinator: a
    coordinator; everyone else opens a client from a contact at intake."""
    return user.role == Role.COORDINATOR


def default_named_worker(user: User) -> User | None:
    """Who becomes the named worker when ``user`` opens or reopens a client without naming
    one: a coordinator, themselves; a team lead names someone or records why none is needed."""
    return user if user.role == Role.COORDINATOR else None


# The roles that do intake, and so may look a person up by identity code to find an existing
# client: coordinators and team leads.
INTAKE_ROLES = frozenset({Role.COORDINATOR, Role.TEAM_LEAD})


def may_look_up_identity_codes(user: User) -> bool:
    """Whether ``user`` may look a person up by identity code, for intake only."""
    return is_staff(user) and user.role in INTAKE_ROLES


def may_review_teams(user: User) -> bool:
    """Whether ``user`` sees the review of their teams' coordinators: a team lead."""
    return user.role == Role.TEAM_LEAD


def may_hand_over(user: User, ground: str) -> bool:
    """Whether ``user`` may hand over clients of a caseload they see on ``ground``."""
    return works_caseloads(user) and ground in Ground.MAY_MANAGE


def may_hand_over_all(user: User, ground: str) -> bool:
    """Whether ``user`` may hand over a whole caseload at once: a team lead's, of a coordinator
    of the teams they lead."""
    return works_caseloads(user) and ground == Ground.TEAM_LEAD


def arranges_own_substitution(user: User) -> bool:
    """A coordinator arranges a substitute for their own absence; a team lead for the
    coordinators of the teams they lead."""
    return user.role == Role.COORDINATOR


def substitution_choices(user: User) -> tuple[QuerySet[User], QuerySet[User]]:
    """Whom ``user`` may name as the absent coordinator and as the substitute (for anyone who
    arranges no substitutions, no one: the service refuses)."""
    if arranges_own_substitution(user):
        return colleagues_of(user).filter(pk=user.pk), assignable_coordinators(user).exclude(pk=user.pk)
    coordinators = assignable_coordinators(user)
    return coordinators, coordinators


def assignable_coordinators(user: User) -> QuerySet[User]:
    """Whom ``user`` may name as a client's named worker: a coordinator, the coordinators of
    their own teams (themselves too); a team lead, those of the teams they lead."""
    people = colleagues_of(user) if user.role == Role.COORDINATOR else coordinators_led_by(user)
    return people.order_by("last_name", "first_name", "pk")


# Roles that run the organisation or watch over it rather than work with clients.
NO_CLIENT_ROLES = frozenset({Role.ADMINISTRATOR, Role.DATA_PROTECTION})


def may_read_access_log(user: User) -> bool:
    """Whether ``user`` reads the access log of any client: the data-protection role alone
    (each read is itself logged)."""
    return is_staff(user) and user.role == Role.DATA_PROTECTION


def sees_clients(user: User) -> bool:
    """Whether any relation may open clients to ``user``: never to an administrator or a
    superuser, whatever memberships they hold (the seed's superuser is for setup only)."""
    return not user.is_superuser and user.role not in NO_CLIENT_ROLES


def seeing_clients(people: QuerySet[User]) -> QuerySet[User]:
    """Of ``people``, those ``sees_clients`` admits: the same rule, as a query (a picker)."""
    return people.exclude(role__in=NO_CLIENT_ROLES).exclude(is_superuser=True)


def list_ground(user: User) -> str:
    """The ground written for a list of the user's caseload (a team lead's: their teams')."""
    return Ground.TEAM_LEAD if user.role == Role.TEAM_LEAD else Ground.DESIGNATED_COORDINATOR


def _candidate_ids(user: User, today: date) -> QuerySet[Any, Any]:
    """The ids of the clients some ground may open to ``user``, each ground's rows read
    through its own index (the user's assignments, the absent coordinators', the led teams'
    coordinators' and clients, the care teams, the consultations), as one UNION: without it,
    the grounds were six EXISTS tests on every client of the county (a scan of 100,000 rows
    per list and search; ``bench/explain/``). ``visible_clients`` then decides each of these
    rows on the grounds themselves, so this only has to hold every client they may open."""
    open_assignments = Assignment.objects.filter(ended_on__isnull=True).order_by()
    branches: list[QuerySet[Any, Any]] = [
        # Own (and a returning client's new worker), and those closed while theirs.
        Assignment.objects.filter(Q(ended_on__isnull=True) | Q(end_reason=AssignmentEnd.CLOSURE), coordinator=user)
        .order_by()
        .values("client"),
        open_assignments.filter(coordinator__in=absent_coordinators_for(user, on=today)).values("client"),
        open_assignments.filter(coordinator__in=coordinators_led_by(user, on=today)).values("client"),
        Client.objects.filter(team__in=teams_led_by(user, on=today)).order_by().values("pk"),
        CareTeamMember.objects.filter(active_on(today), professional=user).order_by().values("client"),
        Consultation.objects.filter(
            professional=user, starts_on__lte=today, ends_on__gte=today, revoked_at__isnull=True
        )
        .order_by()
        .values("client"),
    ]
    return branches[0].union(*branches[1:])


def visible_clients(user: User, *, ids: QuerySet[Any, Any] | Collection[int] | None = None) -> QuerySet[Client]:
    """Every client ``user`` may see, each annotated with ``access_ground``. The organisation's
    administrators and superusers see none: they run the system, not clients' cases.

    ``ids``: only these clients (ids, or a query of them), when the caller knows which it asks
    about. Their rows are then read by key, and the union of every ground's candidates
    (``_candidate_ids``) is neither built nor planned: for one client, that was a quarter of
    the check's ~20 ms (Python compiling six subqueries, PostgreSQL planning them)."""
    if not is_staff(user) or not sees_clients(user):
        return Client.objects.annotate(  # type: ignore[no-redef]
            access_ground=Value("", output_field=CharField())
        ).none()
    open_assignments = Assignment.objects.filter(client=OuterRef("pk"), ended_on__isnull=True)
    own = Exists(open_assignments.filter(coordinator=user))
    returning = Exists(ReturningClient.objects.filter(client=OuterRef("pk"), worker=user, confirmed_at__isnull=True))
    substitute = Exists(open_assignments.filter(coordinator__in=absent_coordinators_for(user)))
    led = ExpressionWrapper(
        Q(Exists(open_assignments.filter(coordinator__in=coordinators_led_by(user)))) | Q(team__in=teams_led_by(user)),
        output_field=BooleanField(),
    )
    closed_while_theirs = Assignment.objects.filter(
        client=OuterRef("pk"), coordinator=user, end_reason=AssignmentEnd.CLOSURE, ended_on=OuterRef("closed_on")
    )
    former = ExpressionWrapper(Q(closed_on__isnull=False) & Q(Exists(closed_while_theirs)), output_field=BooleanField())
    on_care_team = Exists(
        CareTeamMember.objects.filter(active_on(timezone.localdate()), client=OuterRef("pk"), professional=user)
    )
    today = timezone.localdate()
    consultation = ExpressionWrapper(
        Q(closed_on__isnull=True)
        & Q(
            Exists(
                Consultation.objects.filter(
                    client=OuterRef("pk"),
                    professional=user,
                    starts_on__lte=today,
                    ends_on__gte=today,
                    revoked_at__isnull=True,
                )
            )
        ),
        output_field=BooleanField(),
    )
    return (
        Client.objects.filter(among("pk", _candidate_ids(user, today) if ids is None else ids))
        # Aliases, not annotations: each is written out wherever it is used, and the WHERE and
        # the CASE use them all; selected as well, every subquery was compiled, sent and planned
        # a third time.
        .alias(
            own=own,
            returning=returning,
            substitute=substitute,
            led=led,
            former=former,
            on_care_team=on_care_team,
            consultation=consultation,
        )
        .filter(
            Q(own=True)
            | Q(led=True)
            | Q(substitute=True)
            | Q(former=True)
            | Q(on_care_team=True)
            | Q(consultation=True)
        )
        .annotate(  # type: ignore[no-redef]  # declared on Client for the callers' sake
            access_ground=Case(
                When(own=True, returning=True, then=Value(Ground.RETURNING_CLIENT)),
                When(own=True, then=Value(Ground.DESIGNATED_COORDINATOR)),
                When(led=True, then=Value(Ground.TEAM_LEAD)),
                When(substitute=True, then=Value(Ground.SUBSTITUTE)),
                When(former=True, then=Value(Ground.FORMER_COORDINATOR)),
                When(on_care_team=True, then=Value(Ground.CARE_TEAM)),
                default=Value(Ground.CONSULTATION),
            )
        )
    )


def client_for(user: User, pk: int) -> Client:
    """Fetches a client and authorises ``user`` for it in one call; 404 if not allowed."""
    client = visible_clients(user, ids=[pk]).first()
    if client is None:
        raise Http404
    return client


def caseload_owner_for(user: User, coordinator_pk: int) -> tuple[User, str]:
    """The coordinator whose caseload ``user`` asks to see, with the ground; 404 if not
    allowed. Everyone on the staff may see their own caseload."""
    if not is_staff(user):
        raise Http404
    if coordinator_pk == user.pk:
        return user, Ground.DESIGNATED_COORDINATOR
    coordinator = coordinators_led_by(user).filter(pk=coordinator_pk).first()
    if coordinator is not None:
        return coordinator, Ground.TEAM_LEAD
    coordinator = User.objects.filter(pk=coordinator_pk, pk__in=absent_coordinators_for(user)).first()
    if coordinator is not None:
        return coordinator, Ground.SUBSTITUTE
    raise Http404


def may_use_api(user: User) -> bool:
    """Whether ``user`` is handed API tokens: the roles that work with clients. The
    administrator works in the admin site, and clients in their portal."""
    return user.is_active and user.role in (Role.COORDINATOR, Role.TEAM_LEAD, Role.TEAM_MEMBER)


class IsStaffUser(BasePermission):
    """Signed-in, active staff. Object access is then decided by the functions above."""

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return is_staff(request.user)
