"""The reminder inbox as an API: the user's own reminders, the unread count, read / snooze /
done, and which kinds come by email too."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.decorators import staff_user
from core.api import StrictSerializer

from . import selectors, services
from .forms import inbox_filter
from .models import Kind, Reminder
from .selectors import Show


class ReminderSerializer(serializers.ModelSerializer[Reminder]):
    kind_label = serializers.CharField(source="get_kind_display")
    client_name = serializers.CharField(source="client.full_name")
    coordinator_name = serializers.CharField(
        allow_null=True, read_only=True, help_text="The client's named worker (whom an escalation is about)."
    )
    read = serializers.SerializerMethodField()

    class Meta:
        model = Reminder
        fields = [
            "id",
            "kind",
            "kind_label",
            "client",
            "client_name",
            "coordinator_name",
            "due_on",
            "escalation",
            "read",
            "read_at",
            "snoozed_until",
            "done_at",
            "created_at",
        ]

    def get_read(self, reminder: Reminder) -> bool:
        return reminder.read_at is not None


class ReminderChangeSerializer(StrictSerializer):
    read = serializers.BooleanField(required=False, help_text="true marks the reminder read.")
    done = serializers.BooleanField(required=False, help_text="true marks the reminder done.")
    snoozed_until = serializers.DateField(required=False, help_text="Hide the reminder until this day.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError({"non_field_errors": ["Say what to change."]})
        for name in ("read", "done"):
            if name in attrs and not attrs[name]:
                raise serializers.ValidationError({name: ["Only true is accepted."]})
        return attrs


@extend_schema(
    parameters=[
        OpenApiParameter("kind", str, enum=Kind.values, description="Only reminders of this kind."),
        OpenApiParameter("client", int, description="Only reminders about this client (its id)."),
        OpenApiParameter(
            "show",
            str,
            enum=list(Show.CHOICES),
            description="escalated: those reported to you about other people's clients; own: your own deadlines.",
        ),
    ]
)
class ReminderListView(generics.ListAPIView[Reminder]):
    """Your open reminders (not done, cancelled or snoozed), the most urgent first. The
    assessments due on your own caseload are in its due list, not here (as on the page)."""

    serializer_class = ReminderSerializer

    def get_queryset(self) -> Any:
        return selectors.inbox(staff_user(self.request), filters=inbox_filter(self.request))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        selectors.log_shown(user=staff_user(request), reminders=page, what="reminders")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ReminderDetailView(APIView):
    """One of your reminders; PATCH marks it read or done, or snoozes it."""

    @extend_schema(responses=ReminderSerializer)
    def get(self, request: Request, pk: int) -> Response:
        reminder = selectors.reminder_with_client(staff_user(request), pk, what="reminder")
        return Response(ReminderSerializer(reminder).data)

    @extend_schema(request=ReminderChangeSerializer, responses=ReminderSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        user = staff_user(request)
        reminder = selectors.reminder_with_client(user, pk, what="reminder")
        serializer = ReminderChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "snoozed_until" in data:
            services.snooze(reminder=reminder, until=data["snoozed_until"])
        if data.get("read"):
            services.mark_read(reminder=reminder)
        if data.get("done"):
            services.mark_done(reminder=reminder)
        return Response(ReminderSerializer(reminder).data)


class UnreadCountView(APIView):
    """How many of your open reminders are unread."""

    @extend_schema(responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()}))
    def get(self, request: Request) -> Response:
        return Response({"unread": selectors.unread_count(staff_user(request))})


class PreferencesSerializer(StrictSerializer):
    by_email = serializers.DictField(
        child=serializers.BooleanField(), help_text="For each kind of reminder, whether it comes by email too."
    )

    def validate_by_email(self, value: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(value) - set(Kind.values))
        if unknown:
            raise serializers.ValidationError([f"Unknown kind: {kind}" for kind in unknown])
        return value


class PreferencesView(APIView):
    """Which kinds of reminder come to you by email as well as to the inbox."""

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request: Request) -> Response:
        return Response({"by_email": selectors.email_preferences(staff_user(request))})

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def put(self, request: Request) -> Response:
        user = staff_user(request)
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.set_email_preferences(user=user, by_email=serializer.validated_data["by_email"])
        return Response({"by_email": selectors.email_preferences(user)})
