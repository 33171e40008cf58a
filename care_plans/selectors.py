"""Reads of care plans: a client's versions, one version with its content, the draft as the
editable document, decisions not yet in the plan, the comparison of two versions and the goal
outcomes team leads see. Each costs a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from access import policy
from access import selectors as access_selectors
from access.models import Section
from accounts.models import User
from clients.models import Client
from core.lookups import among
from networks import selectors as network_selectors
from networks.models import Decision, NetworkMember

from .models import (
    CarePlan,
    Disagreement,
    GoalAction,
    GoalOutcome,
    NetworkGoalRating,
    NetworkReviewView,
    PlanGoal,
    PlanPdf,
    PlanReview,
    PlanVersion,
)

CHANGE_KINDS = ("added", "removed", "changed")
CHANGE_AREAS = ("plan", "goal", "action", "service", "disagreement")


def versions_within_reach(client: Client) -> QuerySet[PlanVersion]:
    """The client's plan versions that the user who opened ``client`` may read (a returning
    client's new worker: those written since the return and the last one before it)."""
    return policy.within_the_new_work(
        PlanVersion.objects.filter(plan__client=client),
        client,
        earlier=lambda returned: (
            Q(published_at__lt=returned.created_at) | Q(published_at__isnull=True, updated_at__lt=returned.created_at)
        ),
        newest=("-number",),
    )


def versions_of(client: Client) -> QuerySet[PlanVersion]:
    """The client's plan versions, newest first, with the PDF's status (not its bytes) and the
    number of goals: two queries whatever their number."""
    return (
        versions_within_reach(client)
        .select_related("published_by", "pdf")
        .defer("pdf__content")
        .annotate(goal_count=Count("goals", distinct=True), disagreement_count=Count("disagreements", distinct=True))
        .order_by("-number")
    )


def version_with_content(pk: int) -> PlanVersion:
    """One version with its goals and their actions, services, disagreements and reviews."""
    actions = GoalAction.objects.select_related("professional", "network_member", "decision")
    goals = PlanGoal.objects.select_related("domain").prefetch_related(Prefetch("actions", queryset=actions))
    disagreements = Disagreement.objects.select_related("goal", "service")
    reviews = PlanReview.objects.select_related("reviewed_by").prefetch_related(
        Prefetch("outcomes", queryset=GoalOutcome.objects.select_related("goal")),
        Prefetch("network_views", queryset=network_views()),
    )
    return (
        PlanVersion.objects.select_related("plan__client", "published_by", "updated_by", "assessment")
        .prefetch_related(
            Prefetch("goals", queryset=goals),
            "services",
            Prefetch("disagreements", queryset=disagreements),
            Prefetch("reviews", queryset=reviews),
        )
        .get(pk=pk)
    )


def pdf_status(version: PlanVersion) -> PlanPdf | None:
    """The version's PDF without its bytes, or None if none was asked for."""
    return PlanPdf.objects.defer("content").filter(version=version).first()


def pdfs_being_rendered(limit: int = 500) -> list[tuple[int, str, datetime | None]]:
    """(version id, worker, taken at) of the pending PDFs a worker has taken, oldest first."""
    taken = PlanPdf.objects.filter(status=PlanPdf.Status.PENDING).exclude(taken_by="").order_by("taken_at")
    return list(taken.values_list("version_id", "taken_by", "taken_at")[:limit])


def draft_content(version: PlanVersion) -> dict[str, Any]:
    """The version as the document ``plan_services.save_draft`` takes: pages change one part
    of it and save it whole; the API hands it out. Items carry their keys. Works on the
    prefetched rows of ``version_with_content``."""
    goals = list(version.goals.all())
    return {
        "client_wishes": version.client_wishes,
        "strengths_client": version.strengths_client,
        "strengths_professional": version.strengths_professional,
        "backup_plan": version.backup_plan,
        "review_on": version.review_on,
        "goals": [
            {
                "key": str(goal.key),
                "client_words": goal.client_words,
                "professional_words": goal.professional_words,
                "domain": goal.domain.code if goal.domain else "",
                "actions": [
                    {
                        "key": str(action.key),
                        "text": action.text,
                        "responsible": action.responsible,
                        "professional": action.professional_id,
                        "network_member": action.network_member_id,
                        "due_on": action.due_on,
                        "decision": action.decision_id,
                        "work_measure": action.work_measure,
                    }
                    for action in goal.actions.all()
                ],
            }
            for goal in goals
        ],
        "services": [
            {
                "key": str(service.key),
                "service": service.service,
                "provider": service.provider,
                "amount": service.amount,
                "slots": list(service.slots),
                "starts_on": service.starts_on,
                "backup": service.backup,
            }
            for service in version.services.all()
        ],
        "disagreements": [
            {
                "key": str(d.key),
                "subject": d.subject,
                "goal": str(d.goal.key) if d.goal else None,
                "service": str(d.service.key) if d.service else None,
                "client_position": d.client_position,
                "professional_position": d.professional_position,
                "reasons": d.reasons,
            }
            for d in version.disagreements.all()
        ],
    }


