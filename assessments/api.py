"""The needs-assessment API: thin views over the selectors and services."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access import policy
from access import selectors as access_selectors
from access.decorators import staff_user
from access.models import Section
from accounts.models import Role, User
from core.api import StrictSerializer
from core.fields import max_length_of
from core.params import query_pk
from networks.models import NetworkMember

from . import selectors, services
from .models import (
    Assessment,
    Coverage,
    DomainNeed,
    LifeDomain,
    NeedSlot,
    NetworkView,
    ProfessionalConclusion,
    RaiInstrument,
    ScaleLevel,
    TimeOfDay,
)


class SlotSerializer(serializers.ModelSerializer[NeedSlot]):
    class Meta:
        model = NeedSlot
        fields = ["weekday", "time_of_day", "coverage", "service", "network_member"]


class NeedSerializer(serializers.ModelSerializer[DomainNeed]):
    domain: serializers.SlugRelatedField[LifeDomain] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    slots = SlotSerializer(many=True, read_only=True)

    class Meta:
        model = DomainNeed
        fields = ["domain", "level", "professional_text", "client_text", "icf_qualifier", "own_level", "slots"]


class ConclusionSerializer(serializers.ModelSerializer[ProfessionalConclusion]):
    """A professional's own conclusion, beside the coordinator's and the client's view."""

    author_name = serializers.SerializerMethodField()

    class Meta:
        model = ProfessionalConclusion
        fields = ["author", "author_name", "profession", "text", "updated_at"]

    def get_author_name(self, conclusion: ProfessionalConclusion) -> str:
        return conclusion.author.get_full_name() or conclusion.author.username


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    class Meta:
        model = Assessment
        fields = ["id", "client", "contact", "previous", "status", "started_on", "completed_on", "complete_by"]
        fields += ["reassess_on", *services.ASSESSMENT_FIELDS]


class AssessmentDetailSerializer(AssessmentSerializer):
    needs = NeedSerializer(many=True, read_only=True)
    conclusions = ConclusionSerializer(many=True, read_only=True)
    uncovered_slots = serializers.SerializerMethodField()
    needed_slots = serializers.SerializerMethodField()

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "relatives", "professionals", "needs", "conclusions"]
        fields += ["needed_slots", "uncovered_slots"]

    def get_uncovered_slots(self, assessment: Assessment) -> int:
        return selectors.week_grid(assessment).uncovered

    def get_needed_slots(self, assessment: Assessment) -> int:
        return selectors.week_grid(assessment).needed


class AssessmentUpdateSerializer(StrictSerializer):
    client_took_part = serializers.BooleanField(required=False)
    situation_summary = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(Assessment, "situation_summary")
    )
    professional_conclusion = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(Assessment, "professional_conclusion")
    )
    client_view = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(Assessment, "client_view")
    )
    named_worker_needed_professional = serializers.BooleanField(required=False, allow_null=True)
    named_worker_needed_client = serializers.BooleanField(required=False, allow_null=True)
    rai_instrument = serializers.ChoiceField(choices=RaiInstrument.choices, required=False, allow_blank=True)
    rai_scores = serializers.DictField(child=serializers.IntegerField(), required=False)
    relatives = serializers.PrimaryKeyRelatedField(queryset=NetworkMember.objects.all(), many=True, required=False)
    professionals = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.exclude(role=Role.CLIENT), many=True, required=False
    )


class StartSerializer(StrictSerializer):
    started_on = serializers.DateField(required=False)


