"""The personal-budget API: thin views over the selectors and services. A budget is part of
its client's record (section ``budget``): read on any ground whose sections include it,
changed only by the designated coordinator."""

from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access import policy
from access import selectors as access_selectors
from access.decorators import staff_user
from access.models import Section
from assessments.models import Assessment
from care_plans.models import PlanService
from core.api import StrictSerializer
from core.fields import max_length_of
from core.params import query_text

from . import selectors, services
from .models import Budget, BudgetLine, Provider, Reallocation, ServiceType, Spending


class ServiceTypeSerializer(serializers.ModelSerializer[ServiceType]):
    class Meta:
        model = ServiceType
        fields = ["id", "code", "name", "unit", "unit_cost"]


class ProviderSerializer(serializers.ModelSerializer[Provider]):
    service_types: serializers.SlugRelatedField[ServiceType] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Provider
        fields = ["id", "name", "business_id", "service_types"]


class BudgetSerializer(serializers.ModelSerializer[Budget]):
    class Meta:
        model = Budget
        fields = ["id", "client", "status", "period_start", "period_end", "offered_on", "decided_on"]
        fields += ["decline_reason", "assessment", "client_wishes", "calculated_amount", "amount"]
        fields += ["adjustment_reason", "calculated_on", "threshold_percent"]


class LedgerLineSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="line.pk")
    service_type = serializers.CharField(source="line.service_type.code")
    service_name = serializers.CharField(source="line.service_type.name")
    provider = serializers.IntegerField(source="line.provider_id", allow_null=True)
    calculated = serializers.DecimalField(source="line.calculated", max_digits=12, decimal_places=2)
    units_per_week = serializers.DecimalField(source="line.units_per_week", max_digits=7, decimal_places=2)
    allocated = serializers.DecimalField(max_digits=12, decimal_places=2)
    spent = serializers.DecimalField(max_digits=12, decimal_places=2)
    committed = serializers.DecimalField(max_digits=12, decimal_places=2)
    left = serializers.DecimalField(max_digits=12, decimal_places=2)
    used_percent = serializers.DecimalField(max_digits=7, decimal_places=1)
    expected_percent = serializers.DecimalField(max_digits=7, decimal_places=1)
    burn_per_month = serializers.DecimalField(max_digits=12, decimal_places=2)
    runs_out_on = serializers.DateField(allow_null=True)
    over_threshold = serializers.BooleanField()
    plan_services = serializers.SerializerMethodField()

    def get_plan_services(self, row: selectors.LedgerLine) -> list[int]:
        return [service.pk for service in row.line.plan_services.all()]


class BudgetDetailSerializer(BudgetSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(BudgetSerializer.Meta):
        fields = [*BudgetSerializer.Meta.fields, "lines"]

    @extend_schema(responses=LedgerLineSerializer(many=True))
    def get_lines(self, budget: Budget) -> Any:
        return LedgerLineSerializer(selectors.ledger(budget, timezone.localdate()).lines, many=True).data


class OfferSerializer(StrictSerializer):
    period_start = serializers.DateField(required=False)
    offered_on = serializers.DateField(required=False)


class ClientBudgetsView(APIView):
    """A client's personal budgets; offer one (the period's length comes from the rules)."""

    @extend_schema(responses=BudgetSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request), pk=pk, what="api.client.budgets", section=Section.BUDGET
        )
        return Response(BudgetSerializer(selectors.budgets_of(client), many=True).data)

    @extend_schema(request=OfferSerializer, responses={201: BudgetSerializer})
    def post(self, request: Request, pk: int) -> Response:
        client = access_selectors.client_for_reading(
            user=staff_user(request),
            pk=pk,
            what="api.client.budgets",
            may=policy.Ground.MAY_CHANGE,
            section=Section.BUDGET,
        )
        serializer = OfferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        budget = services.offer_budget(
            client=client, by=staff_user(request), ground=client.access_ground, **serializer.validated_data
        )
        return Response(BudgetSerializer(budget).data, status=status.HTTP_201_CREATED)


class BudgetDetailView(APIView):
    """One budget with its ledger per line."""

    @extend_schema(responses=BudgetDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            BudgetDetailSerializer(selectors.budget_for(user=staff_user(request), pk=pk, what="api.budget")).data
        )


class DecisionSerializer(StrictSerializer):
    accepted = serializers.BooleanField()
    decided_on = serializers.DateField(required=False)
    decline_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(Budget, "decline_reason")
    )


class BudgetDecisionView(APIView):
    """The client's answer to the offer: accept or decline, with the day."""

    @extend_schema(request=DecisionSerializer, responses={200: BudgetSerializer})
    def post(self, request: Request, pk: int) -> Response:
        budget = selectors.budget_for(
            user=staff_user(request), pk=pk, what="api.budget.decision", may=policy.Ground.MAY_CHANGE
        )
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        budget = services.decide_budget(
            budget=budget, by=staff_user(request), ground=budget.client.access_ground, **serializer.validated_data
        )
        return Response(BudgetSerializer(budget).data)


class CalculationSerializer(StrictSerializer):
    assessment = serializers.PrimaryKeyRelatedField(queryset=Assessment.objects.all(), required=False)
    allocations = serializers.DictField(
        child=serializers.DecimalField(min_value=Decimal(0), max_digits=12, decimal_places=2),
        required=False,
        default=dict,
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(Budget, "adjustment_reason")
    )
    client_wishes = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(Budget, "client_wishes")
    )


