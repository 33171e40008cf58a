from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from access import grants
from access.policy import (
    Ground,
    active_on,
    colleagues_of,
    coordinators_led_by,
    leads_of_team,
    may_manage_team,
    may_review_teams,
    teams_led_by,
)
from access.services import record_grant
from accounts.models import Role, User
from clients import selectors as client_selectors
from clients import services as client_services
from clients.models import Assignment
from teams import review
from teams.models import (
    DigestDelivery,
    DigestSubscription,
    MonthlySnapshot,
    ReviewSettings,
    Substitution,
    Team,
    TeamMembership,
)


@transaction.atomic
def add_team_membership(
    *, team: Team, user: User, kind: str, started_on: date, by: User, role: str = ""
) -> TeamMembership:
    """A professional joins a team (a person may be in several), as a member or a lead. Who
    may add whom is ``access.grants.check_team_membership``'s to decide; what the membership
    opens (to the person, and to the team's leads) is logged as grants."""
    if not may_manage_team(by, team):
        raise PermissionDenied(_("Only the team's lead or an administrator manages its members."))
    if TeamMembership.objects.filter(team=team, user=user, kind=kind, ended_on__isnull=True).exists():
        raise ValidationError({"user": _("Already a current member of this team.")})
    grants.check_team_membership(team=team, user=user, kind=kind, by=by)
    membership = TeamMembership(team=team, user=user, kind=kind, role=role, started_on=started_on)
    membership.full_clean(validate_constraints=False)
    grantees = [user, *leads_of_team(team).exclude(pk=user.pk)] if kind == TeamMembership.Kind.MEMBER else [user]
    with grants.recording_grants(
        by=by,
        grantees=grantees,
        what=f"team_membership.{kind}",
        ground=grants.actor_ground(by),
        reason=_("Joined the team %(team)s") % {"team": team.name},
    ):
        membership.save()
    return membership


@transaction.atomic
def end_team_membership(*, membership: TeamMembership, ended_on: date, by: User) -> TeamMembership:
    if not may_manage_team(by, membership.team):
        raise ValidationError({"team": _("Only the team's lead or an administrator manages its members.")})
    if ended_on < membership.started_on:
        raise ValidationError({"ended_on": _("A membership cannot end before it started.")})
    if membership.kind == TeamMembership.Kind.MEMBER:
        refuse_orphans(membership.user)
    membership.ended_on = ended_on
    membership.save(update_fields=["ended_on"])
    return membership


@transaction.atomic
def create_substitution(
    *, absent: User, substitute: User, starts_on: date, ends_on: date, by: User, reason: str = ""
) -> Substitution:
    """A substitute reads the absent coordinator's clients between the dates. Arranged by the
    absent coordinator or their team lead, with a coordinator of the same team."""
    grants.refuse_self_grant(by=by, grantee=substitute)
    may_arrange = by.pk == absent.pk or coordinators_led_by(by).filter(pk=absent.pk).exists()
    if not may_arrange:
        raise ValidationError({"absent": _("You can arrange a substitute only for yourself or your team.")})
    if not colleagues_of(absent).filter(pk=substitute.pk).exclude(pk=absent.pk).exists():
        raise ValidationError({"substitute": _("The substitute must be a coordinator in the same team.")})
    substitution = Substitution(
        absent=absent, substitute=substitute, starts_on=starts_on, ends_on=ends_on, reason=reason, created_by=by
    )
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The substitution cannot end before it starts.")})
    if ends_on < timezone.localdate():
        raise ValidationError({"ends_on": _("A substitution that has already ended grants nothing.")})
    substitution.full_clean()
    substitution.save()
    clients = Assignment.objects.filter(coordinator=absent, ended_on__isnull=True).values_list("client", flat=True)
    record_grant(
        by=by,
        grants=[(substitute, pk) for pk in clients],
        what="substitution",
        ground=Ground.DESIGNATED_COORDINATOR if by.pk == absent.pk else Ground.TEAM_LEAD,
        reason=reason or _("Substitution"),
        until=ends_on,
    )
    return substitution


# The team lead's review: settings and actions.


def _require_lead_of(by: User, team: Team) -> None:
    if not teams_led_by(by).filter(team=team).exists():
        raise ValidationError({"team": _("Only the team's lead sets its review.")})


@transaction.atomic
def set_load_threshold(*, team: Team, by: User, load_threshold: Decimal) -> ReviewSettings:
    """The lead sets the weighted load above which a coordinator's caseload is flagged."""
    _require_lead_of(by, team)
    settings_row, _created = ReviewSettings.objects.select_for_update().get_or_create(team=team)
    settings_row.load_threshold = load_threshold
    settings_row.updated_by = by
    settings_row.full_clean()
    settings_row.save()
    return settings_row


@transaction.atomic
def set_digest(*, lead: User, enabled: bool) -> DigestSubscription:
    """A lead turns the weekly review digest on or off for themselves."""
    if not may_review_teams(lead):
        raise ValidationError({"enabled": _("Only team leads get the weekly digest.")})
    subscription, _created = DigestSubscription.objects.update_or_create(lead=lead, defaults={"enabled": enabled})
    return subscription


def reassign_clients(*, by: User, client_ids: list[int], to: list[User], note: str) -> list[Any]:
    """The lead reassigns clients from the review through the one handover service (clients
    the lead may not manage are refused as not found, and nothing moves)."""
    clients, ground = client_selectors.clients_for_handover(user=by, client_ids=client_ids)
    return client_services.hand_over(clients=clients, to=to, by=by, ground=ground, note=note)


