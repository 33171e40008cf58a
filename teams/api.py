from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access import policy
from access.decorators import staff_user
from accounts import selectors as account_selectors
from accounts.models import Role, User
from core.api import StrictSerializer
from teams.models import Substitution, Team, TeamMembership

from . import selectors, services


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
        user = staff_user(self.request)
        if not policy.may_review_teams(user):
            raise PermissionDenied
        return selectors.led_team_members(user)


class TeamSerializer(serializers.ModelSerializer[Team]):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "municipality", "member_count"]


class MembershipSerializer(serializers.ModelSerializer[TeamMembership]):
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    profession = serializers.CharField(source="user.profession", read_only=True)

    class Meta:
        model = TeamMembership
        fields = ["id", "user", "name", "profession", "kind", "role", "started_on", "ended_on"]


class MembershipInputSerializer(StrictSerializer):
    user = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=TeamMembership.Kind.choices, default=TeamMembership.Kind.MEMBER)
    role = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    started_on = serializers.DateField()


class TeamListView(generics.ListAPIView[Team]):
    """Your teams (a lead's led teams; all for an administrator) with their sizes."""

    serializer_class = TeamSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Team]:
        return selectors.teams_for(staff_user(self.request))


class TeamMembersView(APIView):
    """A team's members over time; its lead or an administrator adds members."""

    def _team(self, request: Request, pk: int) -> Team:
        return get_object_or_404(selectors.teams_for(staff_user(request)), pk=pk)

    @extend_schema(responses=MembershipSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        return Response(MembershipSerializer(selectors.team_members(self._team(request, pk)), many=True).data)

    @extend_schema(request=MembershipInputSerializer, responses={201: MembershipSerializer})
    def post(self, request: Request, pk: int) -> Response:
        team = self._team(request, pk)
        serializer = MembershipInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = account_selectors.user_named(data.pop("user"), field="user")
        membership = services.add_team_membership(team=team, user=user, by=staff_user(request), **data)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class SubstitutionSerializer(serializers.ModelSerializer[Substitution]):
    class Meta:
        model = Substitution
        fields = ["id", "absent", "substitute", "starts_on", "ends_on", "reason", "created_at"]


class SubstitutionInputSerializer(StrictSerializer):
    absent = serializers.IntegerField()
    substitute = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class SubstitutionsView(APIView):
    """Substitutions you take part in or arranged; arrange one for yourself or your team."""

    @extend_schema(responses=SubstitutionSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(SubstitutionSerializer(selectors.substitutions_for(staff_user(request)), many=True).data)

    @extend_schema(request=SubstitutionInputSerializer, responses={201: SubstitutionSerializer})
    def post(self, request: Request) -> Response:
        serializer = SubstitutionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        people = User.objects.in_bulk([data["absent"], data["substitute"]])
        missing = {name: ["Unknown user."] for name in ("absent", "substitute") if data[name] not in people}
        if missing:
            raise serializers.ValidationError(missing)
        substitution = services.create_substitution(
            absent=people[data["absent"]],
            substitute=people[data["substitute"]],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
            by=staff_user(request),
        )
        return Response(SubstitutionSerializer(substitution).data, status=status.HTTP_201_CREATED)


class WorkLeftSerializer(serializers.Serializer[Any]):
    open_clients = serializers.IntegerField()
    open_reminders = serializers.IntegerField()
    undone_decisions = serializers.IntegerField()


def _refusal(error: services.WorkLeftError) -> Response:
    """The no-orphans refusal: what is left, and where to hand it over."""
    body = {
        "user": error.messages,
        "left": WorkLeftSerializer(error.left).data,
        "handover": reverse("caseload-of", kwargs={"coordinator_id": error.coordinator.pk}),
    }
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class MembershipActionView(APIView):
    def _membership(self, request: Request, pk: int, membership_pk: int) -> TeamMembership:
        team = get_object_or_404(selectors.teams_for(staff_user(request)), pk=pk)
        return get_object_or_404(selectors.team_members(team), pk=membership_pk)


class MembershipEndView(MembershipActionView):
    """End a membership today (the team's lead or an administrator). A coordinator's is refused
    while open clients, reminders or meeting decisions are left: the answer lists them."""

    @extend_schema(request=None, responses={200: MembershipSerializer})
    def post(self, request: Request, pk: int, membership_pk: int) -> Response:
        user = staff_user(request)
        membership = self._membership(request, pk, membership_pk)
        if not services.may_manage_team(user, membership.team):
            raise PermissionDenied
        try:
            services.end_team_membership(membership=membership, ended_on=timezone.localdate(), by=user)
        except services.WorkLeftError as error:
            return _refusal(error)
        return Response(MembershipSerializer(membership).data)


class MemberDeactivateView(MembershipActionView):
    """An administrator deactivates a member, refused while work is left with them."""

    @extend_schema(request=None, responses={200: MembershipSerializer})
    def post(self, request: Request, pk: int, membership_pk: int) -> Response:
        user = staff_user(request)
        membership = self._membership(request, pk, membership_pk)
        if user.role != Role.ADMINISTRATOR:
            raise PermissionDenied
        try:
            services.deactivate_staff(person=membership.user, by=user)
        except services.WorkLeftError as error:
            return _refusal(error)
        return Response(MembershipSerializer(membership).data)
