"""Every change that widens who sees a client is made by someone entitled, never by the one
gaining it, and leaves a GRANT event (a REVOKE where access narrows)."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from rest_framework.test import APIClient

from access import grants
from access.models import AccessEvent, Consultation
from access.policy import Ground, visible_clients
from accounts.factories import CoordinatorFactory, TeamLeadFactory
from accounts.models import User
from clients import services as client_services
from clients.models import ClosureReason
from networks import services as network_services
from teams import services as team_services
from teams.models import TeamMembership
from tests.conftest import World


def visible(user: User) -> set[int]:
    return set(visible_clients(user).values_list("pk", flat=True))


def grants_since(world: World, **filters: object) -> list[AccessEvent]:
    return list(
        AccessEvent.objects.filter(pk__gt=world.last_event_pk, action=AccessEvent.Action.GRANT, **filters).order_by(
            "pk"
        )
    )


def today() -> datetime.date:
    return timezone.localdate()


class TestTeamMembership:
    def test_nobody_makes_themselves_a_lead(self, world: World) -> None:
        for user, team in ((world.admin, world.team_b), (world.lead, world.team_b), (world.other_lead, world.team_a)):
            with pytest.raises(PermissionDenied):
                team_services.add_team_membership(
                    team=team, user=user, kind=TeamMembership.Kind.LEAD, started_on=today(), by=user
                )
        assert visible(world.admin) == set()
        assert world.other_client.pk not in visible(world.lead)

    def test_only_the_administrator_names_a_lead(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            team_services.add_team_membership(
                team=world.team_a,
                user=world.other_lead,
                kind=TeamMembership.Kind.LEAD,
                started_on=today(),
                by=world.lead,
            )
        assert world.own_client.pk not in visible(world.other_lead)

    def test_only_a_team_lead_can_lead(self, world: World) -> None:
        with pytest.raises(ValidationError):
            team_services.add_team_membership(
                team=world.team_a, user=world.member, kind=TeamMembership.Kind.LEAD, started_on=today(), by=world.admin
            )

    def test_the_administrator_names_a_lead_and_the_access_gained_is_logged(self, world: World) -> None:
        before = visible(world.other_lead)
        team_services.add_team_membership(
            team=world.team_a, user=world.other_lead, kind=TeamMembership.Kind.LEAD, started_on=today(), by=world.admin
        )
        gained = visible(world.other_lead) - before
        assert world.own_client.pk in gained
        events = grants_since(world, grantee=world.other_lead)
        assert {event.client_id for event in events} == gained
        assert {(event.actor_id, event.ground, event.what) for event in events} == {
            (world.admin.pk, Ground.ADMINISTRATOR, "team_membership.lead")
        }

    def test_a_lead_does_not_take_in_another_teams_coordinator(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            team_services.add_team_membership(
                team=world.team_a, user=world.other_coordinator, kind="member", started_on=today(), by=world.lead
            )
        assert world.other_client.pk not in visible(world.lead)
        assert grants_since(world) == []

    def test_the_administrator_moves_a_coordinator_and_the_leads_gain_is_logged(self, world: World) -> None:
        team_services.add_team_membership(
            team=world.team_a, user=world.other_coordinator, kind="member", started_on=today(), by=world.admin
        )
        assert world.other_client.pk in visible(world.lead)
        events = grants_since(world, grantee=world.lead)
        assert [event.client_id for event in events] == [world.other_client.pk]

    def test_a_lead_adds_a_new_coordinator_to_their_team(self, world: World) -> None:
        newcomer = CoordinatorFactory(username="newcomer")
        team_services.add_team_membership(
            team=world.team_a, user=newcomer, kind="member", started_on=today(), by=world.lead
        )
        assert TeamMembership.objects.filter(team=world.team_a, user=newcomer).exists()
        # No client's visibility changed: nothing granted.
        assert grants_since(world) == []

    def test_a_lead_does_not_manage_another_team(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            team_services.add_team_membership(
                team=world.team_b, user=CoordinatorFactory(), kind="member", started_on=today(), by=world.lead
            )

    def test_refusals_are_403_with_the_reason_on_the_api_and_the_page(self, world: World) -> None:
        api = APIClient()
        api.force_login(world.admin)
        url = reverse("api-team-members", kwargs={"pk": world.team_a.pk})
        response = api.post(url, {"user": world.admin.pk, "kind": "lead", "started_on": str(today())}, format="json")
        assert response.status_code == 403
        with translation.override(world.admin.language):
            refusal = translation.gettext("You cannot grant access to yourself; ask someone entitled to grant it.")
        assert response.json()["detail"] == refusal
        browser = Client()
        browser.force_login(world.lead)
        page = browser.post(
            reverse("team-detail", kwargs={"pk": world.team_a.pk}),
            {"user": world.other_lead.pk, "kind": "lead", "role": "", "started_on": str(today())},
        )
        assert page.status_code == 403, page.content.decode()[-3000:]
        with translation.override(world.lead.language):
            reason = translation.gettext("Only the organisation's administrator names a team's lead.")
        assert escape(reason) in page.content.decode()
        assert not TeamMembership.objects.filter(user=world.other_lead, team=world.team_a).exists()


class TestOtherGrants:
    def test_naming_a_worker_is_a_grant(self, world: World) -> None:
        client_services.assign_coordinator(
            client=world.own_client,
            coordinator=world.colleague,
            started_on=today(),
            by=world.lead,
            ground=Ground.TEAM_LEAD,
            reason="Työnjako",
        )
        [event] = grants_since(world)
        assert (event.grantee_id, event.client_id, event.actor_id, event.what) == (
            world.colleague.pk,
            world.own_client.pk,
            world.lead.pk,
            "assignment",
        )

    def test_a_handover_is_a_grant_per_client(self, world: World) -> None:
        client_services.hand_over(
            clients=[world.own_client],
            to=[world.colleague],
            by=world.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            note="Loma",
        )
        [event] = grants_since(world)
        assert (event.grantee_id, event.client_id, event.what, event.reason) == (
            world.colleague.pk,
            world.own_client.pk,
            "handover",
            "Loma",
        )

    def test_a_client_named_to_an_absent_coordinator_is_granted_to_the_substitute_until_the_end(
        self, world: World
    ) -> None:
        """The world's substitute stands in for ``coordinator`` until today; a client given
        to ``coordinator`` now opens to the substitute as well, for as long as they stand in."""
        client_services.assign_coordinator(
            client=world.colleague_client,
            coordinator=world.coordinator,
            started_on=today(),
            by=world.lead,
            ground=Ground.TEAM_LEAD,
            reason="Työnjako",
        )
        granted = {(e.grantee_id, e.client_id, e.until) for e in grants_since(world)}
        assert granted == {
            (world.coordinator.pk, world.colleague_client.pk, None),
            (world.substitute.pk, world.colleague_client.pk, today()),
        }

    def test_a_handover_to_an_absent_coordinator_is_granted_to_the_substitute_until_the_end(self, world: World) -> None:
        client_services.hand_over(
            clients=[world.colleague_client],
            to=[world.coordinator],
            by=world.lead,
            ground=Ground.TEAM_LEAD,
            note="Loma",
        )
        granted = {(e.grantee_id, e.until) for e in grants_since(world, client=world.colleague_client)}
        assert granted == {(world.coordinator.pk, None), (world.substitute.pk, today())}

    def test_a_substitution_grants_the_absent_coordinators_clients_until_its_end(self, world: World) -> None:
        ends = today() + datetime.timedelta(days=14)
        team_services.create_substitution(
            absent=world.coordinator, substitute=world.colleague, starts_on=today(), ends_on=ends, by=world.lead
        )
        events = grants_since(world, grantee=world.colleague)
        assert {event.client_id for event in events} == {world.own_client.pk}
        assert {event.until for event in events} == {ends}

    def test_nobody_arranges_their_own_substitution_of_someone(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            team_services.create_substitution(
                absent=world.coordinator,
                substitute=world.colleague,
                starts_on=today(),
                ends_on=today(),
                by=world.colleague,
            )

    def test_a_self_grant_through_the_api_changes_nothing(self, world: World) -> None:
        lead = TeamLeadFactory(username="new-lead")
        api = APIClient()
        api.force_login(lead)
        before = visible(lead)
        response = api.post(
            reverse("api-team-members", kwargs={"pk": world.team_a.pk}),
            {"user": lead.pk, "kind": "lead", "started_on": str(today())},
            format="json",
        )
        assert response.status_code == 404  # not their team: they do not even see it
        assert visible(lead) == before


def consult(world: World, **changes: object) -> Consultation:
    arguments: dict[str, object] = {
        "client": world.own_client,
        "professional": world.other_coordinator,
        "by": world.coordinator,
        "ground": Ground.DESIGNATED_COORDINATOR,
        "reason": "Toinen mielipide",
        **changes,
    }
    return grants.grant_consultation(**arguments)  # type: ignore[arg-type]


class TestConsultations:
    def test_a_consultation_lasts_the_default_and_is_logged_as_a_grant_until_its_end(self, world: World) -> None:
        consultation = consult(world)
        assert consultation.ends_on == today() + datetime.timedelta(days=settings.CONSULTATION_DEFAULT_DAYS)
        assert world.own_client.pk in visible(world.other_coordinator)
        [event] = grants_since(world)
        assert (event.grantee_id, event.client_id, event.what, event.until, event.reason) == (
            world.other_coordinator.pk,
            world.own_client.pk,
            "consultation",
            consultation.ends_on,
            "Toinen mielipide",
        )

    def test_at_most_the_maximum_length(self, world: World) -> None:
        with pytest.raises(ValidationError) as refused:
            consult(world, ends_on=today() + datetime.timedelta(days=settings.CONSULTATION_MAX_DAYS + 1))
        assert "ends_on" in refused.value.message_dict
        assert world.own_client.pk not in visible(world.other_coordinator)

    def test_no_reason_no_consultation_and_no_self_grant(self, world: World) -> None:
        with pytest.raises(ValidationError):
            consult(world, reason=" ")
        with pytest.raises(PermissionDenied):
            consult(world, professional=world.coordinator)
        with pytest.raises(ValidationError):
            consult(world, professional=world.admin)
        with pytest.raises(PermissionDenied):
            consult(world, by=world.member, ground=Ground.CARE_TEAM, professional=world.other_coordinator)
        assert grants_since(world) == []

    def test_it_expires_by_itself(self, world: World) -> None:
        consult(world, ends_on=today() + datetime.timedelta(days=3))
        assert world.own_client.pk in visible(world.other_coordinator)
        with time_machine.travel(timezone.now() + datetime.timedelta(days=4)):
            assert world.own_client.pk not in visible(world.other_coordinator)

    def test_a_future_consultation_opens_nothing_yet(self, world: World) -> None:
        consult(world, starts_on=today() + datetime.timedelta(days=2))
        assert world.own_client.pk not in visible(world.other_coordinator)

    def test_revoked_through_the_page_and_logged(self, world: World) -> None:
        consultation = consult(world)
        browser = Client()
        browser.force_login(world.coordinator)
        page = browser.get(reverse("client-detail", args=[world.own_client.pk]))
        assert reverse("consultation-revoke", args=[consultation.pk]) in page.content.decode()
        response = browser.post(reverse("consultation-revoke", args=[consultation.pk]))
        assert response.status_code == 302
        consultation.refresh_from_db()
        assert consultation.revoked_by == world.coordinator
        assert world.own_client.pk not in visible(world.other_coordinator)
        assert AccessEvent.objects.filter(
            action=AccessEvent.Action.REVOKE, grantee=world.other_coordinator, client=world.own_client
        ).exists()
        assert browser.post(reverse("consultation-revoke", args=[consultation.pk])).status_code == 409

    def test_granted_listed_and_revoked_through_the_api(self, world: World) -> None:
        api = APIClient()
        api.force_login(world.lead)
        url = reverse("api-client-consultation", kwargs={"pk": world.own_client.pk})
        response = api.post(
            url, {"professional": world.other_coordinator.pk, "reason": "Lääkärin arvio"}, format="json"
        )
        assert response.status_code == 201
        listed = api.get(url).json()
        assert [row["professional"] for row in listed] == [world.other_coordinator.pk]
        revoke = reverse("api-consultation-revoke", kwargs={"pk": response.json()["id"]})
        api.force_login(world.member)
        assert api.post(revoke).status_code == 403
        api.force_login(world.other_coordinator)  # the consultant sees the client, but does not manage it
        assert api.post(revoke).status_code == 403
        api.force_login(world.colleague)
        assert api.post(revoke).status_code == 404
        api.force_login(world.lead)
        assert api.post(revoke).status_code == 200
        assert world.own_client.pk not in visible(world.other_coordinator)

    def test_the_page_grant_with_bad_input_is_400_and_saves_nothing(self, world: World) -> None:
        browser = Client()
        browser.force_login(world.coordinator)
        response = browser.post(
            reverse("client-consultation-create", args=[world.own_client.pk]),
            {"consultation-professional": world.other_coordinator.pk, "consultation-reason": "\\x00" * 2000},
        )
        assert response.status_code == 400
        assert not Consultation.objects.exists()

    def test_closure_ends_consultations(self, world: World) -> None:
        consultation = consult(world)
        client_services.close_client(
            client=world.own_client,
            by=world.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            closed_on=today(),
            reason=ClosureReason.MOVED,
            summary="Muutti.",
            reached="Tieto siirtyi uuteen kuntaan.",
            client_view="not_asked",
        )
        consultation.refresh_from_db()
        assert consultation.revoked_at is not None
        assert world.own_client.pk not in visible(world.other_coordinator)
        assert AccessEvent.objects.filter(
            action=AccessEvent.Action.REVOKE, grantee=world.other_coordinator, what="consultation"
        ).exists()


class TestCareTeam:
    def test_joining_the_care_team_is_a_grant_and_nobody_adds_themselves(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            network_services.add_to_care_team(
                client=world.own_client,
                professional=world.colleague,
                role="Sosiaaliohjaaja",
                started_on=today(),
                by=world.colleague,
                ground=Ground.DESIGNATED_COORDINATOR,
            )
        assert world.own_client.pk not in visible(world.colleague)
        network_services.add_to_care_team(
            client=world.own_client,
            professional=world.colleague,
            role="Sosiaaliohjaaja",
            started_on=today(),
            by=world.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
        )
        [event] = grants_since(world)
        assert (event.grantee_id, event.client_id, event.what, event.reason) == (
            world.colleague.pk,
            world.own_client.pk,
            "care_team",
            "Sosiaaliohjaaja",
        )
