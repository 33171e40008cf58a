"""The review's trends: every figure the monthly snapshots keep, month by month for 12 months,
on the page, in the API and in the CSV/XLSX export alike; per coordinator one figure at a time."""

import csv
import datetime
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from teams import selectors, services
from teams.models import MonthlySnapshot, Team, TeamMembership
from tests.conftest import World

REVIEW = reverse("team-review-figures")
API = reverse("api-team-review-figures")
# Counts a snapshot keeps only to combine teams: the trends show the share and average made of them.
INGREDIENTS = {"long_clients", "same_worker_12m", "heard_rating_total"}


def signed_in(user: User) -> Browser:
    user.language = "en"
    user.save(update_fields=["language"])
    browser = Browser()
    browser.force_login(user)
    return browser


def months_back(count: int) -> list[datetime.date]:
    """The first days of the ``count`` months before this one, oldest first."""
    month = timezone.localdate().replace(day=1)
    months = []
    for _ in range(count):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def export_rows(browser: Browser, table: str, query: dict[str, Any] | None = None) -> list[list[str]]:
    response = browser.get(reverse("team-review-export", args=[table, "csv"]), query or {})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def shown(value: Any) -> str:
    return "" if value is None else str(value)


class TestEveryStoredFigure:
    def test_the_page_shows_a_row_for_every_figure_a_snapshot_keeps(self, world: World) -> None:
        services.write_monthly_snapshots()
        kept = MonthlySnapshot.objects.get(team=world.team_a, coordinator=None).figures
        rows = signed_in(world.lead).get(REVIEW).context["trend_rows"]
        names = {row.name.split(".")[0] for row in rows}
        assert set(kept) - INGREDIENTS <= names
        by_name = {row.name: row.values for row in rows}
        assert by_name["open_clients"] == [2]
        assert by_name["overdue_by_kind.referral_follow_up"] == [1]
        assert by_name["referrals_unanswered"] == [1]
        assert by_name["handovers.closure"] == [1]
        assert by_name["same_worker_share"] == [kept["same_worker_share"]]

    def test_twelve_months_on_the_page_in_the_api_and_in_the_export(self, world: World) -> None:
        for back, month in enumerate(reversed(months_back(14))):
            MonthlySnapshot.objects.create(
                team=world.team_a,
                month=month,
                figures={"open_clients": 100 + back, "coming": back, "handovers": {"handover": back}},
            )
        browser = signed_in(world.lead)
        rows = {row.name: row.values for row in browser.get(REVIEW).context["trend_rows"]}
        assert rows["open_clients"] == [100 + back for back in range(11, -1, -1)]
        assert rows["handovers.handover"] == list(range(11, -1, -1))
        # A figure this history never kept is a dash, not a zero.
        assert rows["worker_changes"] == [None] * 12

        api = APIClient()
        api.force_login(world.lead)
        history = api.get(API).json()["trends"]["teams"]
        assert [m["month"] for m in history] == [m.isoformat() for m in months_back(12)]
        assert [m["figures"]["coming"] for m in history] == rows["coming"]

        exported = export_rows(browser, "trends", {"team": world.team_a.pk})
        header = exported.index(["Figure", *(m.strftime("%Y-%m") for m in months_back(12))])
        lines = {line[0]: line[1:] for line in exported[header + 1 :]}
        for row in browser.get(REVIEW).context["trend_rows"]:
            assert lines[row.label] == [shown(v) for v in row.values]

    def test_teams_combine_by_their_counts_and_a_figure_one_team_lacks_is_left_out(self, world: World) -> None:
        TeamMembership.objects.create(
            team=world.team_b, user=world.lead, kind=TeamMembership.Kind.LEAD, started_on=world.team_since
        )
        month = months_back(1)[0]
        MonthlySnapshot.objects.create(
            team=world.team_a,
            month=month,
            figures={"long_clients": 10, "same_worker_12m": 5, "heard_answers": 1, "heard_rating_total": 2},
        )
        MonthlySnapshot.objects.create(
            team=world.team_b,
            month=month,
            figures={"long_clients": 30, "same_worker_12m": 30, "heard_answers": 3, "heard_rating_total": 15},
        )
        both = selectors.trends(Team.objects.filter(pk__in=[world.team_a.pk, world.team_b.pk]))
        assert both[0]["same_worker_share"] == 88  # 35 of 40, not the mean of 50 % and 100 %
        assert both[0]["heard_average"] == 4.2  # 17 / 4
        assert both[0]["open_clients"] is None

    def test_the_page_costs_the_same_queries_for_one_month_or_twelve(self, world: World) -> None:
        browser = signed_in(world.lead)
        services.write_monthly_snapshots()

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert browser.get(REVIEW).status_code == 200
            return len(queries)

        small = count()
        for month in months_back(12)[:-1]:
            services.write_monthly_snapshots(today=month + datetime.timedelta(days=40))
        assert MonthlySnapshot.objects.filter(coordinator=None, team=world.team_a).count() == 12
        assert count() == small


class TestPerCoordinator:
    def test_one_figure_per_coordinator_month_by_month_and_its_export(self, world: World) -> None:
        for month in months_back(2):
            services.write_monthly_snapshots(today=month + datetime.timedelta(days=40))
        browser = signed_in(world.lead)
        query = {"trend": "overdue_by_kind.referral_follow_up"}
        context = browser.get(REVIEW, query).context
        assert context["coordinator_months"] == months_back(2)
        values = {row.coordinator: row_values for row, row_values in context["coordinator_trends"]}
        assert values[world.coordinator] == [1, 1]
        assert values[world.colleague] == [0, 0]
        exported = export_rows(browser, "coordinator_trends", query)
        assert any(line and line[0].startswith("Figure: Overdue: ") for line in exported)
        line = next(line for line in exported if world.coordinator.get_full_name() in line)
        assert line[2:] == ["1", "1"]

    def test_the_api_gives_every_figure_of_each_coordinator(self, world: World) -> None:
        services.write_monthly_snapshots()
        api = APIClient()
        api.force_login(world.lead)
        trends = api.get(API).json()["trends"]
        row = next(r for r in trends["coordinators"] if r["coordinator_id"] == world.coordinator.pk)
        kept = MonthlySnapshot.objects.get(coordinator=world.coordinator).figures
        assert set(kept) <= set(row["months"][0])
        assert row["months"][0]["overdue_by_kind"] == {"referral_follow_up": 1}

    @pytest.mark.parametrize("trend", ["nope", "\x00", "handovers.", "long_clients"])
    def test_an_unknown_figure_is_a_400(self, world: World, trend: str) -> None:
        browser = signed_in(world.lead)
        assert browser.get(REVIEW, {"trend": trend}).status_code == 400
        assert (
            browser.get(reverse("team-review-export", args=["coordinator_trends", "csv"]), {"trend": trend}).status_code
            == 400
        )