def decisions_not_in_plan(client: Client) -> list[Decision]:
    """Open decisions of the client's network meetings that no version of the plan has taken
    up as an action yet."""
    return list(
        Decision.objects.filter(meeting__client=client, done_on__isnull=True, plan_actions__isnull=True)
        .select_related("meeting", "responsible_professional", "responsible_member")
        .order_by("due_on", "pk")
    )


@dataclass(frozen=True)
class PlanChange:
    area: str  # one of CHANGE_AREAS
    kind: str  # one of CHANGE_KINDS
    label: str
    before: str = ""
    after: str = ""


def _texts(version: PlanVersion) -> dict[str, tuple[str, dict[str, str]]]:
    """Every item of a version by area and key: its label and its comparable fields."""
    items: dict[str, tuple[str, dict[str, str]]] = {}
    for goal in version.goals.all():
        items[f"goal:{goal.key}"] = (
            goal.client_words,
            {_("in the client's words"): goal.client_words, _("in professional terms"): goal.professional_words},
        )
        for action in goal.actions.all():
            items[f"action:{action.key}"] = (
                action.text,
                {
                    _("what is done"): action.text,
                    _("who does it"): action.responsible_name,
                    _("by"): action.due_on.isoformat() if action.due_on else "",
                },
            )
    for service in version.services.all():
        items[f"service:{service.key}"] = (
            service.service,
            {
                _("service"): service.service,
                _("provider"): service.provider,
                _("amount"): service.amount,
                _("times of the week"): ", ".join(service.slot_labels()),
                _("starts on"): service.starts_on.isoformat() if service.starts_on else "",
                _("if the service fails"): service.backup,
            },
        )
    for d in version.disagreements.all():
        items[f"disagreement:{d.key}"] = (
            d.client_position,
            {
                _("the client's position"): d.client_position,
                _("the professional's position"): d.professional_position,
                _("reasons"): d.reasons,
            },
        )
    return items


def compare(older: PlanVersion, newer: PlanVersion) -> list[PlanChange]:
    """What changed from ``older`` to ``newer``: the plan's own fields, and goals, actions,
    services and disagreements added, removed or changed (followed by their keys). Takes
    versions loaded with ``version_with_content``."""
    changes: list[PlanChange] = []
    for name in ("client_wishes", "strengths_client", "strengths_professional", "backup_plan", "review_on"):
        before, after = getattr(older, name), getattr(newer, name)
        if before != after:
            label = str(getattr(PlanVersion._meta.get_field(name), "verbose_name", name))
            changes.append(PlanChange("plan", "changed", label, str(before or ""), str(after or "")))
    old, new = _texts(older), _texts(newer)
    for key in [*old, *(k for k in new if k not in old)]:
        area = key.split(":", 1)[0]
        if key not in new:
            changes.append(PlanChange(area, "removed", old[key][0], before=old[key][0]))
        elif key not in old:
            changes.append(PlanChange(area, "added", new[key][0], after=new[key][0]))
        else:
            for field, value in new[key][1].items():
                previous = old[key][1].get(field, "")
                if previous != value:
                    changes.append(PlanChange(area, "changed", f"{new[key][0]} — {field}", previous, value))
    return changes


def goal_outcomes(clients: QuerySet[Client]) -> dict[str, Any]:
    """The average outcome ratings (1–5) by client and by professional and the number of goals
    rated, over the latest review of each of ``clients``' plans: the team lead's outcome figure."""
    latest_reviews = (
        PlanReview.objects.filter(version__plan__client__in=clients)
        .order_by("version__plan_id", "-held_on", "-pk")
        .distinct("version__plan_id")
        .values("pk")
    )
    return GoalOutcome.objects.filter(review__in=latest_reviews).aggregate(
        goals=Count("pk"), client=Avg("client_rating"), professional=Avg("professional_rating")
    )


def version_for(*, user: User, pk: int, what: str, may: frozenset[str] | None = None) -> PlanVersion:
    """The version with its content, opened through its client: authorised and logged."""
    client = access_selectors.client_of(
        PlanVersion, pk, user=user, what=what, section=Section.PLAN, through="plan__client", may=may
    )
    if policy.limits_earlier_record(client) and not versions_within_reach(client).filter(pk=pk).exists():
        raise Http404
    version = version_with_content(pk)
    version.plan.client = client
    return version


def clients_with_published_plan() -> QuerySet[CarePlan, Any]:
    """The clients with a published care plan, as ``client`` ids (a client without one weighs
    more in the team review)."""
    return CarePlan.objects.filter(versions__status=PlanVersion.Status.PUBLISHED).values("client")


