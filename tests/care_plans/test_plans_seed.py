"""The demo seed's care plans: published versions and a draft per plan, reviews, and the demo
coordinator's PDFs rendered."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from care_plans.models import (
    CarePlan,
    Disagreement,
    GoalOutcome,
    NetworkGoalRating,
    NetworkReviewView,
    PlanPdf,
    PlanVersion,
)


@pytest.mark.django_db
def test_the_seed_makes_plans_with_versions_and_a_draft() -> None:
    call_command("seed", size="small", stdout=StringIO())
    plans = CarePlan.objects.annotate(
        drafts=Count("versions", filter=Q(versions__status="draft")),
        published=Count("versions", filter=Q(versions__status="published")),
    )
    assert plans.count() >= 50
    assert all(plan.drafts == 1 and 1 <= plan.published <= 3 for plan in plans)
    assert Disagreement.objects.filter(version__status="published").exists()
    assert GoalOutcome.objects.exists()
    assert not PlanVersion.objects.filter(status="draft", published_at__isnull=False).exists()
    demo_pdfs = PlanPdf.objects.filter(version__plan__client__assignments__coordinator__username="coordinator")
    assert demo_pdfs.exists()
    assert set(demo_pdfs.values_list("status", flat=True)) == {PlanPdf.Status.READY}
    # The demo shows a relative's view at a review, under the client's consent to share the plan.
    views = NetworkReviewView.objects.filter(
        review__version__plan__client__assignments__coordinator__username="coordinator"
    ).select_related("consent")
    assert views.exists()
    today = timezone.localdate()
    assert all(view.consent.in_force(today) and "plan" in view.consent.sections for view in views)
    assert NetworkGoalRating.objects.filter(view__in=views).exists()
