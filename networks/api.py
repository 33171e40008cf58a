from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access import grants, policy
from access import selectors as access_selectors
from access.decorators import staff_user
from access.models import Consultation, Section
from accounts import selectors as account_selectors
from accounts.models import User
from core.api import StrictModelSerializer, StrictSerializer
from core.fields import max_length_of

from . import selectors, services
from .models import CareTeamMember, Consent, Decision, NetworkMeeting, NetworkMember
from .selectors import DecisionRow


class CareTeamSerializer(serializers.ModelSerializer[CareTeamMember]):
    name = serializers.CharField(source="professional.get_full_name", read_only=True)
    profession = serializers.CharField(source="professional.profession", read_only=True)

    class Meta:
        model = CareTeamMember
        fields = ["id", "professional", "name", "profession", "role", "responsibility", "started_on", "ended_on"]


class CareTeamInputSerializer(StrictSerializer):
    professional = serializers.IntegerField()
    role = serializers.CharField(max_length=max_length_of(CareTeamMember, "role"))
    responsibility = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(CareTeamMember, "responsibility")
    )
    started_on = serializers.DateField()


class CareTeamView(APIView):
    """The professionals working with a client, in which role, responsible for what."""

    @extend_schema(responses=CareTeamSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.care_team", section=Section.NETWORK
        )
        return Response(CareTeamSerializer(selectors.care_team_of(client), many=True).data)

    @extend_schema(request=CareTeamInputSerializer, responses={201: CareTeamSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.care_team", may=policy.Ground.MAY_MANAGE
        )
        serializer = CareTeamInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        professional = account_selectors.user_named(data.pop("professional"), field="professional")
        member = services.add_to_care_team(
            client=client,
            professional=professional,
            by=staff_user(request),
            ground=client.access_ground,
            **data,
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
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.network", section=Section.NETWORK
        )
        return Response(NetworkMemberSerializer(selectors.network_of(client), many=True).data)

    @extend_schema(request=NetworkMemberSerializer, responses={201: NetworkMemberSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.network", may=policy.Ground.MAY_CHANGE
        )
        serializer = NetworkMemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = services.add_network_member(
            client=client,
            by=staff_user(request),
            ground=client.access_ground,
            fields=serializer.validated_data,
        )
        return Response(NetworkMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class ConsentInputSerializer(StrictSerializer):
    network_member = serializers.IntegerField(required=False, allow_null=True)
    outside_party = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(Consent, "outside_party")
    )
    sections = serializers.ListField(child=serializers.ChoiceField(choices=Section.choices), min_length=1)
    purpose = serializers.CharField(max_length=max_length_of(Consent, "purpose"))
    given_on = serializers.DateField()
    valid_until = serializers.DateField()


class ConsentsView(APIView):
    """The client's consents, in force and past: what is shared with whom, for what, until when."""

    @extend_schema(responses=ConsentSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.consents", section=Section.NETWORK
        )
        return Response(ConsentSerializer(selectors.consents_of(client), many=True).data)

    @extend_schema(request=ConsentInputSerializer, responses={201: ConsentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.consents", may=policy.Ground.MAY_CHANGE
        )
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
            client=client,
            by=staff_user(request),
            ground=client.access_ground,
            network_member=member,
            **data,
        )
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawView(APIView):
    """The client withdraws a consent; it stops allowing any sharing at once."""

    @extend_schema(request=None, responses={200: ConsentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        consent = selectors.consent_for(
            user=staff_user(request), pk=pk, what="api.consent", may=policy.Ground.MAY_CHANGE
        )
        services.withdraw_consent(consent=consent, by=staff_user(request), ground=consent.client.access_ground)
        return Response(ConsentSerializer(consent).data)


def _responsible(decision: Decision) -> str:
    if decision.responsible_professional_id:
        return f"professional:{decision.responsible_professional_id}"
    if decision.responsible_member_id:
        return f"member:{decision.responsible_member_id}"
    return "client"


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    responsible = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "text", "responsible", "due_on", "done_on"]

    def get_responsible(self, decision: Decision) -> str:
        return _responsible(decision)


class MeetingSerializer(serializers.ModelSerializer[NetworkMeeting]):
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = NetworkMeeting
        fields = ["id", "client", "starts_at", "ends_at", "place", "call_link", "agenda", "notes", "client_view"]
        fields += ["status", "client_attends", "professionals", "network_members", "decisions"]


class MeetingInputSerializer(StrictSerializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(NetworkMeeting, "place")
    )
    call_link = serializers.URLField(
        required=False, allow_blank=True, default="", max_length=max_length_of(NetworkMeeting, "call_link")
    )
    agenda = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(NetworkMeeting, "agenda")
    )
    client_attends = serializers.BooleanField(required=False, default=True)
    professionals = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    network_members = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class MeetingsView(APIView):
    """A client's network meetings with their decisions; plan a new one."""

    @extend_schema(responses=MeetingSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.meetings", section=Section.MEETINGS
        )
        return Response(MeetingSerializer(selectors.meetings_of(client), many=True).data)

    @extend_schema(request=MeetingInputSerializer, responses={201: MeetingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.meetings", may=policy.Ground.MAY_MANAGE
        )
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
    text = serializers.CharField(max_length=max_length_of(Decision, "text"))
    # "professional:" or "member:" and an id of at most 18 digits (core.params.MAX_PK_DIGITS).
    responsible = serializers.RegexField(r"^(client|professional:\d{1,18}|member:\d{1,18})$", max_length=40)
    due_on = serializers.DateField(required=False, allow_null=True)


class MeetingRecordSerializer(StrictSerializer):
    notes = serializers.CharField(allow_blank=True, max_length=max_length_of(NetworkMeeting, "notes"))
    client_view = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(NetworkMeeting, "client_view")
    )
    decisions = DecisionInputSerializer(many=True, required=False, default=list)


class MeetingDetailView(APIView):
    """One meeting; recording it (notes, the client's own view, decisions) marks it held."""

    @extend_schema(responses=MeetingSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            MeetingSerializer(selectors.meeting_for(user=staff_user(request), pk=pk, what="api.meeting")).data
        )

    @extend_schema(request=MeetingRecordSerializer, responses={200: MeetingSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        meeting = selectors.meeting_for(
            user=staff_user(request), pk=pk, what="api.meeting", may=policy.Ground.MAY_MANAGE
        )
        serializer = MeetingRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.record_meeting(
            meeting=meeting,
            by=staff_user(request),
            ground=meeting.client.access_ground,
            **serializer.validated_data,
        )
        return Response(MeetingSerializer(get_object_or_404(selectors.meetings_of(meeting.client), pk=pk)).data)


class MeetingInvitationView(APIView):
    """The meeting as an iCalendar (.ics) invitation."""

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        meeting = selectors.meeting_for(user=staff_user(request), pk=pk, what="api.meeting.ics")
        response = HttpResponse(selectors.meeting_invitation(meeting), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="verkostopalaveri-{meeting.pk}.ics"'
        return response


class DecisionListSerializer(DecisionSerializer):
    client = serializers.IntegerField(source="meeting.client_id")
    meeting = serializers.IntegerField(source="meeting_id")

    class Meta(DecisionSerializer.Meta):
        fields = [*DecisionSerializer.Meta.fields, "client", "meeting"]


class MyDecisionSerializer(serializers.Serializer[DecisionRow]):
    """A decision of mine; the client and the meeting only while I may still see them."""

    id = serializers.IntegerField(source="decision.pk")
    text = serializers.CharField(source="decision.text")
    responsible = serializers.SerializerMethodField()
    due_on = serializers.DateField(source="decision.due_on", allow_null=True)
    client = serializers.IntegerField(source="client.pk", allow_null=True, default=None)
    meeting = serializers.SerializerMethodField()

    def get_responsible(self, row: DecisionRow) -> str:
        return _responsible(row.decision)

    def get_meeting(self, row: DecisionRow) -> int | None:
        return row.decision.meeting_id if row.shows_meeting else None


class MyDecisionsView(generics.ListAPIView):  # type: ignore[type-arg]  # rows, not a model
    """Open meeting decisions you are responsible for; a client you no longer see is not named."""

    serializer_class = MyDecisionSerializer

    def get_queryset(self) -> list[DecisionRow]:  # type: ignore[override]
        return selectors.open_decisions_for(staff_user(self.request))


class ClientDecisionsView(APIView):
    """Every decision of a client's meetings: who does what by when."""

    @extend_schema(responses=DecisionListSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.decisions", section=Section.MEETINGS
        )
        return Response(DecisionListSerializer(selectors.decisions_of_client(client), many=True).data)


class ConsultationInputSerializer(StrictSerializer):
    professional = serializers.IntegerField()
    reason = serializers.CharField(max_length=max_length_of(Consultation, "reason"))
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)


class ConsultationSerializer(serializers.ModelSerializer[Consultation]):
    professional_name = serializers.CharField(source="professional.get_full_name", read_only=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "professional",
            "professional_name",
            "granted_by",
            "reason",
            "starts_on",
            "ends_on",
            "revoked_at",
            "revoked_by",
        ]


class ConsultationView(APIView):
    """One-off consultations of a client's basic details and assessment: listed to, and granted
    by, those who manage the client; each lasts at most the configured number of days."""

    @extend_schema(responses=ConsultationSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.consultations", may=policy.Ground.MAY_MANAGE
        )
        return Response(ConsultationSerializer(access_selectors.consultations_of(client), many=True).data)

    @extend_schema(request=ConsultationInputSerializer, responses={201: ConsultationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.consultation", may=policy.Ground.MAY_MANAGE
        )
        serializer = ConsultationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        professional = account_selectors.user_named(data.pop("professional"), field="professional")
        consultation = grants.grant_consultation(
            client=client, professional=professional, by=staff_user(request), ground=client.access_ground, **data
        )
        return Response(ConsultationSerializer(consultation).data, status=status.HTTP_201_CREATED)


class ConsultationRevokeView(APIView):
    """Ends a consultation now (those who manage the client)."""

    @extend_schema(request=None, responses={200: ConsultationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = staff_user(request)
        consultation = access_selectors.consultation_for(user=user, pk=pk, what="api.consultation.revoke")
        revoked = grants.revoke_consultation(
            consultation=consultation, by=user, ground=consultation.client.access_ground
        )
        return Response(ConsultationSerializer(revoked).data)
