from datetime import timedelta

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from caseflow.access import active_on, teams_led_by
from caseflow.accounts.models import Role, User
from clients.models import Assignment, AssignmentEnd

from .models import TeamMembership


def led_team_members(lead: User) -> QuerySet[TeamMembership]:
    """The coordinators in the teams ``lead`` leads today, each with ``caseload_size`` and
    ``handed_over_12m`` (clients they handed over in the last 12 months): the team lead's
    review list, in one query whatever the number of teams and coordinators."""
    today = timezone.localdate()
    led_teams = teams_led_by(lead, on=today)
    open_count = (
        Assignment.objects.filter(coordinator=OuterRef("user"), ended_on__isnull=True)
        .order_by()
        .values("coordinator")
        .annotate(n=Count("*"))
        .values("n")
    )
    handed_over = (
        Assignment.objects.filter(
            coordinator=OuterRef("user"), end_reason=AssignmentEnd.HANDOVER, ended_on__gte=today - timedelta(days=365)
        )
        .order_by()
        .values("coordinator")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        TeamMembership.objects.filter(
            active_on(today), team__in=led_teams, kind=TeamMembership.Kind.MEMBER, user__role=Role.COORDINATOR
        )
        .select_related("team", "user")
        .annotate(
            caseload_size=Coalesce(Subquery(open_count, output_field=IntegerField()), 0),
            handed_over_12m=Coalesce(Subquery(handed_over, output_field=IntegerField()), 0),
        )
        .order_by("team__name", "user__last_name", "user__first_name")
    )
