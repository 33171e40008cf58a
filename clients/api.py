from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from caseflow import access
from caseflow.accounts.models import Role, User
from caseflow.api import StrictModelSerializer

from . import selectors, services
from .models import Assignment, Client
from .services import EDITABLE_FIELDS


class CaseloadClientSerializer(serializers.ModelSerializer[Client]):
    identity_code = serializers.CharField(source="masked_identity_code", read_only=True)
    age = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = [
            "id",
            "first_name",
            "last_name",
            "identity_code",
            "date_of_birth",
            "age",
            "municipality",
            "preferred_language",
        ]

    def get_age(self, client: Client) -> int:
        return client.age_on(timezone.localdate())


class CaseloadEntrySerializer(serializers.ModelSerializer[Assignment]):
    client = CaseloadClientSerializer(read_only=True)
    days_with_coordinator = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "client", "started_on", "days_with_coordinator"]

    def get_days_with_coordinator(self, assignment: Assignment) -> int:
        return (timezone.localdate() - assignment.started_on).days


class ClientSerializer(StrictModelSerializer):
    class Meta:
        model = Client
        fields = ["id", *EDITABLE_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class CaseloadView(generics.ListAPIView[Assignment]):
    """The caseload: a coordinator's current clients. Defaults to the caller's own; a team
    lead may name one of their teams' coordinators."""

    serializer_class = CaseloadEntrySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("coordinator", int, description="A coordinator of a team you lead."),
            OpenApiParameter("q", str, description="Words of the client's name."),
            OpenApiParameter("ordering", str, enum=list(selectors.CASELOAD_ORDERINGS)),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def _owner(self) -> tuple[User, str]:
        user: User = self.request.user  # type: ignore[assignment]
        raw = self.request.query_params.get("coordinator", str(user.pk))
        if not raw.isdigit():
            raise serializers.ValidationError({"coordinator": ["A valid integer is required."]})
        return access.caseload_owner_for(user, int(raw))

    def get_queryset(self) -> Any:
        self.coordinator, self.ground = self._owner()
        order = self.request.query_params.get("ordering", "name")
        if order not in selectors.CASELOAD_ORDERINGS:
            raise serializers.ValidationError(
                {"ordering": [f"Choose one of {', '.join(selectors.CASELOAD_ORDERINGS)}."]}
            )
        return selectors.caseload(
            coordinator=self.coordinator, search=self.request.query_params.get("q", "")[:100], order=order
        )

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        if page is not None:
            selectors.log_caseload_shown(viewer=self.request.user, assignments=page, ground=self.ground)  # type: ignore[arg-type]
        return page


class ClientCreateView(generics.CreateAPIView[Client]):
    """Registers a client with the calling coordinator as their designated coordinator."""

    serializer_class = ClientSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user: User = request.user  # type: ignore[assignment]
        if user.role != Role.COORDINATOR:
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client = services.create_client(by=user, fields=serializer.validated_data)
        return Response(ClientSerializer(client).data, status=status.HTTP_201_CREATED)


class ClientDetailView(generics.RetrieveUpdateAPIView[Client]):
    """One client's record. Reading is logged; only the designated coordinator may change it."""

    serializer_class = ClientSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> Client:
        user: User = self.request.user  # type: ignore[assignment]
        what = "api.client.detail" if self.request.method in ("GET", "HEAD") else "api.client.update"
        return selectors.client_for_reading(user=user, pk=int(self.kwargs["pk"]), what=what)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user: User = request.user  # type: ignore[assignment]
        client = self.get_object()
        if client.access_ground != access.Ground.DESIGNATED_COORDINATOR:
            raise PermissionDenied
        serializer = self.get_serializer(client, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_client(client=client, by=user, ground=client.access_ground, fields=serializer.validated_data)
        return Response(ClientSerializer(client).data)
