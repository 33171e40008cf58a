from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access import policy
from access.decorators import staff_user
from accounts import selectors as account_selectors
from accounts.models import Role, User
from assessments import selectors as assessment_selectors
from core.api import StrictSerializer
from core.db import reading_from_replica
from core.fields import max_length_of
from teams.models import Substitution, Team, TeamMembership

from . import review, selectors, services


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
    role = serializers.CharField(
        max_length=max_length_of(TeamMembership, "role"), required=False, allow_blank=True, default=""
    )
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
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(Substitution, "reason")
    )


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
        if not policy.may_manage_team(user, membership.team):
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


class ReviewCoordinatorSerializer(serializers.Serializer[Any]):
    team_id = serializers.IntegerField(source="team.pk")
    coordinator_id = serializers.IntegerField(source="coordinator.pk")
    coordinator_name = serializers.CharField(source="coordinator.get_full_name")
    open_clients = serializers.IntegerField()
    kinds = serializers.DictField(child=serializers.IntegerField(), help_text="Open clients of each weighted kind.")
    weighted_load = serializers.DecimalField(max_digits=8, decimal_places=1)
    threshold = serializers.DecimalField(max_digits=8, decimal_places=1)
    over_threshold = serializers.BooleanField()
    away_until = serializers.DateField(allow_null=True)
    substitutes = serializers.ListField(child=serializers.CharField())
    overdue = serializers.DictField(child=serializers.IntegerField(), help_text="Overdue work by kind.")
    coming = serializers.DictField(child=serializers.IntegerField(), help_text="Work due in 30 days by kind.")
    changes_per_client_year = serializers.FloatField(allow_null=True)
    days_without_worker = serializers.IntegerField()
    same_worker_share = serializers.IntegerField(allow_null=True, help_text="Percent, over 12 months.")
    handovers = serializers.DictField(child=serializers.IntegerField(), help_text="Ended assignments by reason.")


class ReviewTeamSerializer(serializers.Serializer[Any]):
    team_id = serializers.IntegerField(source="team.pk")
    name = serializers.CharField(source="team.name")
    threshold = serializers.DecimalField(max_digits=8, decimal_places=1)
    open_clients = serializers.IntegerField()
    weighted_load = serializers.DecimalField(max_digits=10, decimal_places=1)
    over_threshold = serializers.IntegerField(help_text="Coordinators above the threshold.")
    overdue_total = serializers.IntegerField()
    coming_total = serializers.IntegerField()
    without_worker = serializers.IntegerField()
    without_worker_buckets = serializers.ListField(
        child=serializers.IntegerField(), help_text="Clients without a named worker for 0–7, 8–30 and over 30 days."
    )
    longest_without_worker = serializers.IntegerField(help_text="Days.")
    changes_per_client_year = serializers.FloatField(allow_null=True)
    days_without_worker = serializers.IntegerField()
    same_worker_share = serializers.IntegerField(allow_null=True)
    handovers = serializers.DictField(child=serializers.IntegerField())


class ReviewOutcomeSerializer(serializers.Serializer[Any]):
    domain = serializers.CharField()
    domain_id = serializers.IntegerField(allow_null=True)
    goals = serializers.IntegerField()
    client_share = serializers.IntegerField(help_text="Percent reached or improved, the client's rating.")
    professional_share = serializers.IntegerField(help_text="Percent reached or improved, the professional's rating.")
    client_average = serializers.FloatField(allow_null=True)
    professional_average = serializers.FloatField(allow_null=True)


class ReviewHeardSerializer(serializers.Serializer[Any]):
    reviewer = serializers.CharField()
    reviewer_id = serializers.IntegerField(allow_null=True)
    answers = serializers.IntegerField()
    average = serializers.FloatField(help_text="1–5.")


