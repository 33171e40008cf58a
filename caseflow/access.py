"""Who may see which client: the one place that decides access.

Access follows the care relationship (asiakastietolaki 703/2023): it is derived from
relations in queries, never stored as a row per user and client.
- A coordinator sees the clients currently assigned to them (an open ``Assignment``).
- A team lead sees the clients currently assigned to the coordinators of the teams they
  lead (open memberships on the day).
Everything else is "not found", so that a user cannot tell others' clients exist.
"""

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from caseflow.accounts.models import Role, User
from clients.models import Assignment, Client
from networks.models import TeamMembership

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.request import Request
    from rest_framework.views import APIView


class Ground:
    """The relationship that allowed an access; written into every access event."""

    DESIGNATED_COORDINATOR = "designated_coordinator"
    TEAM_LEAD = "team_lead"

    LABELS = {
        DESIGNATED_COORDINATOR: _("designated coordinator"),
        TEAM_LEAD: _("team lead of the coordinator"),
    }


def is_staff(user: "User | AnonymousUser") -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", Role.CLIENT) != Role.CLIENT)


def active_on(day: date) -> Q:
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def coordinators_led_by(user: User, *, on: date | None = None) -> QuerySet[User]:
    """The users who are members of a team that ``user`` leads, on the given day."""
    day = on or timezone.localdate()
    led_teams = TeamMembership.objects.filter(active_on(day), user=user, kind=TeamMembership.Kind.LEAD).values("team")
    member_ids = TeamMembership.objects.filter(
        active_on(day), team__in=led_teams, kind=TeamMembership.Kind.MEMBER
    ).values("user")
    return User.objects.filter(pk__in=member_ids, is_active=True)


def visible_clients(user: User) -> QuerySet[Client]:
    """Every client ``user`` may see, each annotated with ``access_ground``."""
    if not is_staff(user):
        return Client.objects.none()
    open_assignments = Assignment.objects.filter(client=OuterRef("pk"), ended_on__isnull=True)
    own = Exists(open_assignments.filter(coordinator=user))
    led = Exists(open_assignments.filter(coordinator__in=coordinators_led_by(user)))
    return (
        Client.objects.annotate(own=own, led=led)
        .filter(Q(own=True) | Q(led=True))
        .annotate(  # type: ignore[no-redef]  # declared on Client for the callers' sake
            access_ground=Case(
                When(own=True, then=Value(Ground.DESIGNATED_COORDINATOR)), default=Value(Ground.TEAM_LEAD)
            )
        )
    )


def client_for(user: User, pk: int) -> Client:
    """Fetches a client and authorises ``user`` for it in one call; 404 if not allowed."""
    client = visible_clients(user).filter(pk=pk).first()
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
    if coordinator is None:
        raise Http404
    return coordinator, Ground.TEAM_LEAD


class IsStaffUser(BasePermission):
    """Signed-in, active staff. Object access is then decided by the functions above."""

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return is_staff(request.user)
