"""The clients API: thin views over the selectors and services; input serializers refuse
unknown fields, output serializers give the shape."""

from datetime import date, timedelta
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access import grants, policy
from access import selectors as access_selectors
from access.decorators import staff_user
from access.models import ReturningClient, Section
from accounts.models import User
from core.api import StrictModelSerializer, StrictSerializer
from core.fields import max_length_of
from core.params import query_choice, query_pk, query_text
from teams import selectors as team_selectors

from . import selectors, services
from .models import (
    Assignment,
    BounceKind,
    Client,
    ClientView,
    ClosureReason,
    Contact,
    ContactSource,
    CoordinationReview,
    Referral,
    ReferralBounce,
    ReferralPartner,
    ReferralStatus,
    RelationshipPeriod,
)
from .services import EDITABLE_FIELDS


def _days_left(due: Any, today: date | None = None) -> int | None:
    return (due - (today or timezone.localdate())).days if due else None


class ContinuitySerializer(serializers.Serializer[Any]):
    """Continuity of the named worker and the pending assessment deadline."""

    worker_changes_12m = serializers.IntegerField(help_text="Named-worker changes in the last 12 months.")
    days_without_worker = serializers.IntegerField(help_text="Days of this relationship with no named worker.")
    relationship_days = serializers.IntegerField(help_text="Length of the current (or last) relationship.")
    assessment_due_on = serializers.DateField(allow_null=True)
    assessment_days_left = serializers.SerializerMethodField()

    def get_assessment_days_left(self, data: Any) -> int | None:
        due = data["assessment_due_on"] if isinstance(data, dict) else data.assessment_due_on
        return _days_left(due)


class CaseloadClientSerializer(serializers.ModelSerializer[Client]):
    identity_code = serializers.CharField(source="masked_identity_code", read_only=True)
    age = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = ["id", "first_name", "last_name", "identity_code", "date_of_birth", "age", "municipality"]
        fields += ["preferred_language"]

    def get_age(self, client: Client) -> int:
        return client.age_on(timezone.localdate())


class CaseloadEntrySerializer(serializers.ModelSerializer[Assignment]):
    client = CaseloadClientSerializer(read_only=True)
    days_with_coordinator = serializers.SerializerMethodField()
    continuity = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "client", "started_on", "days_with_coordinator", "handover_note", "continuity"]

    def get_days_with_coordinator(self, assignment: Assignment) -> int:
        return (self._today - assignment.started_on).days

    def to_representation(self, assignment: Assignment) -> dict[str, Any]:
        # The declared fields' output, built directly: DRF's fields for a page of 50 rows (and
        # the model serializers' fields built for each request) were a third of the caseload
        # API's Python. The declared fields stay the schema; the tests compare the two outputs.
        today = self._today
        client = assignment.client
        return {
            "id": assignment.pk,
            "client": {
                "id": client.pk,
                "first_name": client.first_name,
                "last_name": client.last_name,
                "identity_code": client.masked_identity_code,
                "date_of_birth": client.date_of_birth.isoformat(),
                "age": client.age_on(today),
                "municipality": client.municipality,
                "preferred_language": client.preferred_language,
            },
            "started_on": assignment.started_on.isoformat(),
            "days_with_coordinator": self.get_days_with_coordinator(assignment),
            "handover_note": assignment.handover_note,
            "continuity": self.get_continuity(assignment),
        }

    @cached_property
    def _today(self) -> date:
        # Once a page: the one serializer draws every row.
        return timezone.localdate()

    @extend_schema(responses=ContinuitySerializer)
    def get_continuity(self, assignment: Any) -> dict[str, Any]:
        # ContinuitySerializer's output, built directly: a serializer per row took a sixth of the
        # caseload API's time. The schema stays ContinuitySerializer's; the tests compare the two.
        due = assignment.assessment_due_on
        return {
            "worker_changes_12m": assignment.worker_changes_12m,
            "days_without_worker": assignment.days_without_worker,
            "relationship_days": assignment.relationship_days,
            "assessment_due_on": due.isoformat() if due else None,
            "assessment_days_left": _days_left(due, self._today),
        }


