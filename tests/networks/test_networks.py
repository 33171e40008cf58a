"""Teams, care teams, the client's own network, consent and network meetings."""

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access import grants
from access.models import Section
from access.policy import Ground, client_for, sections_for
from accounts.factories import TeamMemberFactory
from accounts.models import Profession
from clients import services as client_services
from networks import selectors, services
from networks.models import Consent, Decision, NetworkMeeting, NetworkMember, Relationship
from teams.factories import TeamMembershipFactory
from tests.conftest import World

HELSINKI = ZoneInfo("Europe/Helsinki")
# The refusal names the member; the message itself is in the active language.
NO_CONSENT = "Pentti Naapuri"
COORDINATOR = Ground.DESIGNATED_COORDINATOR


def on(days: int) -> datetime.date:
    """The day ``days`` from today: the dates here are counted from it, so that none ages."""
    return timezone.localdate() + datetime.timedelta(days=days)


def _member(world: World, name: str = "Pentti Naapuri") -> NetworkMember:
    return services.add_network_member(
        client=world.own_client,
        by=world.coordinator,
        ground=COORDINATOR,
        fields={"name": name, "relationship": Relationship.NEIGHBOUR},
    )


def _consent(world: World, member: NetworkMember, *, until: datetime.date) -> Consent:
    return services.give_consent(
        client=world.own_client,
        by=world.coordinator,
        ground=COORDINATOR,
        network_member=member,
        sections=[Section.MEETINGS],
        purpose="Verkostopalaveri",
        given_on=on(-300),
        valid_until=until,
    )


class TestConsent:
    def test_sharing_is_allowed_until_the_end_date_and_refused_after_it(self, world: World) -> None:
        member = _member(world)
        consent = _consent(world, member, until=on(30))
        assert services.valid_consent(member=member, section=Section.MEETINGS, on=on(30)) == consent
        assert services.valid_consent(member=member, section=Section.MEETINGS, on=on(31)) is None
        assert services.valid_consent(member=member, section=Section.PLAN, on=on(0)) is None

    def test_withdrawal_stops_sharing_at_once_and_history_is_kept(self, world: World) -> None:
        member = _member(world)
        consent = _consent(world, member, until=timezone.localdate() + datetime.timedelta(days=30))
        assert services.valid_consent(member=member, section=Section.MEETINGS) == consent
        services.withdraw_consent(consent=consent, by=world.coordinator, ground=COORDINATOR)
        assert services.valid_consent(member=member, section=Section.MEETINGS) is None
        history = Consent.pgh_event_model.objects.filter(pgh_obj=consent).order_by("pgh_id")  # type: ignore[attr-defined]
        assert [event.withdrawn_on for event in history] == [None, timezone.localdate()]

    def test_a_meeting_with_a_network_member_needs_consent_at_that_moment(self, world: World) -> None:
        member = _member(world)
        start = timezone.now() + datetime.timedelta(days=2)
        plan: dict[str, Any] = {
            "client": world.own_client,
            "by": world.coordinator,
            "ground": COORDINATOR,
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=1),
            "place": "Kirjasto",
            "network_members": [member],
        }
        with pytest.raises(ValidationError, match=NO_CONSENT):
            services.plan_meeting(**plan)
        consent = _consent(world, member, until=timezone.localdate() + datetime.timedelta(days=30))
        services.plan_meeting(**plan)
        services.withdraw_consent(consent=consent, by=world.coordinator, ground=COORDINATOR)
        with pytest.raises(ValidationError, match=NO_CONSENT):
            services.plan_meeting(**plan)

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"sections": ["secrets"]}, "sections"),
            ({"sections": []}, "sections"),
            ({"valid_until": on(-400).isoformat()}, "valid_until"),
            ({"given_on": on(1).isoformat(), "valid_until": on(30).isoformat()}, "given_on"),
            ({"outside_party": ""}, "network_member"),
            ({"network_member": 999999}, "network_member"),
            ({"purpose": ["x"]}, "purpose"),
            ({"colour": "red"}, "colour"),
        ],
    )
    def test_bad_consent_input_is_a_400_and_saves_nothing(self, world: World, api: APIClient, payload, field) -> None:
        api.force_login(world.coordinator)
        valid = {
            "outside_party": "Kela",
            "sections": ["basic"],
            "purpose": "Hoitotuki",
            "given_on": on(-300).isoformat(),
            "valid_until": on(30).isoformat(),
        }
        before = Consent.objects.count()
        response = api.post(
            reverse("api-client-consents", kwargs={"pk": world.own_client.pk}), {**valid, **payload}, format="json"
        )
        assert response.status_code == 400
        assert field in response.json(), response.json()
        assert Consent.objects.count() == before


