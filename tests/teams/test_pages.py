"""The organisation's pages: the teams a user may see, and a team's members over time."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.factories import CoordinatorFactory, TeamMemberFactory
from accounts.models import User
from teams.factories import TeamFactory, TeamMembershipFactory
from teams.models import TeamMembership
from tests.conftest import World
from tests.networks.test_pages import TODAY, counts, fi, query_count, signed_in, text


class TestTeams:
    url = reverse("teams")

    def test_a_coordinator_sees_their_own_teams_with_current_sizes(self, world: World) -> None:
        response = signed_in(world.coordinator).get(self.url)
        assert response.status_code == 200
        page = text(response)
        assert world.team_a.name in page
        assert world.team_b.name not in page
        team = response.context["teams"][0]
        # Five members and the lead.
        assert (team, team.member_count) == (world.team_a, 6)
        assert reverse("team-detail", args=[world.team_a.pk]) in page

    def test_an_administrator_sees_every_team(self, world: World) -> None:
        response = signed_in(world.admin).get(self.url)
        assert [team.name for team in response.context["teams"]] == ["Tiimi A", "Tiimi B"]

    def test_the_navigation_links_to_the_teams(self, world: World) -> None:
        page = text(signed_in(world.member).get(reverse("caseload")))
        assert f'href="{self.url}"' in page

    def test_the_query_count_does_not_grow_with_the_teams(self, world: World) -> None:
        browser = signed_in(world.admin)
        few = query_count(browser, self.url)
        for number in range(12):
            team = TeamFactory(name=f"Lisätiimi {number}")
            TeamMembershipFactory(team=team, user=world.colleague, started_on=world.team_since)
        assert query_count(browser, self.url) == few


class TestTeamDetail:
    def url(self, world: World, team: Any = None) -> str:
        return reverse("team-detail", args=[(team or world.team_a).pk])

    def data(self, person: User, **changes: Any) -> dict[str, Any]:
        return {
            "user": person.pk,
            "kind": "member",
            "role": "Sosiaaliohjaaja",
            "started_on": TODAY.isoformat(),
            **changes,
        }

    def test_members_over_time_with_profession_kind_role_and_dates(self, world: World) -> None:
        left = TODAY - datetime.timedelta(days=30)
        TeamMembership.objects.filter(user=world.past_substitute).update(ended_on=left)
        response = signed_in(world.coordinator).get(self.url(world))
        assert response.status_code == 200
        page = text(response)
        for user in (world.coordinator, world.member, world.lead):
            assert user.get_full_name() in page
        with translation.override("fi"):
            assert world.member.get_profession_display() in page
            assert str(TeamMembership.Kind.LEAD.label) in page
        assert f"{left.day}.{left.month}.{left.year}" in page
        assert response.context["memberships"][-1].user == world.past_substitute
        # A member of the team reads it but does not manage it.
        assert response.context["form"] is None
        assert 'name="started_on"' not in page

    def test_the_person_picker_offers_people_only(self, world: World) -> None:
        """django-guardian's "AnonymousUser" account is not made, so no picker offers it."""
        assert not User.objects.filter(username="AnonymousUser").exists()
        form = signed_in(world.lead).get(self.url(world)).context["form"]
        offered = [str(label) for _value, label in form.fields["user"].choices]
        assert any(world.colleague.get_full_name() in label for label in offered)
        assert not any("AnonymousUser" in label for label in offered)

    def test_the_lead_adds_a_member(self, world: World) -> None:
        newcomer = CoordinatorFactory(username="newcomer")
        response = signed_in(world.lead).post(self.url(world), self.data(newcomer))
        assert response.status_code == 302
        assert response["Location"] == self.url(world)
        membership = TeamMembership.objects.get(user=newcomer)
        assert (membership.team, membership.kind, membership.started_on) == (world.team_a, "member", TODAY)

    def test_an_administrator_adds_a_lead(self, world: World) -> None:
        response = signed_in(world.admin).post(self.url(world, world.team_b), self.data(world.lead, kind="lead"))
        assert response.status_code == 302
        assert TeamMembership.objects.filter(team=world.team_b, user=world.lead, kind="lead").exists()

    def test_a_member_of_the_team_may_not_add_members(self, world: World) -> None:
        before = counts()
        newcomer = CoordinatorFactory(username="newcomer")
        response = signed_in(world.coordinator).post(self.url(world), self.data(newcomer))
        assert response.status_code == 403
        assert counts() == before

    def test_a_team_not_among_the_users_teams_is_not_found(self, world: World) -> None:
        assert signed_in(world.coordinator).get(self.url(world, world.team_b)).status_code == 404
        assert signed_in(world.lead).post(self.url(world, world.team_b), self.data(world.lead)).status_code == 404

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            pytest.param({"started_on": ""}, "started_on", id="no start"),
            pytest.param({"started_on": "2026-02-30"}, "started_on", id="no such date"),
            pytest.param({"kind": "boss"}, "kind", id="unknown kind"),
            pytest.param({"user": "999999"}, "user", id="unknown person"),
            pytest.param({"role": "x" * 201}, "role", id="role too long"),
        ],
    )
    def test_bad_input_is_a_400_and_saves_nothing(self, world: World, change: dict[str, Any], field: str) -> None:
        before = counts()
        response = signed_in(world.lead).post(self.url(world), self.data(world.other_coordinator, **change))
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert 'class="error-summary"' in text(response)
        assert counts() == before

    def test_a_current_member_is_not_added_twice(self, world: World) -> None:
        before = counts()
        response = signed_in(world.lead).post(self.url(world), self.data(world.coordinator))
        assert response.status_code == 400
        assert response.context["form"].errors["user"] == [fi("Already a current member of this team.")]
        assert counts() == before

    def test_the_query_count_does_not_grow_with_the_members(self, world: World) -> None:
        browser = signed_in(world.lead)
        few = query_count(browser, self.url(world))
        for number in range(12):
            TeamMembershipFactory(team=world.team_a, user=TeamMemberFactory(username=f"extra-{number}"), ended_on=TODAY)
        assert query_count(browser, self.url(world)) == few