class ClientSerializer(StrictModelSerializer):
    """A client's own details: the input of create and update, and their output."""

    class Meta:
        model = Client
        fields = ["id", *EDITABLE_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class NamedWorkerSerializer(serializers.ModelSerializer[Assignment]):
    coordinator_name = serializers.CharField(source="coordinator.get_full_name")

    class Meta:
        model = Assignment
        fields = ["coordinator", "coordinator_name", "started_on", "ended_on", "end_reason", "reason", "handover_note"]


class ClientDetailSerializer(serializers.ModelSerializer[Client]):
    """A client's record as the overview shows it."""

    assignments = NamedWorkerSerializer(many=True, read_only=True)
    continuity = serializers.SerializerMethodField()
    access_ground = serializers.CharField(read_only=True)

    class Meta:
        model = Client
        fields = ["id", *EDITABLE_FIELDS, "relationship_started_on", "closed_on", "team", "no_named_worker_reason"]
        fields += ["assignments", "continuity", "access_ground", "created_at", "updated_at"]

    @extend_schema(responses=ContinuitySerializer)
    def get_continuity(self, client: Client) -> dict[str, Any]:
        return ContinuitySerializer(selectors.continuity_of(client)).data


class CaseloadView(generics.ListAPIView[Assignment]):
    """The caseload: a coordinator's current clients with continuity and deadlines. Defaults
    to the caller's own; a team lead may name one of their teams' coordinators, a substitute
    the coordinator they stand in for."""

    serializer_class = CaseloadEntrySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("coordinator", int, description="Another coordinator whose caseload you may see."),
            OpenApiParameter("q", str, description="Words of the client's name."),
            OpenApiParameter("ordering", str, enum=list(selectors.CASELOAD_ORDERINGS)),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def _owner(self) -> tuple[User, str]:
        user = staff_user(self.request)
        owner = query_pk(self.request, "coordinator", default=user.pk)
        assert owner is not None  # the default
        return policy.caseload_owner_for(user, owner)

    def get_queryset(self) -> QuerySet[Assignment]:
        self.coordinator, self.ground = self._owner()
        order = query_choice(self.request, "ordering", selectors.CASELOAD_ORDERINGS, "name")
        search = query_text(self.request, "q")
        return selectors.caseload(coordinator=self.coordinator, search=search, order=order)

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        if page is not None:
            selectors.log_caseload_shown(viewer=staff_user(self.request), assignments=page, ground=self.ground)
        return page


class ClientCreateView(generics.CreateAPIView[Client]):
    """Registers a client with the calling coordinator as their designated coordinator."""

    serializer_class = ClientSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = staff_user(request)
        if not policy.may_create_clients(user):
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client = services.create_client(
            by=user, fields=serializer.validated_data, team=team_selectors.team_of_coordinator(user)
        )
        return Response(ClientSerializer(client).data, status=status.HTTP_201_CREATED)


class ClientDetailView(generics.RetrieveUpdateAPIView[Client]):
    """One client's record. Reading is logged; only the designated coordinator may change it,
    and not after the relationship is closed (409)."""

    serializer_class = ClientDetailSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Client]]:
        return ClientSerializer if self.request.method == "PATCH" else ClientDetailSerializer

    def get_object(self) -> Client:
        what = "api.client.detail" if self.request.method in ("GET", "HEAD") else "api.client.update"
        return access_selectors.client_for_reading(user=staff_user(self.request), pk=int(self.kwargs["pk"]), what=what)

    @extend_schema(request=ClientSerializer, responses=ClientSerializer)
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=int(kwargs["pk"]), what="api.client.update", may=policy.Ground.MAY_CHANGE
        )
        serializer = ClientSerializer(client, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_client(
            client=client, by=staff_user(request), ground=client.access_ground, fields=serializer.validated_data
        )
        return Response(ClientSerializer(client).data)


class ClientSearchView(generics.ListAPIView[Client]):
    """Clients you may see whose name is like ``q`` (typos and å/ä/ö tolerated), or the client
    you may see with the exact identity code ``q`` (throttled; intake looks up any client
    through ``intake/lookup/``)."""

    serializer_class = CaseloadClientSerializer
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        user, query = staff_user(self.request), query_text(self.request, "q")
        if selectors.IDENTITY_CODE.match(query.strip()):
            return selectors.visible_by_identity_code(user=user, code=query)
        return selectors.search_clients(user=user, query=query)


class IdentityLookupInputSerializer(StrictSerializer):
    identity_code = serializers.CharField(max_length=20)


class LookupClientSerializer(serializers.ModelSerializer[Client]):
    class Meta:
        model = Client
        fields = ["id", "first_name", "last_name", "date_of_birth", "municipality"]


class IdentityLookupSerializer(serializers.Serializer[Any]):
    exists = serializers.BooleanField()
    client = LookupClientSerializer(allow_null=True, help_text="Only where you may see the client.")
    team = serializers.CharField(help_text="The team that holds a client you may not see.")
    contact = serializers.CharField(help_text="Whom to contact about a client you may not see: the team's leads.")


class IntakeLookupView(APIView):
    """Intake's lookup of a person by personal identity code (coordinators and team leads;
    throttled per user; logged with its purpose). For a client you may not see it tells only
    that they exist and which team to contact."""

    @extend_schema(request=IdentityLookupInputSerializer, responses={200: IdentityLookupSerializer})
    def post(self, request: Request) -> Response:
        serializer = IdentityLookupInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        found = selectors.look_up_identity_code(
            user=staff_user(request), code=serializer.validated_data["identity_code"]
        )
        return Response(IdentityLookupSerializer(found).data)


class ContactSerializer(StrictModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "contacted_on", "channel", "source", "source_name", "reason", "urgent"]
        fields += ["deadline_rule", "assessment_due_on", "assessment_started_on", "cancelled_on", "created_at"]
        read_only_fields = ["id", "deadline_rule", "assessment_due_on", "assessment_started_on", "cancelled_on"]
        read_only_fields += ["created_at"]


class ClientContactsView(APIView):
    """A client's contacts; a new contact sets the assessment start deadline (SHL §36)."""

    @extend_schema(responses=ContactSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.contacts", section=Section.CONTACTS
        )
        return Response(ContactSerializer(selectors.contacts_of(client), many=True).data)

    @extend_schema(request=ContactSerializer, responses={201: ContactSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request),
            pk=pk,
            what="api.client.contacts",
            may=policy.Ground.MAY_CHANGE,
            section=Section.CONTACTS,
        )
        serializer = ContactSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = services.record_contact(
            client=client, by=staff_user(request), ground=client.access_ground, **serializer.validated_data
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class IntakeSerializer(StrictSerializer):
    """A contact, with an existing client (``client_id`` of a client you see, or the exact
    ``identity_code`` of any client) or a new one (``client``)."""

    contact = ContactSerializer()
    client_id = serializers.IntegerField(required=False)
    identity_code = serializers.CharField(required=False, max_length=max_length_of(Client, "identity_code"))
    client = ClientSerializer(required=False)
    coordinator_id = serializers.IntegerField(required=False, help_text="The named worker; you by default.")
    no_named_worker_reason = serializers.CharField(
        required=False, allow_blank=False, max_length=max_length_of(Client, "no_named_worker_reason")
    )
    returning_reason = serializers.CharField(
        required=False,
        max_length=max_length_of(ReturningClient, "reason"),
        help_text="For a former client you have no ground on: why their relationship is reopened.",
    )
    review_due_on = serializers.DateField(
        required=False,
        help_text="A new client's coordination review point (expected end, or when to ask whether coordination is "
        "still needed); by default six months on.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if sum(name in attrs for name in ("client_id", "identity_code", "client")) != 1:
            raise serializers.ValidationError({"client": ["Give one of client_id, identity_code or client."]})
        return attrs


class IntakeResultSerializer(serializers.Serializer[Any]):
    client_id = serializers.IntegerField()
    contact = ContactSerializer()


class IntakeView(APIView):
    """Records a contact and opens the client relationship from it, or attaches it to an
    existing client (reopening a closed one)."""

    @extend_schema(request=IntakeSerializer, responses={201: IntakeResultSerializer})
    def post(self, request: Request) -> Response:
        user = staff_user(request)
        if not policy.works_caseloads(user):
            raise PermissionDenied
        serializer = IntakeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        new = "client" in data and "no_named_worker_reason" not in data
        client, contact = services.intake(
            by=user,
            contact=data["contact"],
            client_id=data.get("client_id"),
            identity_code=data.get("identity_code", ""),
            new_client=data.get("client"),
            coordinator=self._coordinator(user, data.get("coordinator_id")) if new else None,
            no_named_worker_reason=data.get("no_named_worker_reason", ""),
            returning_reason=data.get("returning_reason", ""),
            review_due_on=data.get("review_due_on"),
        )
        return Response(
            {"client_id": client.pk, "contact": ContactSerializer(contact).data}, status=status.HTTP_201_CREATED
        )

    @staticmethod
    def _coordinator(user: User, coordinator_id: int | None) -> User:
        """The named worker of a new client: the one named, among those ``user`` may name, or
        ``user`` where they may name themselves."""
        coordinator = policy.assignable_coordinators(user).filter(pk=coordinator_id or user.pk).first()
        if coordinator is None:
            message = "Name the coordinator." if coordinator_id is None else "Not a coordinator of your team."
            raise serializers.ValidationError({"coordinator_id": [message]})
        return coordinator


class ReturningClientConfirmView(APIView):
    """A lead of the client's team confirms a returning client reopened by a new worker."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        user = staff_user(request)
        returning = access_selectors.returning_client_for(user=user, pk=pk, what="api.returning_client.confirm")
        grants.confirm_returning_client(returning=returning, by=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NamedWorkerInputSerializer(StrictSerializer):
    coordinator_id = serializers.IntegerField(required=False)
    no_named_worker_reason = serializers.CharField(
        required=False, allow_blank=False, max_length=max_length_of(Client, "no_named_worker_reason")
    )
    started_on = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=max_length_of(Assignment, "reason"))
    handover_note = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(Assignment, "handover_note")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("coordinator_id" in attrs) == ("no_named_worker_reason" in attrs):
            raise serializers.ValidationError(
                {"coordinator_id": ["Give either coordinator_id or no_named_worker_reason."]}
            )
        return attrs


class ClientNamedWorkerView(APIView):
    """Names a coordinator as the client's named worker (SHL §42), or records why none is
    needed. A child needing special support must have a social worker."""

    @extend_schema(request=NamedWorkerInputSerializer, responses={200: ClientDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = staff_user(request)
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.named_worker", may=policy.Ground.MAY_MANAGE
        )
        serializer = NamedWorkerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "no_named_worker_reason" in data:
            services.record_no_named_worker(
                client=client, by=user, ground=client.access_ground, reason=data["no_named_worker_reason"]
            )
        else:
            coordinator = selectors.handover_targets(user).filter(pk=data["coordinator_id"]).first()
            if coordinator is None:
                raise serializers.ValidationError({"coordinator_id": ["Not a coordinator of your team."]})
            services.assign_coordinator(
                client=client,
                coordinator=coordinator,
                started_on=data.get("started_on", timezone.localdate()),
                by=user,
                ground=client.access_ground,
                reason=data.get("reason", ""),
                handover_note=data.get("handover_note", ""),
            )
        # Handing the client to someone else may end the caller's own access: answer with the
        # record as it now stands rather than fetching it again.
        client.refresh_from_db()
        return Response(ClientDetailSerializer(client).data)


class HandoverSerializer(StrictSerializer):
    client_ids = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=1000)
    to = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, max_length=50, help_text="Coordinators, spread evenly."
    )
    note = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=max_length_of(Assignment, "handover_note")
    )
    on = serializers.DateField(required=False)


class HandoverResultSerializer(serializers.Serializer[Any]):
    client_id = serializers.IntegerField()
    coordinator = serializers.IntegerField(source="coordinator_id")


class HandoverView(APIView):
    """Hands clients over to one coordinator or spreads them evenly over several, in one
    transaction: all move, or none does."""

    @extend_schema(request=HandoverSerializer, responses={201: HandoverResultSerializer(many=True)})
    def post(self, request: Request) -> Response:
        user = staff_user(request)
        serializer = HandoverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        clients, ground = selectors.clients_for_handover(user=user, client_ids=data["client_ids"])
        targets = list(selectors.handover_targets(user).filter(pk__in=data["to"]))
        if len(targets) != len(set(data["to"])):
            raise serializers.ValidationError({"to": ["Only coordinators of your team."]})
        created = services.hand_over(
            clients=clients, to=targets, by=user, ground=ground, note=data["note"], on=data.get("on")
        )
        return Response(HandoverResultSerializer(created, many=True).data, status=status.HTTP_201_CREATED)


class ReferralPartnerSerializer(serializers.ModelSerializer[ReferralPartner]):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = ReferralPartner
        fields = ["id", "code", "name", "organisation", "unit", "kind", "contact"]


class ReferralBounceSerializer(serializers.ModelSerializer[ReferralBounce]):
    class Meta:
        model = ReferralBounce
        fields = ["kind", "bounced_on", "note", "redirected_to"]


class ReferralSerializer(serializers.ModelSerializer[Referral]):
    counterpart_name = serializers.CharField(read_only=True, help_text="The partner's name, or the other counterpart.")
    bounce = ReferralBounceSerializer(read_only=True, allow_null=True, help_text="How it bounced, if it did.")
    redirected_from = serializers.IntegerField(
        source="redirected_from.referral_id",
        read_only=True,
        allow_null=True,
        help_text="The referral that bounced to this one, if any.",
    )

    class Meta:
        model = Referral
        fields = ["id", "client", "direction", "partner", "counterpart", "counterpart_name", "reason", "status"]
        fields += ["sent_on", "follow_up_on", "answered_on", "contact", "updated_at", "bounce", "redirected_from"]


def _partner_field() -> serializers.PrimaryKeyRelatedField[ReferralPartner]:
    return serializers.PrimaryKeyRelatedField(
        queryset=ReferralPartner.objects.filter(active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="A partner of /api/v1/referral-partners/; or leave it out and name another in counterpart.",
    )


def _other_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length_of(Referral, "counterpart"),
        required=False,
        allow_blank=True,
        default="",
        help_text="Only when no partner fits: who, in free text.",
    )


class ReferralInputSerializer(StrictSerializer):
    direction = serializers.ChoiceField(choices=Referral.Direction.choices)
    partner = _partner_field()
    counterpart = _other_field()
    reason = serializers.CharField(max_length=max_length_of(Referral, "reason"))
    sent_on = serializers.DateField(help_text="Sent, or for an incoming referral received, on this date.")
    follow_up_on = serializers.DateField(required=False, allow_null=True)
    sender = serializers.ChoiceField(
        choices=ContactSource.choices, required=False, help_text="Who sent an incoming referral."
    )
    urgent = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["direction"] == Referral.Direction.INCOMING and "sender" not in attrs:
            raise serializers.ValidationError({"sender": ["Who sent the referral."]})
        return attrs


class ClientReferralsView(APIView):
    """A client's referrals; an outgoing one is followed up, an incoming one becomes a contact."""

    @extend_schema(responses=ReferralSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.referrals", section=Section.CONTACTS
        )
        return Response(ReferralSerializer(selectors.referrals_of(client), many=True).data)

    @extend_schema(request=ReferralInputSerializer, responses={201: ReferralSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request),
            pk=pk,
            what="api.client.referrals",
            may=policy.Ground.MAY_CHANGE,
            section=Section.CONTACTS,
        )
        serializer = ReferralInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["direction"] == Referral.Direction.INCOMING:
            referral = services.receive_referral(
                client=client,
                by=staff_user(request),
                ground=client.access_ground,
                partner=data["partner"],
                counterpart=data["counterpart"],
                source=data["sender"],
                reason=data["reason"],
                received_on=data["sent_on"],
                urgent=data["urgent"],
            )
        else:
            referral = services.create_referral(
                client=client,
                by=staff_user(request),
                ground=client.access_ground,
                partner=data["partner"],
                counterpart=data["counterpart"],
                reason=data["reason"],
                sent_on=data["sent_on"],
                follow_up_on=data.get("follow_up_on"),
            )
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


class ReferralAdvanceSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    follow_up_on = serializers.DateField(required=False, allow_null=True)


class ReferralDetailView(APIView):
    """Moves a referral forward: sent → received → answered → closed."""

    @extend_schema(request=ReferralAdvanceSerializer, responses={200: ReferralSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        referral = get_object_or_404(Referral.objects.only("client_id"), pk=pk)
        client = access_selectors.client_for_reading(
            user=staff_user(request),
            pk=referral.client_id,
            what="api.referral",
            may=policy.Ground.MAY_CHANGE,
            section=Section.CONTACTS,
        )
        serializer = ReferralAdvanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = get_object_or_404(Referral, pk=pk)
        referral.client = client
        services.advance_referral(
            referral=referral, by=staff_user(request), ground=client.access_ground, **serializer.validated_data
        )
        return Response(ReferralSerializer(referral).data)


class ReferralBounceInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=BounceKind.choices)
    bounced_on = serializers.DateField()
    note = serializers.CharField(max_length=max_length_of(ReferralBounce, "note"), required=False, allow_blank=True)
    partner = _partner_field()
    counterpart = _other_field()
    follow_up_on = serializers.DateField(
        required=False, allow_null=True, help_text="A redirection: when to follow up the new referral."
    )


class ReferralBounceView(APIView):
    """Records that an outgoing referral bounced: came back unanswered (``returned``), was
    refused, or was redirected to another partner (``redirected``, naming it: the new referral
    is made and linked). The bounced referral is closed."""

    @extend_schema(request=ReferralBounceInputSerializer, responses={201: ReferralSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = staff_user(request)
        referral = selectors.referral_for(user=user, pk=pk, what="api.referral.bounce", may=policy.Ground.MAY_CHANGE)
        serializer = ReferralBounceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.record_referral_bounce(
            referral=referral, by=user, ground=referral.client.access_ground, **serializer.validated_data
        )
        shown = selectors.referrals_of(referral.client).get(pk=pk)
        return Response(ReferralSerializer(shown).data, status=status.HTTP_201_CREATED)


class ReferralPartnersView(generics.ListAPIView[ReferralPartner]):
    """The referral partners a referral may name (configuration)."""

    serializer_class = ReferralPartnerSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[ReferralPartner]:
        return selectors.referral_partners()


class PartnerFiguresSerializer(serializers.Serializer[Any]):
    partner = ReferralPartnerSerializer(allow_null=True, help_text="null: the others, named in free text.")
    name = serializers.CharField()
    referrals = serializers.IntegerField()
    answered = serializers.IntegerField()
    median_answer_days = serializers.FloatField(allow_null=True)
    mean_answer_days = serializers.FloatField(allow_null=True)
    bounces = serializers.IntegerField()
    returned = serializers.IntegerField(help_text="Bounces: came back unanswered.")
    refused = serializers.IntegerField(help_text="Bounces: refused.")
    redirected = serializers.IntegerField(help_text="Bounces: redirected to another partner.")
    unanswered = serializers.IntegerField(help_text="Still unanswered after 30 days.")


class PartnerFiguresView(APIView):
    """Per partner, the referrals made from your caseload (a team lead: your teams') in the
    last 12 months: answer times in days, bounces and those still unanswered."""

    @extend_schema(responses=PartnerFiguresSerializer(many=True))
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        figures = selectors.referral_figures_by_partner(
            clients=selectors.caseload_client_ids(staff_user(request)),
            since=today - timedelta(days=selectors.PARTNER_FIGURES_DAYS),
            unanswered_before=today - timedelta(days=selectors.REFERRAL_UNANSWERED_DAYS),
        )
        return Response(PartnerFiguresSerializer(figures, many=True).data)


class OverdueReferralSerializer(ReferralSerializer):
    coordinator_name = serializers.CharField(read_only=True, allow_null=True, help_text="The client's named worker.")

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "coordinator_name"]


class OverdueReferralsView(generics.ListAPIView[Referral]):
    """Referrals past their follow-up date in your caseload (a team lead: your teams'), each
    with the client's named worker."""

    serializer_class = OverdueReferralSerializer

    def get_queryset(self) -> QuerySet[Referral]:
        return selectors.overdue_referrals(staff_user(self.request))

    def paginate_queryset(self, queryset: QuerySet[Referral]) -> list[Referral] | None:  # type: ignore[override]
        page = super().paginate_queryset(queryset)
        selectors.log_overdue_referrals_shown(viewer=staff_user(self.request), referrals=page or [])
        return page


class ClosureSerializer(StrictSerializer):
    closed_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=ClosureReason.choices)
    summary = serializers.CharField(max_length=max_length_of(RelationshipPeriod, "closing_summary"))
    reached = serializers.CharField(
        max_length=max_length_of(RelationshipPeriod, "reached"), help_text="What was reached."
    )
    client_view = serializers.ChoiceField(
        choices=ClientView.choices, help_text="Did coordination help, in the client's view."
    )
    client_view_words = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(RelationshipPeriod, "client_view_words")
    )


class RelationshipPeriodSerializer(serializers.ModelSerializer[RelationshipPeriod]):
    class Meta:
        model = RelationshipPeriod
        fields = ["id", "opened_on", "closed_on", "closure_reason", "closing_summary", "retention_class"]
        fields += ["retention_starts_on", "retention_ends_on", "review_due_on", "reached", "client_view"]
        fields += ["client_view_words", "planned_ending"]


class CoordinationReviewSerializer(StrictModelSerializer):
    """A coordination review: the decision (``continue`` with ``next_review_on``, or ``close``)
    and the client's own view of whether coordination helped."""

    class Meta:
        model = CoordinationReview
        fields = ["id", "reviewed_on", "due_on", "decision", "next_review_on", "client_view"]
        fields += ["client_view_words", "note", "recorded_by"]
        read_only_fields = ["id", "due_on", "recorded_by"]


class CoordinationSerializer(serializers.Serializer[Any]):
    review_due_on = serializers.DateField(allow_null=True, help_text="The next review point of the open relationship.")
    reviews = CoordinationReviewSerializer(many=True)


class ClientCoordinationView(APIView):
    """The client's coordination: the review point and the reviews; a review records whether
    coordination is still needed (a decision to end it is followed by the closure)."""

    @extend_schema(responses=CoordinationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(user=staff_user(request), pk=pk, what="api.client.coordination")
        period = selectors.open_period_of(client)
        reviews = selectors.coordination_reviews_of(client)
        if not policy.shows_earlier_relationships(client):
            reviews = reviews.filter(period=period)
        data = {"review_due_on": period.review_due_on if period else None, "reviews": reviews}
        return Response(CoordinationSerializer(data).data)

    @extend_schema(request=CoordinationReviewSerializer, responses={201: CoordinationReviewSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.coordination", may=policy.Ground.MAY_MANAGE
        )
        serializer = CoordinationReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.record_coordination_review(
            client=client, by=staff_user(request), ground=client.access_ground, **serializer.validated_data
        )
        return Response(CoordinationReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ClientClosureView(APIView):
    """Ends the client relationship with a reason and a closing summary; the client becomes
    read-only and the retention period starts to run."""

    @extend_schema(request=ClosureSerializer, responses={200: RelationshipPeriodSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.closure", may=policy.Ground.MAY_MANAGE
        )
        serializer = ClosureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = services.close_client(
            client=client, by=staff_user(request), ground=client.access_ground, **serializer.validated_data
        )
        return Response(RelationshipPeriodSerializer(period).data)


class ReopenSerializer(StrictSerializer):
    opened_on = serializers.DateField(required=False)
    coordinator_id = serializers.IntegerField(required=False)


class ClientReopenView(APIView):
    """Starts a new relationship period for a closed client; the old one is kept."""

    @extend_schema(request=ReopenSerializer, responses={201: RelationshipPeriodSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = staff_user(request)
        client = access_selectors.client_for_reading(
            user=staff_user(request),
            pk=pk,
            what="api.client.reopen",
            may=policy.Ground.MAY_REOPEN,
        )
        serializer = ReopenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        coordinator = None
        if "coordinator_id" in data:
            coordinator = selectors.handover_targets(user).filter(pk=data["coordinator_id"]).first()
            if coordinator is None:
                raise serializers.ValidationError({"coordinator_id": ["Not a coordinator of your team."]})
        period = services.reopen_client(
            client=client,
            by=user,
            ground=client.access_ground,
            opened_on=data.get("opened_on", timezone.localdate()),
            coordinator=coordinator,
        )
        return Response(RelationshipPeriodSerializer(period).data, status=status.HTTP_201_CREATED)