class TestMeetings:
    def test_decisions_per_client_and_per_responsible_person(self, world: World, api: APIClient) -> None:
        api.force_login(world.coordinator)
        response = api.patch(
            reverse("api-meeting-detail", kwargs={"pk": world.meeting.pk}),
            {
                "notes": "Käytiin läpi kotona pärjääminen.",
                "client_view": "Haluan asua kotona niin kauan kuin pystyn.",
                "decisions": [
                    {
                        "text": "Kotihoidon iltakäynti",
                        "responsible": f"professional:{world.member.pk}",
                        "due_on": on(4).isoformat(),
                    },
                    {"text": "Kauppa-asiat", "responsible": f"member:{world.relative.pk}"},
                    {"text": "Kokeilee turvaranneketta", "responsible": "client"},
                ],
            },
            format="json",
        )
        assert response.status_code == 200, response.json()
        world.meeting.refresh_from_db()
        assert world.meeting.status == NetworkMeeting.Status.HELD
        assert world.meeting.client_view == "Haluan asua kotona niin kauan kuin pystyn."
        assert [d.text for d in selectors.decisions_of_client(world.own_client)] == [
            "Kotihoidon iltakäynti",
            "Kauppa-asiat",
            "Kokeilee turvaranneketta",
        ]
        assert [d.text for d in selectors.decisions_for(world.member)] == ["Kotihoidon iltakäynti"]
        assert selectors.decisions_for(world.coordinator).count() == 0

    @pytest.mark.parametrize(
        "decision",
        [
            {"text": "Soita", "responsible": "nobody"},
            {"text": "Soita", "responsible": "professional:999999"},
            {"text": "", "responsible": "client"},
        ],
    )
    def test_a_bad_decision_saves_nothing(self, world: World, api: APIClient, decision) -> None:
        api.force_login(world.coordinator)
        response = api.patch(
            reverse("api-meeting-detail", kwargs={"pk": world.meeting.pk}),
            {"notes": "Muistiinpanot", "decisions": [{"text": "Hyvä päätös", "responsible": "client"}, decision]},
            format="json",
        )
        assert response.status_code == 400
        assert Decision.objects.count() == 0
        world.meeting.refresh_from_db()
        assert (world.meeting.status, world.meeting.notes) == (NetworkMeeting.Status.PLANNED, "")

    def test_the_invitation_parses_back_in_helsinki_time(self, world: World, api: APIClient) -> None:
        start = datetime.datetime.combine(on(6), datetime.time(13, 30), tzinfo=HELSINKI)
        meeting = services.plan_meeting(
            client=world.own_client,
            by=world.coordinator,
            ground=COORDINATOR,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1, minutes=30),
            call_link="https://meet.example.fi/abc",
        )
        api.force_login(world.member)
        response = api.get(reverse("api-meeting-ics", kwargs={"pk": meeting.pk}))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
        assert event.decoded("dtstart") == start
        assert str(event.decoded("dtstart").tzinfo) == "Europe/Helsinki"
        assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(hours=1, minutes=30)
        assert world.own_client.last_name not in response.content.decode()

    def test_upcoming_meetings_show_on_the_coordinators_list(self, world: World) -> None:
        start = timezone.now() + datetime.timedelta(days=3)
        meeting = services.plan_meeting(
            client=world.own_client,
            by=world.coordinator,
            ground=COORDINATOR,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            place="Palvelukeskus",
        )
        assert list(selectors.upcoming_meetings_for(world.coordinator)) == [meeting]
        assert list(selectors.upcoming_meetings_for(world.colleague)) == []

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"ends_at": f"{on(4)}T09:00:00+02:00"}, "ends_at"),
            ({"place": "", "call_link": ""}, "place"),
            ({"call_link": "not a link"}, "call_link"),
            ({"starts_at": "tomorrow"}, "starts_at"),
        ],
    )
    def test_bad_meeting_input_is_a_400(self, world: World, api: APIClient, change, field) -> None:
        api.force_login(world.coordinator)
        valid = {"starts_at": f"{on(4)}T10:00:00+02:00", "ends_at": f"{on(4)}T11:00:00+02:00", "place": "Koti"}
        before = NetworkMeeting.objects.count()
        response = api.post(
            reverse("api-client-meetings", kwargs={"pk": world.own_client.pk}), {**valid, **change}, format="json"
        )
        assert response.status_code == 400
        assert field in response.json(), response.json()
        assert NetworkMeeting.objects.count() == before


