"""The portal's API (/api/v1/portal/): the same reads as the pages, for the client's own apps.
Each serializer names the fields it shows; nothing staff-internal."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access import log as access_log
from access import portal as portal_access
from accounts.models import User
from clients.models import Client
from core.params import query_page

from . import selectors
from .forms import MonthForm

SESSION_CLIENT = portal_access.SESSION_CLIENT


class IsPortalUser(BasePermission):
    """A signed-in client or representative; staff are refused."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return portal_access.is_portal_user(request.user)


def _open(request: Request, what: str) -> Client:
    user: User = request.user  # type: ignore[assignment]
    return portal_access.portal_client_reading(user=user, pk=request.session.get(SESSION_CLIENT), what=what)


class PortalWorkerSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    title = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    reachable = serializers.CharField()


class PortalMeetingSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField()


class PortalHomeSerializer(serializers.Serializer[Any]):
    worker = PortalWorkerSerializer(allow_null=True)
    substitute = PortalWorkerSerializer(allow_null=True)
    next_meeting = PortalMeetingSerializer(allow_null=True)
    review_on = serializers.DateField(allow_null=True)
    new_message_count = serializers.IntegerField()


class HomeView(APIView):
    permission_classes = [IsPortalUser]

    @extend_schema(responses=PortalHomeSerializer, operation_id="portal_home")
    def get(self, request: Request) -> Response:
        client = _open(request, "api.portal.home")
        return Response(PortalHomeSerializer(selectors.home(client)).data)


class PortalActionSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    responsible = serializers.CharField(source="get_responsible_display")
    due_on = serializers.DateField(allow_null=True)


class PortalGoalSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    client_words = serializers.CharField()
    actions = PortalActionSerializer(many=True, source="actions.all")


class PortalServiceSerializer(serializers.Serializer[Any]):
    service = serializers.CharField()
    provider = serializers.CharField()
    amount = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    backup = serializers.CharField()


class PortalDisagreementSerializer(serializers.Serializer[Any]):
    client_position = serializers.CharField()
    professional_position = serializers.CharField()
    reasons = serializers.CharField()


class PortalPlanSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    review_on = serializers.DateField()
    client_wishes = serializers.CharField()
    strengths_client = serializers.CharField()
    backup_plan = serializers.CharField()
    goals = PortalGoalSerializer(many=True, source="goals.all")
    services = PortalServiceSerializer(many=True, source="services.all")
    disagreements = PortalDisagreementSerializer(many=True, source="disagreements.all")


class PlanView(APIView):
    permission_classes = [IsPortalUser]

    @extend_schema(responses=PortalPlanSerializer, operation_id="portal_plan")
    def get(self, request: Request) -> Response:
        client = _open(request, "api.portal.care_plan")
        return Response(PortalPlanSerializer(selectors.plan_version(client)).data)


class PortalLogRowSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    name = serializers.CharField()
    profession = serializers.CharField()
    action = serializers.CharField()
    what = serializers.CharField()
    why = serializers.CharField()


class PortalLogPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = PortalLogRowSerializer(many=True)


class LogView(APIView):
    """Who has looked at my data: 50 entries a page, newest first, by month if asked."""

    permission_classes = [IsPortalUser]

    @extend_schema(
        responses=PortalLogPageSerializer,
        operation_id="portal_access_log",
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM"),
            OpenApiParameter("page", int),
        ],
    )
    def get(self, request: Request) -> Response:
        form = MonthForm(request.query_params)
        page_number = query_page(request)
        if not form.is_valid():
            errors: dict[str, list[str]] = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
            raise ValidationError(errors)
        client = _open(request, "api.portal.access_log")
        page, rows = access_log.who_has_looked(client, month=form.month_start(), page=page_number)
        data = {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages, "results": rows}
        return Response(PortalLogPageSerializer(data).data)