class ReviewPartnerSerializer(serializers.Serializer[Any]):
    partner_id = serializers.IntegerField(source="partner.pk", allow_null=True, help_text="null: the others.")
    name = serializers.CharField()
    kind = serializers.CharField(source="partner.kind", allow_null=True)
    referrals = serializers.IntegerField()
    answered = serializers.IntegerField()
    median_answer_days = serializers.FloatField(allow_null=True)
    mean_answer_days = serializers.FloatField(allow_null=True)
    bounces = serializers.IntegerField()
    returned = serializers.IntegerField()
    refused = serializers.IntegerField()
    redirected = serializers.IntegerField()
    unanswered = serializers.IntegerField(help_text="Still unanswered after 30 days.")


class ReviewSerializer(serializers.Serializer[Any]):
    today = serializers.DateField()
    teams = ReviewTeamSerializer(many=True)
    coordinators = ReviewCoordinatorSerializer(many=True, source="rows")
    outcomes = ReviewOutcomeSerializer(many=True)
    heard = ReviewHeardSerializer(many=True, help_text="How the clients felt heard at plan reviews, by reviewer.")
    uncovered = serializers.SerializerMethodField(help_text="Uncovered slots per life domain and time of day.")
    services_not_started = serializers.IntegerField()
    referrals_unanswered = serializers.ListField(
        child=serializers.DictField(),
        help_text="Per partner (partner: its id, null for another counterpart named in free text): "
        "counterpart (the name), n (referrals) and clients.",
    )
    referral_partners = ReviewPartnerSerializer(
        many=True, help_text="Referrals of the last 12 months per partner: answer times, bounces, unanswered."
    )

    def get_uncovered(self, result: review.Review) -> dict[str, dict[str, int]]:
        times = [value for value, _ in result.times_of_day]
        return {row.domain: dict(zip(times, row.counts, strict=True)) for row in result.uncovered}


class ReviewFilterSerializer(StrictSerializer):
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class TrendMonthSerializer(serializers.Serializer[Any]):
    month = serializers.DateField()
    figures = serializers.SerializerMethodField(
        help_text="Every figure the month's snapshots keep, the teams' combined (null: not kept that month); "
        "handovers and overdue_by_kind per end reason and kind of work."
    )

    def get_figures(self, month: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in month.items() if name != "month"}


class CoordinatorTrendSerializer(serializers.Serializer[Any]):
    team_id = serializers.IntegerField(source="team.pk")
    coordinator_id = serializers.IntegerField(source="coordinator.pk")
    coordinator_name = serializers.CharField(source="coordinator.get_full_name")
    months = serializers.ListField(
        child=serializers.DictField(allow_null=True),
        help_text="Per month of coordinator_months, the coordinator's figures (null: no snapshot).",
    )


class TrendsSerializer(serializers.Serializer[Any]):
    teams = TrendMonthSerializer(many=True, help_text="The last 12 months of the teams' figures.")
    coordinator_months = serializers.ListField(child=serializers.DateField())
    coordinators = CoordinatorTrendSerializer(many=True)


class ReviewFiguresSerializer(ReviewSerializer):
    trends = TrendsSerializer(help_text="Month by month from the monthly snapshots, never recomputed.")


class ReviewFiguresView(APIView):
    """The team lead's review (same figures as the page): caseloads and weighted load, work
    overdue and coming, clients without a named worker, continuity, outcomes, unmet needs;
    for all the teams you lead, or one (``team``)."""

    @extend_schema(parameters=[ReviewFilterSerializer], responses=ReviewFiguresSerializer)
    @reading_from_replica()
    def get(self, request: Request) -> Response:
        user = staff_user(request)
        if not policy.may_review_teams(user):
            raise PermissionDenied
        filters = ReviewFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        teams = review.reviewed_teams(user, filters.validated_data.get("team"))
        result = review.build_review(teams)
        coordinator_months, coordinators = selectors.coordinator_trends(teams)
        history = {
            "teams": selectors.trends(teams),
            "coordinator_months": coordinator_months,
            "coordinators": coordinators,
        }
        return Response({**ReviewSerializer(result).data, "trends": TrendsSerializer(history).data})