class TestMyDecisionsApi:
    def test_a_client_handed_over_is_no_longer_named(self, world: World, api: APIClient) -> None:
        """The decision stays the coordinator's to do; whose it was and at which meeting are
        the client's data, shown only while the coordinator may still see the client."""
        services.record_meeting(
            meeting=world.meeting,
            by=world.coordinator,
            ground=COORDINATOR,
            notes="",
            decisions=[{"text": "Hakemus Kelaan", "responsible": f"professional:{world.coordinator.pk}"}],
        )
        api.force_login(world.coordinator)
        url = reverse("api-my-decisions")
        [row] = api.get(url).json()["results"]
        assert (row["text"], row["client"], row["meeting"]) == ("Hakemus Kelaan", world.own_client.pk, world.meeting.pk)
        client_services.assign_coordinator(
            client=world.own_client,
            coordinator=world.colleague,
            started_on=timezone.localdate(),
            by=world.coordinator,
            ground=COORDINATOR,
        )
        [row] = api.get(url).json()["results"]
        assert (row["text"], row["client"], row["meeting"]) == ("Hakemus Kelaan", None, None)


class TestCareTeam:
    def test_a_team_member_sees_only_care_team_clients_and_their_sections(self, world: World) -> None:
        assert client_for(world.member, world.own_client.pk).access_ground == Ground.CARE_TEAM
        assert Section.CONTACTS not in sections_for(world.member, Ground.CARE_TEAM)
        assert Section.MEETINGS in sections_for(world.member, Ground.CARE_TEAM)
        physio = TeamMemberFactory(profession=Profession.PHYSIOTHERAPIST)
        services.add_to_care_team(
            client=world.own_client,
            professional=physio,
            role="Fysioterapeutti",
            started_on=on(-300),
            by=world.coordinator,
            ground=COORDINATOR,
        )
        assert Section.NETWORK not in sections_for(physio, Ground.CARE_TEAM)

    def test_the_role_ends_and_access_with_it(self, world: World) -> None:
        services.end_care_team_membership(
            member=world.care_team_role,
            ended_on=timezone.localdate() - datetime.timedelta(days=1),
            by=world.coordinator,
            ground=COORDINATOR,
        )
        with pytest.raises(Http404):
            client_for(world.member, world.own_client.pk)

    def test_a_consultation_grant_opens_one_client_only(self, world: World) -> None:
        consultation = grants.grant_consultation(
            client=world.own_client,
            professional=world.other_coordinator,
            by=world.coordinator,
            ground=COORDINATOR,
            reason="Toinen mielipide",
        )
        assert client_for(world.other_coordinator, world.own_client.pk).access_ground == Ground.CONSULTATION
        with pytest.raises(Http404):
            client_for(world.other_coordinator, world.colleague_client.pk)
        assert sections_for(world.other_coordinator, Ground.CONSULTATION) == {Section.BASIC, Section.ASSESSMENT}
        grants.revoke_consultation(consultation=consultation, by=world.coordinator, ground=COORDINATOR)
        with pytest.raises(Http404):
            client_for(world.other_coordinator, world.own_client.pk)


def _count(api: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get(url).status_code == 200
    return len(captured)


def test_list_query_counts_do_not_grow(world: World, api: APIClient) -> None:
    api.force_login(world.lead)
    urls = [
        reverse("api-teams"),
        reverse("api-team-members", kwargs={"pk": world.team_a.pk}),
        reverse("api-client-care-team", kwargs={"pk": world.own_client.pk}),
        reverse("api-client-meetings", kwargs={"pk": world.own_client.pk}),
        reverse("api-client-network", kwargs={"pk": world.own_client.pk}),
    ]
    small = [_count(api, url) for url in urls]
    for index in range(10):
        TeamMembershipFactory(team=world.team_a, user=TeamMemberFactory())
        professional = TeamMemberFactory()
        services.add_to_care_team(
            client=world.own_client,
            professional=professional,
            role="Hoitaja",
            started_on=on(-300),
            by=world.coordinator,
            ground=COORDINATOR,
        )
        member = _member(world, name=f"Naapuri {index}")
        _consent(world, member, until=timezone.localdate() + datetime.timedelta(days=10))
        start = timezone.now() - datetime.timedelta(days=index + 1)
        meeting = services.plan_meeting(
            client=world.own_client,
            by=world.coordinator,
            ground=COORDINATOR,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            place="Koti",
            professionals=[professional],
            network_members=[member],
        )
        services.record_meeting(
            meeting=meeting,
            by=world.coordinator,
            ground=COORDINATOR,
            notes="-",
            decisions=[{"text": "x", "responsible": "client"}],
        )
    assert [_count(api, url) for url in urls] == small