class ClientAssessmentsView(APIView):
    """A client's needs assessments; start one (from the previous one, if any)."""

    @extend_schema(responses=AssessmentSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.assessments", section=Section.ASSESSMENT
        )
        return Response(AssessmentSerializer(selectors.assessments_of(client), many=True).data)

    @extend_schema(request=StartSerializer, responses={201: AssessmentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.assessments", may=policy.Ground.MAY_CHANGE
        )
        serializer = StartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = services.start_assessment(
            client=client, by=staff_user(request), ground=client.access_ground, **serializer.validated_data
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class AssessmentDetailView(APIView):
    """One assessment with its life-domain needs and time slots; completed ones are frozen (409)."""

    @extend_schema(responses=AssessmentDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            AssessmentDetailSerializer(
                selectors.assessment_for(user=staff_user(request), pk=pk, what="api.assessment")
            ).data
        )

    @extend_schema(request=AssessmentUpdateSerializer, responses={200: AssessmentDetailSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        assessment = selectors.assessment_for(
            user=staff_user(request), pk=pk, what="api.assessment", may=policy.Ground.MAY_CHANGE
        )
        serializer = AssessmentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        services.update_assessment(
            assessment=assessment,
            by=staff_user(request),
            ground=assessment.client.access_ground,
            relatives=fields.pop("relatives", None),
            professionals=fields.pop("professionals", None),
            fields=fields,
        )
        return Response(AssessmentDetailSerializer(selectors.assessment_with_needs(pk)).data)


class SlotInputSerializer(StrictSerializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    time_of_day = serializers.ChoiceField(choices=TimeOfDay.choices)
    coverage = serializers.ChoiceField(choices=Coverage.choices, required=False, allow_blank=True, default="")
    service = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(NeedSlot, "service")
    )
    network_member = serializers.IntegerField(required=False, allow_null=True)


class NeedInputSerializer(StrictSerializer):
    level = serializers.IntegerField()
    professional_text = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(DomainNeed, "professional_text")
    )
    client_text = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(DomainNeed, "client_text")
    )
    icf_qualifier = serializers.IntegerField(required=False, allow_null=True, default=None)
    own_level = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The level on the domain's own scale (work ability)."
    )
    slots = SlotInputSerializer(many=True, required=False)


class NeedView(APIView):
    """Records the need in one life domain (by its code) and, given ``slots``, the times of
    the week it needs help and who covers each."""

    @extend_schema(request=NeedInputSerializer, responses={200: NeedSerializer})
    def put(self, request: Request, pk: int, domain: str) -> Response:
        assessment = selectors.assessment_for(
            user=staff_user(request), pk=pk, what="api.assessment.need", may=policy.Ground.MAY_CHANGE
        )
        life_domain = get_object_or_404(LifeDomain, code=domain)
        serializer = NeedInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        need = services.set_need(
            assessment=assessment,
            domain=life_domain,
            by=staff_user(request),
            ground=assessment.client.access_ground,
            **serializer.validated_data,
        )
        return Response(NeedSerializer(need).data)


class ConclusionInputSerializer(StrictSerializer):
    text = serializers.CharField(allow_blank=True, max_length=max_length_of(ProfessionalConclusion, "text"))


class ConclusionView(APIView):
    """Your own conclusion in the assessment, for your profession (a care-team professional's
    too: the employment specialist of a work-ability team); an empty text takes it away."""

    @extend_schema(request=ConclusionInputSerializer, responses={200: ConclusionSerializer, 204: None})
    def put(self, request: Request, pk: int) -> Response:
        assessment = selectors.assessment_for(
            user=staff_user(request), pk=pk, what="api.assessment.conclusion", may=policy.Ground.MAY_CONCLUDE
        )
        serializer = ConclusionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        conclusion = services.record_conclusion(
            assessment=assessment,
            by=staff_user(request),
            ground=assessment.client.access_ground,
            text=serializer.validated_data["text"],
        )
        if conclusion is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(ConclusionSerializer(conclusion).data)


class CompleteSerializer(StrictSerializer):
    completed_on = serializers.DateField(required=False)


class AssessmentCompleteView(APIView):
    """Completes and freezes the assessment (the statutory fields must be there)."""

    @extend_schema(request=CompleteSerializer, responses={200: AssessmentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        assessment = selectors.assessment_for(
            user=staff_user(request), pk=pk, what="api.assessment", may=policy.Ground.MAY_CHANGE
        )
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.complete_assessment(
            assessment=assessment,
            by=staff_user(request),
            ground=assessment.client.access_ground,
            **serializer.validated_data,
        )
        return Response(AssessmentSerializer(assessment).data)


class ChangeSerializer(serializers.Serializer[Any]):
    domain = serializers.CharField(source="domain.code")
    before = serializers.IntegerField(allow_null=True)
    after = serializers.IntegerField(allow_null=True)
    direction = serializers.ChoiceField(choices=selectors.CHANGE_DIRECTIONS)


class CompareView(APIView):
    """Domain by domain, how the need for support changed: the two latest assessments, or
    ``older`` and ``newer``."""

    @extend_schema(
        parameters=[OpenApiParameter("older", int), OpenApiParameter("newer", int)],
        responses=ChangeSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.assessments.compare", section=Section.ASSESSMENT
        )
        own = selectors.assessments_within_reach(client)
        params = request.query_params
        if "older" in params or "newer" in params:
            try:
                older = own.get(pk=query_pk(request, "older") or 0)
                newer = own.get(pk=query_pk(request, "newer") or 0)
            except (ValueError, Assessment.DoesNotExist):
                raise serializers.ValidationError({"older": ["Name two assessments of this client."]}) from None
        else:
            latest = list(own.order_by("-started_on", "-pk")[:2])
            if len(latest) < 2:
                raise serializers.ValidationError({"older": ["The client has fewer than two assessments."]})
            newer, older = latest
        return Response(ChangeSerializer(selectors.compare(older, newer), many=True).data)


class DueSerializer(serializers.Serializer[Any]):
    client = serializers.IntegerField(source="client.pk")
    client_name = serializers.CharField(source="client.full_name")
    kind = serializers.ChoiceField(choices=selectors.DUE_KINDS)
    due_on = serializers.DateField()
    days_left = serializers.IntegerField()


class DueAssessmentsView(APIView):
    """Your caseload's assessments to start, complete or repeat: overdue and coming up."""

    @extend_schema(responses=DueSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            DueSerializer(
                selectors.due_assessments(
                    user := staff_user(request), viewer=user, ground=policy.Ground.DESIGNATED_COORDINATOR
                ),
                many=True,
            ).data
        )


class LevelSerializer(serializers.ModelSerializer[ScaleLevel]):
    class Meta:
        model = ScaleLevel
        fields = ["value", "name"]


class DomainSerializer(serializers.ModelSerializer[LifeDomain]):
    class Meta:
        model = LifeDomain
        fields = ["code", "name", "order", "ages", "own_scale"]


class ConfigurationSerializer(serializers.Serializer[Any]):
    domains = DomainSerializer(many=True)
    need_levels = LevelSerializer(many=True)
    icf_levels = LevelSerializer(many=True)
    work_levels = LevelSerializer(many=True, help_text="The work-ability scale of the domain of work and studies.")


class ConfigurationView(APIView):
    """The life domains and scales in use, in the request's language."""

    @extend_schema(responses=ConfigurationSerializer)
    def get(self, request: Request) -> Response:
        return Response(ConfigurationSerializer(selectors.configuration()).data)


# The network's voice


class NetworkViewInputSerializer(StrictSerializer):
    network_member = serializers.IntegerField(min_value=1, help_text="A person of the client's own network.")
    words = serializers.CharField(max_length=max_length_of(NetworkView, "words"))


class NetworkViewSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    network_member = serializers.IntegerField(source="network_member_id")
    name = serializers.CharField(source="network_member.name")
    relationship = serializers.CharField(source="network_member.relationship")
    words = serializers.CharField()
    consent = serializers.IntegerField(source="consent_id")
    recorded_at = serializers.DateTimeField()


class NetworkViewsView(APIView):
    """The views of the client's network in the assessment, each in their own words, beside the
    client's own view and the professional's conclusion (never in place of the client's). POST
    records one as the person told it, only with the client's consent to share the assessment
    with them in force; for the same person again, it replaces their words while the
    assessment is open."""

    @extend_schema(responses=NetworkViewSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        assessment = selectors.assessment_for(user=staff_user(request), pk=pk, what="api.assessment.network_views")
        return Response(NetworkViewSerializer(selectors.network_views_of(assessment), many=True).data)

    @extend_schema(request=NetworkViewInputSerializer, responses={201: NetworkViewSerializer})
    def post(self, request: Request, pk: int) -> Response:
        assessment = selectors.assessment_for(
            user=staff_user(request), pk=pk, what="api.assessment.network_views", may=policy.Ground.MAY_CHANGE
        )
        serializer = NetworkViewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = selectors.network_members_for_views(assessment.client).filter(pk=data["network_member"]).first()
        if member is None:
            raise serializers.ValidationError({"network_member": ["Choose a person of the client's own network."]})
        view = services.record_network_view(
            assessment=assessment,
            network_member=member,
            words=data["words"],
            by=staff_user(request),
            ground=assessment.client.access_ground,
        )
        fresh = selectors.network_views_of(assessment).get(pk=view.pk)
        return Response(NetworkViewSerializer(fresh).data, status=status.HTTP_201_CREATED)