class DrillDownSerializer(StrictSerializer):
    """One number of the review, named as the page's links name it."""

    metric = serializers.ChoiceField(choices=review.DRILL_METRICS)
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    coordinator = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1, default=None)
    kind = serializers.ChoiceField(choices=review.DRILL_KINDS, required=False, default="")
    domain = serializers.IntegerField(
        required=False, min_value=review.NO_DOMAIN, max_value=2**31 - 1, default=None, help_text="0: no life domain."
    )
    time = serializers.ChoiceField(
        choices=[value for value, _label in assessment_selectors.times_of_day()], required=False, default=""
    )
    counterpart = serializers.CharField(
        required=False, max_length=200, default="", help_text="Unanswered referrals: another counterpart's free text."
    )
    partner = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, default=None, help_text="Unanswered referrals: a partner."
    )

    def figure(self) -> review.Figure:
        data = self.validated_data
        return review.Figure(
            metric=data["metric"],
            coordinator=data["coordinator"],
            kind=data["kind"],
            domain=data["domain"],
            time=data["time"],
            counterpart=data["counterpart"],
            partner=data["partner"],
        )


class DrillDownClientSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="full_name")
    municipality = serializers.CharField()
    relationship_started_on = serializers.DateField()
    named_worker_id = serializers.IntegerField(allow_null=True)
    named_worker_name = serializers.SerializerMethodField()

    def get_named_worker_name(self, client: Any) -> str:
        return f"{client.named_worker_first or ''} {client.named_worker_last or ''}".strip()


class DrillDownResultSerializer(serializers.Serializer[Any]):
    figure = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    clients = DrillDownClientSerializer(many=True)


class ReviewClientsView(APIView):
    """The clients behind one number of the review (the page's drill-down): only those you may
    see, and the list is logged as read. Not paginated: the page shows the whole list too."""

    @extend_schema(parameters=[DrillDownSerializer], responses=DrillDownResultSerializer)
    def get(self, request: Request) -> Response:
        user = staff_user(request)
        if not policy.may_review_teams(user):
            raise PermissionDenied
        query = DrillDownSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        figure = query.figure()
        teams = review.reviewed_teams(user, query.validated_data.get("team"))
        shown = review.clients_behind(user, teams, figure)
        body = {"figure": [list(part) for part in review.describe_figure(figure)], "clients": shown}
        return Response(DrillDownResultSerializer(body).data)


class EndingsRowSerializer(serializers.Serializer[Any]):
    team = serializers.CharField()
    team_id = serializers.IntegerField(allow_null=True, help_text="null: the total of all the teams.")
    planned = serializers.IntegerField()
    unplanned = serializers.IntegerField()
    planned_share = serializers.IntegerField(allow_null=True, help_text="Per cent; null when none ended.")
    views = serializers.SerializerMethodField(help_text="Endings by the client's view of whether coordination helped.")

    def get_views(self, row: review.EndingsRow) -> dict[str, int]:
        return dict(zip(self.context["views"], row.views, strict=True))


class EndingsSerializer(serializers.Serializer[Any]):
    since = serializers.DateField()
    until = serializers.DateField()
    rows = serializers.SerializerMethodField()

    @extend_schema_field(EndingsRowSerializer(many=True))
    def get_rows(self, figures: review.Endings) -> Any:
        views = [value for value, _label in figures.views]
        return EndingsRowSerializer(figures.rows, many=True, context={"views": views}).data


class ReviewEndingsView(APIView):
    """Endings of coordination in the last 12 months (the review page's section): planned
    against unplanned per team, with the clients' views of whether it helped; for all the teams
    you lead, or one (``team``)."""

    @extend_schema(parameters=[ReviewFilterSerializer], responses=EndingsSerializer)
    @reading_from_replica()
    def get(self, request: Request) -> Response:
        user = staff_user(request)
        if not policy.may_review_teams(user):
            raise PermissionDenied
        filters = ReviewFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        teams = review.reviewed_teams(user, filters.validated_data.get("team"))
        return Response(EndingsSerializer(review.endings(teams)).data)