class BudgetCalculationView(APIView):
    """Calculates the budget from a completed assessment and splits it into lines;
    ``allocations`` by service-type code adjust it, with a ``reason``."""

    @extend_schema(request=CalculationSerializer, responses={200: BudgetDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        budget = selectors.budget_for(
            user=staff_user(request), pk=pk, what="api.budget.calculation", may=policy.Ground.MAY_CHANGE
        )
        serializer = CalculationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.calculate_budget(
            budget=budget, by=staff_user(request), ground=budget.client.access_ground, **serializer.validated_data
        )
        return Response(BudgetDetailSerializer(selectors.budget_with_lines(pk)).data)


class BudgetLinesView(APIView):
    """The ledger per line: allocated, spent, committed, left, burn rate and forecast."""

    @extend_schema(responses=LedgerLineSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        budget = selectors.budget_for(user=staff_user(request), pk=pk, what="api.budget.lines")
        return Response(LedgerLineSerializer(selectors.ledger(budget, timezone.localdate()).lines, many=True).data)


class LineUpdateSerializer(StrictSerializer):
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all(), required=False, allow_null=True)
    plan_services = serializers.PrimaryKeyRelatedField(
        queryset=PlanService.objects.select_related("version__plan"), many=True, required=False
    )


class BudgetLineView(APIView):
    """The client's choice of provider for a line, and the plan services it pays for."""

    @extend_schema(request=LineUpdateSerializer, responses={200: LedgerLineSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        line = selectors.line_for(user=staff_user(request), pk=pk, what="api.budget.line", may=policy.Ground.MAY_CHANGE)
        serializer = LineUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        by, ground = staff_user(request), line.budget.client.access_ground
        if "provider" in data:
            services.choose_provider(line=line, provider=data["provider"], by=by, ground=ground)
        if "plan_services" in data:
            services.link_plan_services(line=line, plan_services=data["plan_services"], by=by, ground=ground)
        budget = selectors.budget_with_lines(line.budget_id)
        row = next(row for row in selectors.ledger(budget, timezone.localdate()).lines if row.line.pk == pk)
        return Response(LedgerLineSerializer(row).data)


class SpendingSerializer(serializers.ModelSerializer[Spending]):
    class Meta:
        model = Spending
        fields = ["id", "line", "provider", "kind", "amount", "units", "delivered_on", "reference", "recorded_at"]


class SpendingInputSerializer(StrictSerializer):
    amount = serializers.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    delivered_on = serializers.DateField()
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all(), required=False, allow_null=True)
    units = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal(0), default=Decimal(0))
    kind = serializers.ChoiceField(choices=Spending.Kind.choices, default=Spending.Kind.INVOICE)
    reference = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(Spending, "reference")
    )


class LineSpendingView(APIView):
    """What was recorded against a line; record an invoice or a delivered service. Refused
    with a 400 naming what is left when it would overspend the line."""

    @extend_schema(responses=SpendingSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        line = selectors.line_for(user=staff_user(request), pk=pk, what="api.budget.spending")
        rows = Spending.objects.filter(line=line).order_by("-delivered_on", "-pk")
        return Response(SpendingSerializer(rows, many=True).data)

    @extend_schema(request=SpendingInputSerializer, responses={201: SpendingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        line = selectors.line_for(
            user=staff_user(request), pk=pk, what="api.budget.spending", may=policy.Ground.MAY_CHANGE
        )
        serializer = SpendingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        spending = services.record_spending(
            line=line, by=staff_user(request), ground=line.budget.client.access_ground, **serializer.validated_data
        )
        return Response(SpendingSerializer(spending).data, status=status.HTTP_201_CREATED)


class ReallocationSerializer(serializers.ModelSerializer[Reallocation]):
    class Meta:
        model = Reallocation
        fields = ["id", "from_line", "to_line", "amount", "reason", "made_at"]


class ReallocationInputSerializer(StrictSerializer):
    from_line = serializers.PrimaryKeyRelatedField(queryset=BudgetLine.objects.all(), required=False, allow_null=True)
    to_line = serializers.PrimaryKeyRelatedField(queryset=BudgetLine.objects.all())
    amount = serializers.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    reason = serializers.CharField(max_length=max_length_of(Reallocation, "reason"))


class BudgetReallocationsView(APIView):
    """Moves between lines (the total kept) and increases (no ``from_line``), each with a
    reason the client can read."""

    @extend_schema(responses=ReallocationSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        budget = selectors.budget_for(user=staff_user(request), pk=pk, what="api.budget.reallocations")
        return Response(ReallocationSerializer(selectors.reallocations_of(budget), many=True).data)

    @extend_schema(request=ReallocationInputSerializer, responses={201: ReallocationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        budget = selectors.budget_for(
            user=staff_user(request), pk=pk, what="api.budget.reallocations", may=policy.Ground.MAY_CHANGE
        )
        serializer = ReallocationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reallocation = services.reallocate(
            budget=budget, by=staff_user(request), ground=budget.client.access_ground, **serializer.validated_data
        )
        return Response(ReallocationSerializer(reallocation).data, status=status.HTTP_201_CREATED)


class ProvidersView(APIView):
    """Approved providers, optionally only those approved for one service type (its code)."""

    @extend_schema(parameters=[OpenApiParameter("service_type", str)], responses=ProviderSerializer(many=True))
    def get(self, request: Request) -> Response:
        code = query_text(request, "service_type", max_length=max_length_of(ServiceType, "code"))
        service_type = None
        if code:
            service_type = ServiceType.objects.filter(code=code).first()
            if service_type is None:
                raise serializers.ValidationError({"service_type": ["Unknown service type."]})
        return Response(ProviderSerializer(selectors.providers(service_type), many=True).data)


class ServiceTypesView(APIView):
    """The service types in use with their reference unit costs."""

    @extend_schema(responses=ServiceTypeSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ServiceTypeSerializer(selectors.service_types(), many=True).data)
