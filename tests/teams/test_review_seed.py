"""The demo gives the demo lead two teams with a year of monthly snapshots."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from teams import review, selectors
from teams.models import MonthlySnapshot


@pytest.mark.django_db
def test_the_demo_lead_reviews_two_teams_with_12_months_of_trends() -> None:
    call_command("seed", size="small", stdout=StringIO())
    lead = User.objects.get(username="lead")
    teams = review.reviewed_teams(lead)
    assert teams.count() == 2
    trends = selectors.trends(teams)
    assert len(trends) == 12
    assert all(month["open_clients"] > 0 for month in trends)
    assert MonthlySnapshot.objects.filter(coordinator__isnull=False).exists()
    result = review.build_review(teams)
    assert len(result.rows) >= 10
    assert sum(row.open_clients for row in result.rows) > 100
