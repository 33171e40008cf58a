"""Grants that widen who sees a client: the one place they are checked and logged.

Every change that widens access (team membership and leadership, substitution, consultation,
naming a worker, handover, reopening) is made by someone entitled, never by the person who
gains the access, and leaves a GRANT event per person and client (a REVOKE where access
narrows), so that it can be seen and undone."""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.models import Consultation, ReturningClient
from access.services import record_grant, record_revoke
from accounts.models import Role, User
from clients.models import Assignment, Client
from core.errors import ConflictError
from reminders.models import Kind, Reminder
from teams.models import Substitution, Team, TeamMembership


def refuse_self_grant(*, by: User, grantee: User) -> None:
    """No one widens their own access: another person, entitled to, grants it."""
    if by.pk == grantee.pk:
        raise PermissionDenied(_("You cannot grant access to yourself; ask someone entitled to grant it."))


def _visible_ids(user: User, clients: Sequence[int] | None) -> set[int]:
    visible = policy.visible_clients(user)
    if clients is not None:
        visible = visible.filter(pk__in=clients)
    return set(visible.values_list("pk", flat=True))


def sees_through(*coordinators: User) -> dict[User, date | None]:
    """Who sees the coordinators' clients besides them, with the day that access ends by
    itself: the leads of their teams (never) and their substitutes today (the substitution's
    end). Naming one of the coordinators widens these people's access too."""
    today = timezone.localdate()
    teams = TeamMembership.objects.filter(
        policy.active_on(today), user__in=coordinators, kind=TeamMembership.Kind.MEMBER
    ).values("team")
    leads = User.objects.filter(
        pk__in=TeamMembership.objects.filter(
            policy.active_on(today), kind=TeamMembership.Kind.LEAD, team__in=teams
        ).values("user")
    )
    substitutions = Substitution.objects.filter(absent__in=coordinators, starts_on__lte=today, ends_on__gte=today)
    # The latest end wins, and a lead's access, which never ends by itself, over any.
    seeing: dict[User, date | None] = {
        substitution.substitute: substitution.ends_on
        for substitution in substitutions.select_related("substitute").order_by("ends_on")
    }
    seeing.update(dict.fromkeys(leads))
    for coordinator in coordinators:
        seeing.pop(coordinator, None)
    return seeing


@contextmanager
def recording_grants(
    *,
    by: User,
    grantees: Sequence[User],
    what: str,
    ground: str,
    reason: str = "",
    until: date | None = None,
    clients: Sequence[int] | None = None,
    ends: Mapping[User, date | None] | None = None,
) -> Iterator[None]:
    """Runs a change (a team membership, a new named worker) and logs its actual effect on
    access: for each grantee, a GRANT event per client they see after it and did not before
    (until ``until``, or the grantee's own end in ``ends``), a REVOKE per client they no longer
    see; among ``clients`` only, where given."""
    before = {user.pk: _visible_ids(user, clients) for user in grantees}
    yield
    gained: dict[date | None, list[tuple[User, int]]] = {}
    lost: list[tuple[User, int]] = []
    for user in grantees:
        after = _visible_ids(user, clients)
        ending = ends.get(user, until) if ends else until
        gained.setdefault(ending, []).extend((user, pk) for pk in sorted(after - before[user.pk]))
        lost += [(user, pk) for pk in sorted(before[user.pk] - after)]
    for ending, granted in gained.items():
        record_grant(by=by, grants=granted, what=what, ground=ground, reason=reason, until=ending)
    record_revoke(by=by, grants=lost, what=what, ground=ground, reason=reason)


def actor_ground(by: User) -> str:
    """The ground written for an organisational grant: the administrator's or a team lead's."""
    return policy.Ground.ADMINISTRATOR if policy.is_organisation_administrator(by) else policy.Ground.TEAM_LEAD


def _carries_elsewhere(user: User, team: Team) -> bool:
    """A coordinator with clients of their own, or in another team now: joining this team
    would open their caseload to this team's leads."""
    if Assignment.objects.filter(coordinator=user, ended_on__isnull=True).exists():
        return True
    return TeamMembership.objects.filter(policy.active_on(timezone.localdate()), user=user).exclude(team=team).exists()


