from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caseflow import access
from caseflow.accounts.models import Role, User
from caseflow.api import StrictModelSerializer, StrictSerializer, client_for_request, staff_user

from . import selectors, services
from .models import CareTeamMember, Consent, Decision, NetworkMeeting, NetworkMember, Section, Team, TeamMembership


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


def _user(pk: int, *, field: str) -> User:
    """The user an input names, or a 400 on that field."""
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise serializers.ValidationError({field: ["Unknown user."]})
    return user


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
        user = _user(data.pop("user"), field="user")
        membership = services.add_team_membership(team=team, user=user, by=staff_user(request), **data)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class CareTeamSerializer(serializers.ModelSerializer[CareTeamMember]):
    name = serializers.CharField(source="professional.get_full_name", read_only=True)
    profession = serializers.CharField(source="professional.profession", read_only=True)

    class Meta:
        model = CareTeamMember
        fields = ["id", "professional", "name", "profession", "role", "responsibility", "started_on", "ended_on"]


class CareTeamInputSerializer(StrictSerializer):
    professional = serializers.IntegerField()
    role = serializers.CharField(max_length=200)
    responsibility = serializers.CharField(required=False, allow_blank=True, default="")
    started_on = serializers.DateField()


class CareTeamView(APIView):
    """The professionals working with a client, in which role, responsible for what."""

    @extend_schema(responses=CareTeamSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = client_for_request(request, pk, what="api.client.care_team", section=Section.NETWORK)
        return Response(CareTeamSerializer(selectors.care_team_of(client), many=True).data)

    @extend_schema(request=CareTeamInputSerializer, responses={201: CareTeamSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = client_for_request(request, pk, what="api.client.care_team", may=access.Ground.MAY_MANAGE)
        serializer = CareTeamInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        professional = _user(data.pop("professional"), field="professional")
        member = services.add_to_care_team(
            client=client, professional=professional, by=staff_user(request), ground=client.access_ground, **data
        )
        return Response(CareTeamSerializer(member).data, status=status.HTTP_201_CREATED)


class ConsentSerializer(serializers.ModelSerializer[Consent]):
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = ["id", "network_member", "outside_party", "sections", "purpose", "given_on", "valid_until"]
        fields += ["withdrawn_on", "in_force"]

    def get_in_force(self, consent: Consent) -> bool:
        return consent.in_force(timezone.localdate())


class NetworkMemberSerializer(StrictModelSerializer):
    consents = ConsentSerializer(many=True, read_only=True)

    class Meta:
        model = NetworkMember
        fields = ["id", *services.NETWORK_MEMBER_FIELDS, "consents"]
        read_only_fields = ["id", "consents"]


class NetworkView(APIView):
    """The client's own network: relatives, friends, neighbours, outside professionals."""

    @extend_schema(responses=NetworkMemberSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = client_for_request(request, pk, what="api.client.network", section=Section.NETWORK)
        return Response(NetworkMemberSerializer(selectors.network_of(client), many=True).data)

    @extend_schema(request=NetworkMemberSerializer, responses={201: NetworkMemberSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = client_for_request(request, pk, what="api.client.network", may=access.Ground.MAY_CHANGE)
        serializer = NetworkMemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = services.add_network_member(
            client=client, by=staff_user(request), ground=client.access_ground, fields=serializer.validated_data
        )
        return Response(NetworkMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class ConsentInputSerializer(StrictSerializer):
    network_member = serializers.IntegerField(required=False, allow_null=True)
    outside_party = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    sections = serializers.ListField(child=serializers.ChoiceField(choices=Section.choices), min_length=1)
    purpose = serializers.CharField(max_length=300)
    given_on = serializers.DateField()
    valid_until = serializers.DateField()


class ConsentsView(APIView):
    """The client's consents, in force and past: what is shared with whom, for what, until when."""

    @extend_schema(responses=ConsentSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = client_for_request(request, pk, what="api.client.consents", section=Section.NETWORK)
        return Response(ConsentSerializer(selectors.consents_of(client), many=True).data)

    @extend_schema(request=ConsentInputSerializer, responses={201: ConsentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = client_for_request(request, pk, what="api.client.consents", may=access.Ground.MAY_CHANGE)
        serializer = ConsentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member_pk = data.pop("network_member", None)
        member = None
        if member_pk is not None:
            member = NetworkMember.objects.filter(pk=member_pk, client=client).first()
            if member is None:
                raise serializers.ValidationError({"network_member": ["Not in this client's network."]})
        consent = services.give_consent(
            client=client, by=staff_user(request), ground=client.access_ground, network_member=member, **data
        )
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawView(APIView):
    """The client withdraws a consent; it stops allowing any sharing at once."""

    @extend_schema(request=None, responses={200: ConsentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        consent = get_object_or_404(Consent.objects.only("client_id"), pk=pk)
        client = client_for_request(request, consent.client_id, what="api.consent", may=access.Ground.MAY_CHANGE)
        consent = get_object_or_404(Consent, pk=pk)
        consent.client = client
        services.withdraw_consent(consent=consent, by=staff_user(request), ground=client.access_ground)
        return Response(ConsentSerializer(consent).data)


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    responsible = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "text", "responsible", "due_on", "done_on"]

    def get_responsible(self, decision: Decision) -> str:
        if decision.responsible_professional_id:
            return f"professional:{decision.responsible_professional_id}"
        if decision.responsible_member_id:
            return f"member:{decision.responsible_member_id}"
        return "client"


class MeetingSerializer(serializers.ModelSerializer[NetworkMeeting]):
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = NetworkMeeting
        fields = ["id", "client", "starts_at", "ends_at", "place", "call_link", "agenda", "notes", "client_view"]
        fields += ["status", "client_attends", "professionals", "network_members", "decisions"]


class MeetingInputSerializer(StrictSerializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    call_link = serializers.URLField(required=False, allow_blank=True, default="")
    agenda = serializers.CharField(required=False, allow_blank=True, default="")
    client_attends = serializers.BooleanField(required=False, default=True)
    professionals = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    network_members = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class MeetingsView(APIView):
    """A client's network meetings with their decisions; plan a new one."""

    @extend_schema(responses=MeetingSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = client_for_request(request, pk, what="api.client.meetings", section=Section.MEETINGS)
        return Response(MeetingSerializer(selectors.meetings_of(client), many=True).data)

    @extend_schema(request=MeetingInputSerializer, responses={201: MeetingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = client_for_request(request, pk, what="api.client.meetings", may=access.Ground.MAY_MANAGE)
        serializer = MeetingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        professionals = list(User.objects.filter(pk__in=data.pop("professionals"), is_active=True))
        members = list(NetworkMember.objects.filter(pk__in=data.pop("network_members"), client=client))
        meeting = services.plan_meeting(
            client=client,
            by=staff_user(request),
            ground=client.access_ground,
            professionals=professionals,
            network_members=members,
            **data,
        )
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class DecisionInputSerializer(StrictSerializer):
    text = serializers.CharField()
    responsible = serializers.RegexField(r"^(client|professional:\d+|member:\d+)$")
    due_on = serializers.DateField(required=False, allow_null=True)


class MeetingRecordSerializer(StrictSerializer):
    notes = serializers.CharField(allow_blank=True)
    client_view = serializers.CharField(required=False, allow_blank=True, default="")
    decisions = DecisionInputSerializer(many=True, required=False, default=list)


def _meeting(request: Request, pk: int, *, what: str, may: frozenset[str] | None = None) -> NetworkMeeting:
    client_pk = get_object_or_404(NetworkMeeting.objects.only("client_id"), pk=pk).client_id
    client = client_for_request(request, client_pk, what=what, may=may, section=Section.MEETINGS)
    meeting = get_object_or_404(selectors.meetings_of(client), pk=pk)
    meeting.client = client
    return meeting


class MeetingDetailView(APIView):
    """One meeting; recording it (notes, the client's own view, decisions) marks it held."""

    @extend_schema(responses=MeetingSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(MeetingSerializer(_meeting(request, pk, what="api.meeting")).data)

    @extend_schema(request=MeetingRecordSerializer, responses={200: MeetingSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk, what="api.meeting", may=access.Ground.MAY_MANAGE)
        serializer = MeetingRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.record_meeting(
            meeting=meeting, by=staff_user(request), ground=meeting.client.access_ground, **serializer.validated_data
        )
        return Response(MeetingSerializer(get_object_or_404(selectors.meetings_of(meeting.client), pk=pk)).data)


class MeetingInvitationView(APIView):
    """The meeting as an iCalendar (.ics) invitation."""

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        meeting = _meeting(request, pk, what="api.meeting.ics")
        response = HttpResponse(selectors.meeting_invitation(meeting), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="verkostopalaveri-{meeting.pk}.ics"'
        return response


class DecisionListSerializer(DecisionSerializer):
    client = serializers.IntegerField(source="meeting.client_id")
    meeting = serializers.IntegerField(source="meeting_id")

    class Meta(DecisionSerializer.Meta):
        fields = [*DecisionSerializer.Meta.fields, "client", "meeting"]


class MyDecisionsView(generics.ListAPIView[Decision]):
    """Open meeting decisions you are responsible for."""

    serializer_class = DecisionListSerializer

    def get_queryset(self) -> QuerySet[Decision]:
        return selectors.decisions_for(staff_user(self.request))


class ClientDecisionsView(APIView):
    """Every decision of a client's meetings: who does what by when."""

    @extend_schema(responses=DecisionListSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = client_for_request(request, pk, what="api.client.decisions", section=Section.MEETINGS)
        return Response(DecisionListSerializer(selectors.decisions_of_client(client), many=True).data)


class ConsultationInputSerializer(StrictSerializer):
    professional = serializers.IntegerField()


class ConsultationView(APIView):
    """A one-off grant of one client's basic details and assessment to a professional."""

    @extend_schema(request=ConsultationInputSerializer, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        client = client_for_request(request, pk, what="api.client.consultation", may=access.Ground.MAY_MANAGE)
        serializer = ConsultationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        professional = _user(serializer.validated_data["professional"], field="professional")
        services.grant_consultation(
            client=client, professional=professional, by=staff_user(request), ground=client.access_ground
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