@transaction.atomic
def rebalance(*, by: User, moves: list[tuple[int, User]], note: str) -> list[Any]:
    """Carries out the confirmed moves of the balance view, all or none: each target's clients
    in one call of the handover service."""
    if not moves:
        raise ValidationError({"moves": _("Choose at least one move.")})
    by_target: dict[int, tuple[User, list[int]]] = {}
    for client_id, target in moves:
        by_target.setdefault(target.pk, (target, []))[1].append(client_id)
    done: list[Any] = []
    for target, client_ids in by_target.values():
        done += reassign_clients(by=by, client_ids=client_ids, to=[target], note=note)
    return done


def last_month(today: date) -> date:
    """The first day of the month before ``today``'s."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def write_monthly_snapshots(*, today: date | None = None) -> int:
    """Writes last month's snapshot of every team and of each of its coordinators, as the
    figures stand now (the first days of the month). A rerun, or a second scheduler, for the
    same month writes only what is missing and replaces nothing already kept: history is
    never rewritten. Returns the number of rows written."""
    today = today or timezone.localdate()
    month = last_month(today)
    written = 0
    for team in Team.objects.order_by("pk"):
        result = review.build_review(Team.objects.filter(pk=team.pk), today=today)
        figures, per_coordinator = review.snapshot_figures(result)
        rows = [MonthlySnapshot(team=team, coordinator=None, month=month, figures=figures)]
        rows += [
            MonthlySnapshot(team=team, coordinator_id=pk, month=month, figures=values)
            for pk, values in per_coordinator.items()
        ]
        with transaction.atomic():
            existing = set(
                MonthlySnapshot.objects.filter(team=team, month=month).values_list("coordinator_id", flat=True)
            )
            new = [row for row in rows if row.coordinator_id not in existing]
            MonthlySnapshot.objects.bulk_create(new, ignore_conflicts=True)
        written += len(new)
    return written


def week_of(today: date) -> tuple[int, int]:
    iso = today.isocalendar()
    return iso.year, iso.week


def digest_leads() -> QuerySet[User]:
    """The leads who get the weekly digest: active, with an e-mail address, leading a team
    today, and not having turned it off."""
    return (
        User.objects.filter(
            pk__in=TeamMembership.objects.filter(active_on(timezone.localdate()), kind=TeamMembership.Kind.LEAD).values(
                "user"
            ),
            role=Role.TEAM_LEAD,
            is_active=True,
        )
        .exclude(email="")
        .exclude(review_digest__enabled=False)
        .order_by("pk")
    )


def claim_digest(*, lead: User, today: date) -> DigestDelivery | None:
    """Claims this ISO week's digest for ``lead`` in a transaction of its own, before anything
    is sent: the unique constraint lets exactly one scheduler have it; ``None`` for the other."""
    year, week = week_of(today)
    try:
        with transaction.atomic():
            return DigestDelivery.objects.create(lead=lead, iso_year=year, iso_week=week)
    except IntegrityError:
        return None


def digest_email(*, lead: User, today: date) -> EmailMessage:
    """The weekly digest in the lead's language: overdue work per coordinator and the clients
    without a named worker, as numbers only (e-mail is not the place for client data), with a
    link to the review."""
    result = review.build_review(review.reviewed_teams(lead), today=today)
    with override(lead.language or settings.LANGUAGE_CODE):
        context = {
            "review": result,
            "review_url": settings.SITE_URL.rstrip("/") + reverse("team-review-figures"),
            "week": week_of(today)[1],
        }
        subject = _("Caseflow: your team's week %(week)s") % {"week": context["week"]}
        body = render_to_string("teams/digest_email.txt", context)
    return EmailMessage(subject=str(subject), body=body, to=[lead.email])


def send_weekly_digests(*, today: date | None = None) -> int:
    """Sends each lead this week's digest once, however many schedulers run this: each is
    claimed before it is sent. Returns the number sent by this run."""
    today = today or timezone.localdate()
    sent = 0
    for lead in digest_leads():
        claim = claim_digest(lead=lead, today=today)
        if claim is None:
            continue
        digest_email(lead=lead, today=today).send(fail_silently=False)
        DigestDelivery.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


# No orphaned clients: a coordinator leaves only once their work is handed over.


class WorkLeftError(ValidationError):
    """A coordinator still has work; ``left`` says what (the refusal lists it and links to the
    handover of their caseload)."""

    def __init__(self, coordinator: User, left: review.WorkLeft) -> None:
        self.coordinator = coordinator
        self.left = left
        super().__init__({"user": [_("Hand over their work first: %(left)s.") % {"left": left.describe()}]})


def refuse_orphans(person: User) -> None:
    """Refuses, listing what is left, while ``person`` has open clients, open reminders or
    undone meeting decisions: none of them may be left without someone to carry them."""
    left = review.work_left(person)
    if left.any:
        raise WorkLeftError(person, left)


@transaction.atomic
def deactivate_staff(*, person: User, by: User) -> User:
    """An administrator deactivates a staff user (who can then no longer sign in), once no
    client, reminder or meeting decision is left with them."""
    if by.role != Role.ADMINISTRATOR:
        raise ValidationError({"user": _("Only an administrator deactivates people.")})
    if person.pk == by.pk:
        raise ValidationError({"user": _("You cannot deactivate yourself.")})
    refuse_orphans(person)
    person.is_active = False
    person.save(update_fields=["is_active"])
    return person