def check_team_membership(*, team: Team, user: User, kind: str, by: User) -> None:
    """Whether ``by`` may make ``user`` a member or a lead of ``team``: never themselves; the
    leadership only by the organisation's administrator and only to a user with the team lead
    role; a coordinator who has clients or is in another team only by the administrator; the
    team's own lead may otherwise add members. PermissionDenied for who may not, a
    ValidationError for whom cannot be added."""
    refuse_self_grant(by=by, grantee=user)
    if not policy.is_staff(user):
        raise ValidationError({"user": _("Only staff can be team members.")})
    administrator = policy.is_organisation_administrator(by)
    if kind == TeamMembership.Kind.LEAD:
        if not administrator:
            raise PermissionDenied(_("Only the organisation's administrator names a team's lead."))
        if user.role != Role.TEAM_LEAD:
            raise ValidationError({"user": _("Only a user with the team lead role can lead a team.")})
        return
    if not policy.may_manage_team(by, team):
        raise PermissionDenied(_("Only the team's lead or an administrator manages its members."))
    if not administrator and user.role == Role.COORDINATOR and _carries_elsewhere(user, team):
        raise PermissionDenied(
            _(
                "A coordinator who has clients or belongs to another team joins this team only through "
                "the organisation's administrator."
            )
        )


