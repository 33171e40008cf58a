"""The care plan API: thin views over the plan selectors and services. A draft is saved with
the revision it was read at; a stale revision or a published version answers 409."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access import policy
from access import selectors as access_selectors
from access.decorators import staff_user
from access.models import AccessEvent, Section
from access.services import record_access
from assessments.models import LifeDomain, TimeOfDay
from core.api import StrictSerializer
from core.fields import max_length_of
from core.params import query_pk

from . import selectors, services
from .models import (
    Disagreement,
    GoalAction,
    GoalOutcome,
    NetworkReviewView,
    PlanGoal,
    PlanPdf,
    PlanReview,
    PlanService,
    PlanVersion,
    Responsible,
    WorkMeasure,
)


class PlanVersionSerializer(serializers.ModelSerializer[PlanVersion]):
    pdf_status = serializers.SerializerMethodField()
    goal_count = serializers.IntegerField(read_only=True)
    disagreement_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PlanVersion
        fields = ["id", "number", "status", "revision", "based_on", "review_on", "language", "published_at"]
        fields += ["pdf_status", "goal_count", "disagreement_count"]

    def get_pdf_status(self, version: PlanVersion) -> str | None:
        pdf = getattr(version, "pdf", None)
        return pdf.status if pdf is not None else None


class PlanSlotSerializer(StrictSerializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    time_of_day = serializers.ChoiceField(choices=TimeOfDay.choices)


class PlanActionSerializer(StrictSerializer):
    key = serializers.UUIDField(required=False, allow_null=True)
    text = serializers.CharField(max_length=max_length_of(GoalAction, "text"))
    responsible = serializers.ChoiceField(choices=Responsible.choices)
    professional = serializers.IntegerField(required=False, allow_null=True)
    network_member = serializers.IntegerField(required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    decision = serializers.IntegerField(required=False, allow_null=True)
    work_measure = serializers.ChoiceField(
        choices=WorkMeasure.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Towards a goal of work or training: a work trial, training, a pay subsidy, "
        "Kela's vocational rehabilitation…",
    )


class PlanGoalSerializer(StrictSerializer):
    key = serializers.UUIDField(required=False, allow_null=True)
    client_words = serializers.CharField(max_length=max_length_of(PlanGoal, "client_words"))
    professional_words = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(PlanGoal, "professional_words")
    )
    domain = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(LifeDomain, "code")
    )
    actions = PlanActionSerializer(many=True, required=False, default=list)


class PlanServiceSerializer(StrictSerializer):
    key = serializers.UUIDField(required=False, allow_null=True)
    service = serializers.CharField(max_length=max_length_of(PlanService, "service"))
    provider = serializers.CharField(
        max_length=max_length_of(PlanService, "provider"), required=False, allow_blank=True, default=""
    )
    amount = serializers.CharField(
        max_length=max_length_of(PlanService, "amount"), required=False, allow_blank=True, default=""
    )
    slots = PlanSlotSerializer(many=True, required=False, default=list)
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    backup = serializers.CharField(
        max_length=max_length_of(PlanService, "backup"), required=False, allow_blank=True, default=""
    )


class PlanDisagreementSerializer(StrictSerializer):
    key = serializers.UUIDField(required=False, allow_null=True)
    subject = serializers.ChoiceField(choices=Disagreement.Subject.choices)
    goal = serializers.UUIDField(required=False, allow_null=True, help_text="The key of the goal.")
    service = serializers.UUIDField(required=False, allow_null=True, help_text="The key of the service.")
    client_position = serializers.CharField(max_length=max_length_of(Disagreement, "client_position"))
    professional_position = serializers.CharField(max_length=max_length_of(Disagreement, "professional_position"))
    # Required (812/2000 §7); blank only for one recorded before that, kept as it was (the
    # service decides, with its own message).
    reasons = serializers.CharField(
        allow_blank=True,
        max_length=max_length_of(Disagreement, "reasons"),
        error_messages={"required": "Give the reasons for the disagreement."},
    )


class PlanContentSerializer(serializers.Serializer[Any]):
    client_wishes = serializers.CharField(allow_blank=True)
    strengths_client = serializers.CharField(allow_blank=True)
    strengths_professional = serializers.CharField(allow_blank=True)
    backup_plan = serializers.CharField(allow_blank=True)
    review_on = serializers.DateField(allow_null=True)
    goals = PlanGoalSerializer(many=True)
    services = PlanServiceSerializer(many=True)
    disagreements = PlanDisagreementSerializer(many=True)


class PlanVersionDetailSerializer(PlanContentSerializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PlanVersion.Status.choices)
    revision = serializers.IntegerField()
    pdf_status = serializers.CharField(allow_null=True)


class DraftUpdateSerializer(StrictSerializer):
    """The revision the edit started from, and the parts to save (any left out stay as they are)."""

    revision = serializers.IntegerField(min_value=1)
    client_wishes = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(PlanVersion, "client_wishes")
    )
    strengths_client = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(PlanVersion, "strengths_client")
    )
    strengths_professional = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(PlanVersion, "strengths_professional")
    )
    backup_plan = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(PlanVersion, "backup_plan")
    )
    review_on = serializers.DateField(required=False, allow_null=True)
    goals = PlanGoalSerializer(many=True, required=False)
    services = PlanServiceSerializer(many=True, required=False)
    disagreements = PlanDisagreementSerializer(many=True, required=False)


class PlanRevisionSerializer(StrictSerializer):
    revision = serializers.IntegerField(min_value=1)


def _detail(version: PlanVersion) -> dict[str, Any]:
    pdf = selectors.pdf_status(version)
    data = {
        "id": version.pk,
        "number": version.number,
        "status": version.status,
        "revision": version.revision,
        "pdf_status": pdf.status if pdf else None,
        **selectors.draft_content(version),
    }
    return PlanVersionDetailSerializer(data).data


class ClientPlanView(APIView):
    """A client's care plan versions, newest first; start the plan (a first draft proposed from
    the assessment and the network meetings' decisions)."""

    @extend_schema(responses=PlanVersionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.care_plan", section=Section.PLAN
        )
        return Response(PlanVersionSerializer(selectors.versions_of(client), many=True).data)

    @extend_schema(request=None, responses={201: PlanVersionDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request),
            pk=pk,
            what="api.client.care_plan",
            may=policy.Ground.MAY_CHANGE,
            section=Section.PLAN,
        )
        version = services.start_plan(client=client, by=staff_user(request), ground=client.access_ground)
        return Response(_detail(selectors.version_with_content(version.pk)), status=status.HTTP_201_CREATED)


