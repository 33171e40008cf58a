from typing import Any

from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied

from caseflow.accounts.models import Role

from . import selectors
from .models import TeamMembership


class TeamCoordinatorSerializer(serializers.ModelSerializer[TeamMembership]):
    team = serializers.CharField(source="team.name")
    coordinator_id = serializers.IntegerField(source="user.id")
    coordinator_name = serializers.CharField(source="user.get_full_name")
    caseload_size = serializers.IntegerField()
    handed_over_12m = serializers.IntegerField(help_text="Clients handed over in the last 12 months.")

    class Meta:
        model = TeamMembership
        fields = ["team", "coordinator_id", "coordinator_name", "caseload_size", "handed_over_12m"]


class TeamReviewView(generics.ListAPIView[TeamMembership]):
    """The team lead's review: their teams' coordinators with caseload sizes."""

    serializer_class = TeamCoordinatorSerializer

    def get_queryset(self) -> Any:
        if self.request.user.role != Role.TEAM_LEAD:  # type: ignore[union-attr]
            raise PermissionDenied
        return selectors.led_team_members(self.request.user)  # type: ignore[arg-type]