def _consultation_dates(starts_on: date | None, ends_on: date | None) -> tuple[date, date]:
    starts_on = starts_on or timezone.localdate()
    ends_on = ends_on or starts_on + timedelta(days=settings.CONSULTATION_DEFAULT_DAYS)
    if starts_on < timezone.localdate():
        raise ValidationError({"starts_on": _("A consultation cannot start in the past.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("A consultation cannot end before it starts.")})
    if ends_on > starts_on + timedelta(days=settings.CONSULTATION_MAX_DAYS):
        raise ValidationError(
            {"ends_on": _("A consultation lasts at most %(days)s days.") % {"days": settings.CONSULTATION_MAX_DAYS}}
        )
    return starts_on, ends_on


@transaction.atomic
def grant_consultation(
    *,
    client: Client,
    professional: User,
    by: User,
    ground: str,
    reason: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Consultation:
    """A one-off consultation of one client's basic details and assessment by a professional,
    granted by someone who manages the client (the caller has authorised ``by`` on ``ground``),
    with a reason, for at most ``CONSULTATION_MAX_DAYS`` (``CONSULTATION_DEFAULT_DAYS`` unless
    ``ends_on`` is given)."""
    if client.is_closed:
        raise ConflictError(_("The client relationship is closed; reopen it first."))
    if ground not in policy.Ground.MAY_MANAGE:
        raise PermissionDenied(_("Only those who manage the client grant a consultation."))
    refuse_self_grant(by=by, grantee=professional)
    if not policy.is_staff(professional) or not policy.sees_clients(professional) or not professional.is_active:
        raise ValidationError({"professional": _("Choose a professional.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the consultation.")})
    starts_on, ends_on = _consultation_dates(starts_on, ends_on)
    consultation = Consultation.objects.create(
        client=client,
        professional=professional,
        granted_by=by,
        reason=reason.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    record_grant(
        by=by,
        grants=[(professional, client)],
        what="consultation",
        ground=ground,
        reason=consultation.reason,
        until=ends_on,
    )
    return consultation


@transaction.atomic
def revoke_consultation(*, consultation: Consultation, by: User, ground: str) -> Consultation:
    """Ends a consultation now; the caller has authorised ``by`` to manage its client."""
    if ground not in policy.Ground.MAY_MANAGE:
        raise PermissionDenied(_("Only those who manage the client revoke a consultation."))
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if locked.revoked_at is not None:
        raise ConflictError(_("The consultation has already been revoked."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.save(update_fields=["revoked_at", "revoked_by"])
    record_revoke(
        by=by, grants=[(locked.professional, locked.client_id)], what="consultation", ground=ground, reason=""
    )
    return locked


def end_consultations(*, client: Client, by: User, ground: str) -> int:
    """Ends every consultation of ``client`` that has not ended (at the closure of the
    relationship); returns how many."""
    today = timezone.localdate()
    ending = list(
        Consultation.objects.select_for_update()
        .filter(client=client, revoked_at__isnull=True, ends_on__gte=today)
        .select_related("professional")
    )
    Consultation.objects.filter(pk__in=[c.pk for c in ending]).update(revoked_at=timezone.now(), revoked_by=by)
    record_revoke(
        by=by,
        grants=[(c.professional, client) for c in ending],
        what="consultation",
        ground=ground,
        reason=_("The client relationship was closed."),
    )
    return len(ending)


def may_reopen_as_returning(user: User, client: Client) -> bool:
    """Whether ``user`` reopens ``client`` (closed) only as a returning client: they have no
    ground of their own to reopen it (not its last worker, nor a lead of its team)."""
    visible = policy.visible_clients(user, ids=[client.pk]).first()
    return visible is None or not policy.may_reopen(visible)


def last_leads_of(client: Client) -> list[User]:
    """The leads to tell about a returning client: of the team responsible for them, else of
    the teams of their last named worker."""
    if client.team_id is not None:
        leads = list(policy.leads_of_team(client.team))  # type: ignore[arg-type]
        if leads:
            return leads
    last = Assignment.objects.filter(client=client).order_by("-started_on", "-pk").first()
    if last is None:
        return []
    teams = TeamMembership.objects.filter(
        policy.active_on(timezone.localdate()), user_id=last.coordinator_id, kind=TeamMembership.Kind.MEMBER
    ).values("team")
    lead_ids = TeamMembership.objects.filter(
        policy.active_on(timezone.localdate()), team__in=teams, kind=TeamMembership.Kind.LEAD
    ).values("user")
    return list(User.objects.filter(pk__in=lead_ids, is_active=True))


@transaction.atomic
def record_returning_client(*, client: Client, by: User, worker: User | None, reason: str) -> ReturningClient:
    """Records that ``by`` reopened a closed client they had no ground on (the caller reopens
    it in the same transaction): the ground *returning client* with the reason, and a reminder
    to each of the client's last team leads, who confirm before the earlier record
    opens in full."""
    if not reason.strip():
        raise ValidationError(
            {
                "returning_reason": _(
                    "The person is a former client. Give the reason for reopening their client relationship; "
                    "their last team lead is told."
                )
            }
        )
    returning = ReturningClient.objects.create(
        client=client, opened_by=by, worker=worker, reason=reason.strip(), opened_on=timezone.localdate()
    )
    # The new worker's access was logged as a grant when they were named (on this ground).
    Reminder.objects.bulk_create(
        [
            Reminder(
                kind=Kind.RETURNING_CLIENT,
                subject_type="access.returningclient",
                subject_id=returning.pk,
                client=client,
                recipient=lead,
                due_on=returning.opened_on,
            )
            for lead in last_leads_of(client)
            if lead.pk != by.pk
        ],
        ignore_conflicts=True,
    )
    return returning


def pending_return_of(client: Client) -> ReturningClient | None:
    """The returning-client record of ``client`` that a lead has not confirmed yet."""
    return client.returns.filter(confirmed_at__isnull=True).select_related("opened_by", "worker").first()


@transaction.atomic
def confirm_returning_client(*, returning: ReturningClient, by: User) -> ReturningClient:
    """A lead of the client's team confirms the return: the new worker then sees the earlier
    record as a designated coordinator does. Never the one who reopened it."""
    refuse_self_grant(by=by, grantee=returning.opened_by)
    if returning.worker_id is not None and returning.worker_id == by.pk:
        raise PermissionDenied(_("You cannot grant access to yourself; ask someone entitled to grant it."))
    if not any(lead.pk == by.pk for lead in last_leads_of(returning.client)):
        raise PermissionDenied(_("Only a lead of the client's team confirms a returning client."))
    locked = ReturningClient.objects.select_for_update().get(pk=returning.pk)
    if locked.confirmed_at is not None:
        raise ConflictError(_("The returning client has already been confirmed."))
    locked.confirmed_at = timezone.now()
    locked.confirmed_by = by
    locked.save(update_fields=["confirmed_at", "confirmed_by"])
    if locked.worker is not None:
        record_grant(
            by=by,
            grants=[(locked.worker, locked.client_id)],
            what="returning_client.confirmed",
            ground=policy.Ground.TEAM_LEAD,
            reason=locked.reason,
        )
    Reminder.objects.filter(
        kind=Kind.RETURNING_CLIENT, subject_type="access.returningclient", subject_id=locked.pk, done_at__isnull=True
    ).update(done_at=timezone.now())
    return locked
