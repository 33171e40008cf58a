from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import grants
from access.policy import Ground, colleagues_of, coordinators_led_by, leads_of_team
from access.policy import may_manage_team as policy_may_manage_team
from access.services import record_grant
from accounts.models import User
from clients.models import Assignment
from teams.models import Substitution, Team, TeamMembership


def may_manage_team(user: User, team: Team) -> bool:
    return policy_may_manage_team(user, team)


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
