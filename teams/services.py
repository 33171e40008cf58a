from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import colleagues_of, coordinators_led_by, is_staff, may_review_teams, teams_led_by
from accounts.models import Role, User
from clients import selectors as client_selectors
from clients import services as client_services
from teams.models import DigestSubscription, ReviewSettings, Substitution, Team, TeamMembership


def may_manage_team(user: User, team: Team) -> bool:
    return user.role == Role.ADMINISTRATOR or teams_led_by(user).filter(team=team).exists()


@transaction.atomic
def add_team_membership(
    *, team: Team, user: User, kind: str, started_on: date, by: User, role: str = ""
) -> TeamMembership:
    """A professional joins a team (a person may be in several), as a member or a lead."""
    if not may_manage_team(by, team):
        raise ValidationError({"team": _("Only the team's lead or an administrator manages its members.")})
    if not is_staff(user):
        raise ValidationError({"user": _("Only staff can be team members.")})
    membership = TeamMembership(team=team, user=user, kind=kind, role=role, started_on=started_on)
    membership.full_clean(validate_constraints=False)
    if TeamMembership.objects.filter(team=team, user=user, kind=kind, ended_on__isnull=True).exists():
        raise ValidationError({"user": _("Already a current member of this team.")})
    membership.save()
    return membership


@transaction.atomic
def end_team_membership(*, membership: TeamMembership, ended_on: date, by: User) -> TeamMembership:
    if not may_manage_team(by, membership.team):
        raise ValidationError({"team": _("Only the team's lead or an administrator manages its members.")})
    if ended_on < membership.started_on:
        raise ValidationError({"ended_on": _("A membership cannot end before it started.")})
    membership.ended_on = ended_on
    membership.save(update_fields=["ended_on"])
    return membership


@transaction.atomic
def create_substitution(
    *, absent: User, substitute: User, starts_on: date, ends_on: date, by: User, reason: str = ""
) -> Substitution:
    """A substitute reads the absent coordinator's clients between the dates. Arranged by the
    absent coordinator or their team lead, with a coordinator of the same team."""
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