# A goal rated at least this (1–5) counts as reached or improved.
GOAL_REACHED_FROM = 3


def _latest_review_outcomes(clients: QuerySet[Any, Any] | list[int]) -> QuerySet[GoalOutcome]:
    """The goal outcomes of the latest review of each of ``clients``' plans."""
    latest_reviews = (
        PlanReview.objects.filter(among("version__plan__client", clients))
        .order_by("version__plan_id", "-held_on", "-pk")
        .distinct("version__plan_id")
        .values("pk")
    )
    return GoalOutcome.objects.filter(review__in=latest_reviews)


def goal_outcome_clients(
    clients: QuerySet[Any, Any] | list[int], *, domain: int | None, reached_by: str = ""
) -> QuerySet[GoalOutcome, Any]:
    """The client ids behind one row of ``goal_outcomes_by_domain``: goals of life domain
    ``domain`` (``None``: goals without one) rated at the latest review, and with
    ``reached_by`` ``"client"`` or ``"professional"`` only those that rater counts as reached."""
    outcomes = _latest_review_outcomes(clients)
    outcomes = outcomes.filter(goal__domain__isnull=True) if domain is None else outcomes.filter(goal__domain=domain)
    if reached_by == "client":
        outcomes = outcomes.filter(client_rating__gte=GOAL_REACHED_FROM)
    elif reached_by == "professional":
        outcomes = outcomes.filter(professional_rating__gte=GOAL_REACHED_FROM)
    return outcomes.values("review__version__plan__client")


def goal_outcomes_by_domain(clients: QuerySet[Any, Any] | list[int]) -> QuerySet[GoalOutcome, Any]:
    """The outcomes of goals at the latest review of each of ``clients``' plans, per life domain
    of the goal: how many were rated, how many the client and the professional count as reached
    or improved (rating ≥ ``GOAL_REACHED_FROM``), and both average ratings side by side."""
    return (
        _latest_review_outcomes(clients)
        .order_by()
        .values("goal__domain")
        .annotate(
            goals=Count("pk"),
            client_reached=Count("pk", filter=Q(client_rating__gte=GOAL_REACHED_FROM)),
            professional_reached=Count("pk", filter=Q(professional_rating__gte=GOAL_REACHED_FROM)),
            client_average=Avg("client_rating"),
            professional_average=Avg("professional_rating"),
        )
    )


# The network's voice in a review


def network_views() -> QuerySet[NetworkReviewView]:
    """Network members' views of reviews with who said them and their goal ratings, to prefetch
    (two queries)."""
    ratings = NetworkGoalRating.objects.select_related("goal")
    return NetworkReviewView.objects.select_related("network_member", "recorded_by", "consent").prefetch_related(
        Prefetch("ratings", queryset=ratings)
    )


@dataclass(frozen=True)
class GoalVoices:
    """One goal at a review: the client's and the professional's rating (the review's own
    outcome), and beside them each network member's rating (None where they gave none)."""

    goal: PlanGoal
    outcome: GoalOutcome | None
    network: list[tuple[NetworkReviewView, int | None]]


def voices_of(review: PlanReview, goals: list[PlanGoal]) -> list[GoalVoices]:
    """Goal by goal, every rating of ``review`` side by side. Works on the prefetched rows of
    ``version_with_content`` or ``review_for``: no further queries."""
    outcomes = {outcome.goal_id: outcome for outcome in review.outcomes.all()}
    views = list(review.network_views.all())
    given = {(view.pk, rating.goal_id): rating.rating for view in views for rating in view.ratings.all()}
    return [
        GoalVoices(goal, outcomes.get(goal.pk), [(view, given.get((view.pk, goal.pk))) for view in views])
        for goal in goals
    ]


def review_for(*, user: User, pk: int, what: str, may: frozenset[str] | None = None) -> PlanReview:
    """A review with its version's content, its outcomes and the network's views, opened
    through its client: authorised and logged."""
    client = access_selectors.client_of(
        PlanReview, pk, user=user, what=what, section=Section.PLAN, through="version__plan__client", may=may
    )
    version_pk = PlanReview.objects.filter(pk=pk).values_list("version_id", flat=True).get()
    if policy.limits_earlier_record(client) and not versions_within_reach(client).filter(pk=version_pk).exists():
        raise Http404
    version = version_with_content(version_pk)
    version.plan.client = client
    review = next(review for review in version.reviews.all() if review.pk == pk)
    review.version = version
    return review


def network_members_for_views(client: Client) -> QuerySet[NetworkMember]:
    """The client's current network, each marked ``has_consent`` where a consent to share the
    care plan is in force today: the people whose view of a review may be recorded."""
    return network_selectors.members_with_consent(client, Section.PLAN)
