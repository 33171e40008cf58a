"""The team lead's figure of endings: planned against unplanned, with the clients' views of
whether coordination helped, on the review page, in the API and in the export."""

import csv
import datetime
import io

from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access.policy import Ground
from accounts.models import User
from clients import services as client_services
from clients.models import Client, ClosureReason
from teams import review
from teams.models import Team
from tests.conftest import World

TODAY = timezone.localdate()


def signed_in(user: User) -> Browser:
    user.language = "en"
    user.save(update_fields=["language"])
    browser = Browser()
    browser.force_login(user)
    return browser


def close(world: World, client: Client, reason: str, view: str, *, days_ago: int = 10) -> None:
    client_services.close_client(
        client=client,
        by=world.lead,
        ground=Ground.TEAM_LEAD,
        closed_on=TODAY - datetime.timedelta(days=days_ago),
        reason=reason,
        summary="Yhteenveto.",
        reached="Arki sujuu.",
        client_view=view,
    )


def row_of(figures: review.Endings, team: Team) -> review.EndingsRow:
    return next(row for row in figures.rows if row.team_id == team.pk)


def test_counts_planned_against_unplanned_per_team(world: World) -> None:
    # closed_client (team A) closed 150 days ago: goals met, the client says it helped.
    close(world, world.own_client, ClosureReason.DECLINED, "did_not_help")
    close(world, world.colleague_client, ClosureReason.SERVICES_CONTINUE, "partly")
    close(world, world.other_client, ClosureReason.MOVED, "not_asked")
    figures = review.endings(Team.objects.filter(pk__in=[world.team_a.pk, world.team_b.pk]))
    team_a = row_of(figures, world.team_a)
    assert (team_a.planned, team_a.unplanned, team_a.planned_share) == (2, 1, 67)
    views = [value for value, _label in figures.views]
    assert dict(zip(views, team_a.views, strict=True)) == {"helped": 1, "partly": 1, "did_not_help": 1, "not_asked": 0}
    team_b = row_of(figures, world.team_b)
    assert (team_b.planned, team_b.unplanned) == (0, 1)
    total = figures.rows[-1]
    assert (total.team_id, total.planned, total.unplanned) == (None, 2, 2)


def test_endings_older_than_a_year_are_left_out(world: World) -> None:
    close(world, world.own_client, ClosureReason.GOALS_MET, "helped", days_ago=400)
    team_a = row_of(review.endings(Team.objects.filter(pk=world.team_a.pk)), world.team_a)
    assert (team_a.planned, team_a.unplanned) == (1, 0)  # closed_client only


def test_the_page_api_and_export_show_it(world: World, api: APIClient) -> None:
    close(world, world.own_client, ClosureReason.DECLINED, "did_not_help")
    page = signed_in(world.lead).get(reverse("team-review-figures")).content.decode()
    assert 'id="endings-heading"' in page
    api.force_login(world.lead)
    body = api.get(reverse("api-team-review-endings")).json()
    (row,) = [r for r in body["rows"] if r["team_id"] == world.team_a.pk]
    assert (row["planned"], row["unplanned"], row["views"]["did_not_help"]) == (1, 1, 1)
    exported = signed_in(world.lead).get(reverse("team-review-export", args=["endings", "csv"]))
    assert exported.status_code == 200
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert ["Tiimi A", "1", "1", "50", "1", "0", "1", "0"] in lines


def test_one_query_whatever_the_number_of_endings(world: World) -> None:
    teams = Team.objects.filter(pk__in=[world.team_a.pk, world.team_b.pk])
    with CaptureQueriesContext(connection) as few:
        review.endings(teams)
    close(world, world.own_client, ClosureReason.DECLINED, "did_not_help")
    close(world, world.other_client, ClosureReason.MOVED, "not_asked")
    with CaptureQueriesContext(connection) as more:
        review.endings(teams)
    assert len(more) == len(few) == 2