class VersionDetailView(APIView):
    """One version with its content. A draft is changed with PUT, naming the revision it was
    read at: a stale revision or a published version is a conflict (409)."""

    @extend_schema(responses=PlanVersionDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(selectors.version_for(user=staff_user(request), pk=pk, what="api.care_plan_version")))

    @extend_schema(request=DraftUpdateSerializer, responses={200: PlanVersionDetailSerializer})
    def put(self, request: Request, pk: int) -> Response:
        version = selectors.version_for(
            user=staff_user(request), pk=pk, what="api.care_plan_version", may=policy.Ground.MAY_CHANGE
        )
        serializer = DraftUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        content = dict(serializer.validated_data)
        revision = content.pop("revision")
        services.save_draft(
            version=version,
            by=staff_user(request),
            ground=version.plan.client.access_ground,
            revision=revision,
            content=content,
        )
        return Response(_detail(selectors.version_with_content(pk)))


class PublishView(APIView):
    """Publishes the draft at the given revision: it is frozen, its PDF is rendered, and the next
    draft starts from it (returned)."""

    @extend_schema(request=PlanRevisionSerializer, responses={200: PlanVersionDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        version = selectors.version_for(
            user=staff_user(request), pk=pk, what="api.care_plan_version", may=policy.Ground.MAY_CHANGE
        )
        serializer = PlanRevisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = services.publish_version(
            version=version,
            by=staff_user(request),
            ground=version.plan.client.access_ground,
            revision=serializer.validated_data["revision"],
        )
        return Response(_detail(selectors.version_with_content(draft.pk)))


class PlanPdfSerializer(serializers.ModelSerializer[PlanPdf]):
    class Meta:
        model = PlanPdf
        fields = ["status", "sha256", "size", "attempts", "error", "requested_at", "rendered_at"]


class PdfView(APIView):
    """The state of a published version's PDF; POST asks for it again (after a failure)."""

    @extend_schema(responses=PlanPdfSerializer)
    def get(self, request: Request, pk: int) -> Response:
        version = selectors.version_for(user=staff_user(request), pk=pk, what="api.care_plan_version.pdf")
        pdf = selectors.pdf_status(version)
        if pdf is None:
            return Response({"detail": "No PDF has been asked for."}, status=status.HTTP_404_NOT_FOUND)
        return Response(PlanPdfSerializer(pdf).data)

    @extend_schema(request=None, responses={202: PlanPdfSerializer})
    def post(self, request: Request, pk: int) -> Response:
        version = selectors.version_for(
            user=staff_user(request), pk=pk, what="api.care_plan_version.pdf", may=policy.Ground.MAY_CHANGE
        )
        pdf = services.request_pdf(version=version, by=staff_user(request), ground=version.plan.client.access_ground)
        return Response(PlanPdfSerializer(pdf).data, status=status.HTTP_202_ACCEPTED)


class PdfDownloadView(APIView):
    """The PDF itself, once ready (404 before)."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: OpenApiResponse()})
    def get(self, request: Request, pk: int) -> HttpResponse:
        version = selectors.version_for(user=staff_user(request), pk=pk, what="api.care_plan_version.pdf")
        return pdf_response(version, request)


def pdf_response(version: PlanVersion, request: Any) -> HttpResponse:
    """The ready PDF as a download, its hash in a header; logged as a read of the client's plan."""
    pdf = PlanPdf.objects.filter(version=version, status=PlanPdf.Status.READY).first()
    if pdf is None or pdf.content is None:
        return HttpResponse(status=404)
    client = version.plan.client
    record_access(
        actor=request.user,
        client=client,
        action=AccessEvent.Action.VIEW,
        what="care_plan.pdf",
        ground=client.access_ground,
    )
    response = HttpResponse(bytes(pdf.content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="care-plan-{client.pk}-v{version.number}.pdf"'
    response["X-Content-SHA256"] = pdf.sha256
    return response


class PlanChangeSerializer(serializers.Serializer[Any]):
    area = serializers.ChoiceField(choices=selectors.CHANGE_AREAS)
    kind = serializers.ChoiceField(choices=selectors.CHANGE_KINDS)
    what = serializers.CharField(source="label")
    before = serializers.CharField()
    after = serializers.CharField()


class PlanCompareView(APIView):
    """What changed between two versions of the client's plan (``older``, ``newer``; by default
    the two latest)."""

    @extend_schema(
        parameters=[OpenApiParameter("older", int), OpenApiParameter("newer", int)],
        responses=PlanChangeSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.care_plan.compare", section=Section.PLAN
        )
        own = selectors.versions_within_reach(client)
        params = request.query_params
        try:
            if "older" in params or "newer" in params:
                pks = [own.get(pk=query_pk(request, name) or 0).pk for name in ("older", "newer")]
            else:
                pks = list(own.order_by("-number").values_list("pk", flat=True)[:2])[::-1]
        except (ValueError, PlanVersion.DoesNotExist):
            raise serializers.ValidationError({"older": ["Name two versions of this client's plan."]}) from None
        if len(pks) < 2:
            raise serializers.ValidationError({"older": ["The plan has fewer than two versions."]})
        older, newer = (selectors.version_with_content(pk) for pk in pks)
        return Response(PlanChangeSerializer(selectors.compare(older, newer), many=True).data)


class NetworkGoalRatingOutputSerializer(serializers.Serializer[Any]):
    goal = serializers.UUIDField(source="goal.key")
    rating = serializers.IntegerField()


class NetworkReviewViewSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    network_member = serializers.IntegerField(source="network_member_id")
    name = serializers.CharField(source="network_member.name")
    relationship = serializers.CharField(source="network_member.relationship")
    words = serializers.CharField()
    ratings = NetworkGoalRatingOutputSerializer(many=True)
    consent = serializers.IntegerField(source="consent_id")
    recorded_at = serializers.DateTimeField()


class GoalOutcomeInputSerializer(StrictSerializer):
    goal = serializers.UUIDField(help_text="The key of the goal.")
    client_rating = serializers.IntegerField(min_value=1, max_value=5)
    professional_rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(GoalOutcome, "comment")
    )


class PlanReviewInputSerializer(StrictSerializer):
    held_on = serializers.DateField()
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(PlanReview, "notes")
    )
    outcomes = GoalOutcomeInputSerializer(many=True)


class GoalOutcomeSerializer(serializers.Serializer[Any]):
    goal = serializers.UUIDField(source="goal.key")
    client_rating = serializers.IntegerField()
    professional_rating = serializers.IntegerField()
    comment = serializers.CharField()


class PlanReviewSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    held_on = serializers.DateField()
    notes = serializers.CharField()
    outcomes = GoalOutcomeSerializer(many=True)
    network_views = serializers.SerializerMethodField(
        help_text="The views of the client's network, beside the client's and the professional's ratings."
    )

    @extend_schema_field(NetworkReviewViewSerializer(many=True))
    def get_network_views(self, review: PlanReview) -> list[dict[str, Any]]:
        return NetworkReviewViewSerializer(review.network_views.all(), many=True).data  # type: ignore[return-value]


class ReviewsView(APIView):
    """Reviews of a published version: each goal's outcome rated 1–5 by the client and by the
    professional."""

    @extend_schema(responses=PlanReviewSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        version = selectors.version_for(user=staff_user(request), pk=pk, what="api.care_plan_version.reviews")
        return Response(PlanReviewSerializer(version.reviews.all(), many=True).data)

    @extend_schema(request=PlanReviewInputSerializer, responses={201: PlanReviewSerializer})
    def post(self, request: Request, pk: int) -> Response:
        version = selectors.version_for(
            user=staff_user(request), pk=pk, what="api.care_plan_version.reviews", may=policy.Ground.MAY_CHANGE
        )
        serializer = PlanReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.record_review(
            version=version,
            by=staff_user(request),
            ground=version.plan.client.access_ground,
            **serializer.validated_data,
        )
        return Response(PlanReviewSerializer(review).data, status=status.HTTP_201_CREATED)


# The network's voice in a review


class NetworkGoalRatingSerializer(StrictSerializer):
    goal = serializers.UUIDField(help_text="The key of the goal.")
    rating = serializers.IntegerField(min_value=1, max_value=5)


class NetworkReviewViewInputSerializer(StrictSerializer):
    network_member = serializers.IntegerField(min_value=1, help_text="A person of the client's own network.")
    words = serializers.CharField(max_length=max_length_of(NetworkReviewView, "words"))
    ratings = NetworkGoalRatingSerializer(many=True, required=False, default=list)


class NetworkReviewViewsView(APIView):
    """The views of the client's network at a plan review, each beside the client's and the
    professional's ratings (never in place of the client's); POST records one, as the person
    told it, only with the client's consent to share the care plan with them in force."""

    @extend_schema(responses=NetworkReviewViewSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        review = selectors.review_for(user=staff_user(request), pk=pk, what="api.care_plan_review")
        return Response(NetworkReviewViewSerializer(review.network_views.all(), many=True).data)

    @extend_schema(request=NetworkReviewViewInputSerializer, responses={201: NetworkReviewViewSerializer})
    def post(self, request: Request, pk: int) -> Response:
        review = selectors.review_for(
            user=staff_user(request), pk=pk, what="api.care_plan_review", may=policy.Ground.MAY_CHANGE
        )
        serializer = NetworkReviewViewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        client = review.version.plan.client
        member = selectors.network_members_for_views(client).filter(pk=data["network_member"]).first()
        if member is None:
            raise serializers.ValidationError({"network_member": ["Choose a person of the client's own network."]})
        view = services.record_network_review_view(
            review=review,
            network_member=member,
            words=data["words"],
            ratings=data["ratings"],
            by=staff_user(request),
            ground=client.access_ground,
        )
        fresh = selectors.network_views().get(pk=view.pk)
        return Response(NetworkReviewViewSerializer(fresh).data, status=status.HTTP_201_CREATED)
