"""The network pages: teams and their members, a client's care team, own network and consents,
network meetings and their decisions, and the decisions a professional is responsible for. Each
with its success path, bad input (the form again with messages, 400, nothing saved), the role
that may read but not act (403), the client not visible (404), and a query count that does not
grow with the rows."""

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from access.models import AccessEvent, Section
from access.policy import Ground
from accounts.factories import TeamMemberFactory
from accounts.models import User
from networks import services
from networks.models import CareTeamMember, Consent, Decision, NetworkMeeting, NetworkMember, Relationship
from teams.models import TeamMembership
from tests.conftest import World

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = timezone.localdate()
# Meetings are planned on days of next year: in winter Helsinki is at UTC+2, in summer at UTC+3.
WINTER_DAY = datetime.date(TODAY.year + 1, 1, 15)
SUMMER_DAY = datetime.date(TODAY.year + 1, 6, 10)


def summer_time_starts(year: int) -> datetime.date:
    """The last Sunday of March, when Helsinki's clocks skip from 3:00 to 4:00."""
    last_of_march = datetime.date(year, 3, 31)
    return last_of_march - datetime.timedelta(days=(last_of_march.weekday() - 6) % 7)


COORDINATOR = Ground.DESIGNATED_COORDINATOR


def signed_in(user: User) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def fi(message: str) -> str:
    """A UI string as the server shows it in Finnish, the default language."""
    with translation.override("fi"):
        return translation.gettext(message)


def text(response: Any) -> str:
    return str(response.content.decode())


def counts() -> dict[str, int]:
    """Rows of every table these pages write, the changes in the audit log among them."""
    return {
        "memberships": TeamMembership.objects.count(),
        "care_team": CareTeamMember.objects.count(),
        "network": NetworkMember.objects.count(),
        "consents": Consent.objects.count(),
        "withdrawn": Consent.objects.filter(withdrawn_on__isnull=False).count(),
        "meetings": NetworkMeeting.objects.count(),
        "held": NetworkMeeting.objects.filter(status=NetworkMeeting.Status.HELD).count(),
        "decisions": Decision.objects.count(),
        "changes": AccessEvent.objects.exclude(action__in=[AccessEvent.Action.VIEW, AccessEvent.Action.LIST]).count(),
    }


def query_count(browser: Browser, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured)


def physiotherapist_on_care_team(world: World) -> User:
    physio: User = TeamMemberFactory(username="physio", profession="physiotherapist")
    services.add_to_care_team(
        client=world.own_client,
        professional=physio,
        role="Fysioterapeutti",
        started_on=world.relationships_since,
        by=world.coordinator,
        ground=COORDINATOR,
    )
    return physio


def add_member(world: World, name: str, *, consent_for: list[str] | None = None) -> NetworkMember:
    member = services.add_network_member(
        client=world.own_client,
        by=world.coordinator,
        ground=COORDINATOR,
        fields={"name": name, "relationship": Relationship.FRIEND, "phone": "040 123 4567"},
    )
    if consent_for:
        services.give_consent(
            client=world.own_client,
            by=world.coordinator,
            ground=COORDINATOR,
            network_member=member,
            sections=consent_for,
            purpose="Verkostopalaverit",
            given_on=world.relationships_since,
            valid_until=TODAY + datetime.timedelta(days=90),
        )
    return member


# Teams


# The client's care team, own network and consents


class TestClientNetwork:
    def url(self, world: World, client: Any = None) -> str:
        return reverse("client-network", args=[(client or world.own_client).pk])

    def member_data(self, **changes: Any) -> dict[str, Any]:
        data = {
            "action": "member",
            "member-name": "Matti Virtanen",
            "member-relationship": Relationship.CHILD,
            "member-organisation": "",
            "member-phone": "040 765 4321",
            "member-email": "matti@example.fi",
            "member-helps_with": "Kuljetukset lääkäriin",
            "member-available": "Arki-illat",
        }
        return {**data, **changes}

    def consent_data(self, world: World, **changes: Any) -> dict[str, Any]:
        data = {
            "action": "consent",
            "consent-network_member": world.relative.pk,
            "consent-outside_party": "",
            "consent-sections": [Section.MEETINGS, Section.PLAN],
            "consent-purpose": "Asiakassuunnitelman laatiminen",
            "consent-given_on": TODAY.isoformat(),
            "consent-valid_until": (TODAY + datetime.timedelta(days=180)).isoformat(),
        }
        return {**data, **changes}

    def care_data(self, professional: User, **changes: Any) -> dict[str, Any]:
        data = {
            "action": "care-team",
            "care-professional": professional.pk,
            "care-role": "Fysioterapeutti",
            "care-responsibility": "Liikkumiskyvyn arviointi",
            "care-started_on": TODAY.isoformat(),
        }
        return {**data, **changes}

    def test_the_coordinator_sees_care_team_network_and_consents(self, world: World) -> None:
        response = signed_in(world.coordinator).get(self.url(world))
        assert response.status_code == 200
        page = text(response)
        assert world.member.get_full_name() in page
        assert "Kotihoidon sairaanhoitaja" in page
        assert "Liisa Virtanen" in page
        assert "Kauppa-asiat" in page
        assert "Verkostopalaverit" in page
        assert fi("In force") in page
        # The forms of the one who may change the record.
        for name in ("care_team_form", "member_form", "consent_form"):
            assert response.context[name] is not None
        assert AccessEvent.objects.filter(
            actor=world.coordinator, client=world.own_client, action="view", what="client.network"
        ).exists()

    def test_consents_are_in_force_expired_or_withdrawn_in_words(self, world: World) -> None:
        friend = add_member(world, "Pentti Naapuri")
        expired = services.give_consent(
            client=world.own_client,
            by=world.coordinator,
            ground=COORDINATOR,
            network_member=friend,
            sections=[Section.MEETINGS],
            purpose="Vanha palaveri",
            given_on=TODAY - datetime.timedelta(days=400),
            valid_until=TODAY - datetime.timedelta(days=220),
        )
        services.withdraw_consent(consent=world.relative_consent, by=world.coordinator, ground=COORDINATOR)
        response = signed_in(world.coordinator).get(self.url(world))
        states = {row.consent: row.state_label for row in response.context["consents"]}
        assert states == {expired: fi("Expired"), world.relative_consent: fi("Withdrawn")}
        page = text(response)
        assert fi("Expired") in page
        assert fi("Withdrawn") in page
        # Nothing is shared any more with either.
        assert {row.shared for row in response.context["members"]} == {""}

    def test_the_coordinator_adds_a_person_to_the_network(self, world: World) -> None:
        response = signed_in(world.coordinator).post(self.url(world), self.member_data())
        assert response.status_code == 302
        assert response["Location"] == f"{self.url(world)}#network"
        member = NetworkMember.objects.get(name="Matti Virtanen")
        assert (member.client, member.helps_with, member.available) == (
            world.own_client,
            "Kuljetukset lääkäriin",
            "Arki-illat",
        )

    def test_the_coordinator_records_a_consent_with_checkboxes(self, world: World) -> None:
        response = signed_in(world.coordinator).post(self.url(world), self.consent_data(world))
        assert response.status_code == 302
        consent = Consent.objects.get(purpose="Asiakassuunnitelman laatiminen")
        assert consent.sections == sorted([Section.MEETINGS, Section.PLAN])
        assert (consent.network_member, consent.recorded_by) == (world.relative, world.coordinator)

    def test_a_consent_for_an_outside_party(self, world: World) -> None:
        data = self.consent_data(world, **{"consent-network_member": "", "consent-outside_party": "Kela"})
        assert signed_in(world.coordinator).post(self.url(world), data).status_code == 302
        assert Consent.objects.get(outside_party="Kela").network_member is None

    @pytest.mark.parametrize("user", ["coordinator", "lead"])
    def test_the_coordinator_or_their_lead_adds_a_professional(self, world: World, user: str) -> None:
        physio = TeamMemberFactory(username="physio", profession="physiotherapist")
        response = signed_in(getattr(world, user)).post(self.url(world), self.care_data(physio))
        assert response.status_code == 302
        assert CareTeamMember.objects.get(professional=physio).added_by == getattr(world, user)

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            pytest.param({"member-name": ""}, "name", id="no name"),
            pytest.param({"member-relationship": "cousin"}, "relationship", id="unknown relationship"),
            pytest.param({"member-email": "not an address"}, "email", id="bad email"),
            pytest.param({"member-phone": "0" * 31}, "phone", id="phone too long"),
        ],
    )
    def test_a_bad_network_member_is_a_400(self, world: World, change: dict[str, Any], field: str) -> None:
        before = counts()
        response = signed_in(world.coordinator).post(self.url(world), self.member_data(**change))
        assert response.status_code == 400
        assert field in response.context["member_form"].errors
        assert counts() == before

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            pytest.param({"consent-sections": []}, "sections", id="nothing shared"),
            pytest.param({"consent-sections": ["diary"]}, "sections", id="unknown section"),
            pytest.param({"consent-purpose": ""}, "purpose", id="no purpose"),
            pytest.param({"consent-network_member": ""}, "network_member", id="no recipient"),
            pytest.param({"consent-outside_party": "Kela"}, "network_member", id="two recipients"),
            pytest.param(
                {"consent-valid_until": (TODAY - datetime.timedelta(days=1)).isoformat()},
                "valid_until",
                id="ends before given",
            ),
            pytest.param(
                {
                    "consent-given_on": (TODAY + datetime.timedelta(days=1)).isoformat(),
                    "consent-valid_until": (TODAY + datetime.timedelta(days=30)).isoformat(),
                },
                "given_on",
                id="future",
            ),
        ],
    )
    def test_a_bad_consent_is_a_400(self, world: World, change: dict[str, Any], field: str) -> None:
        before = counts()
        response = signed_in(world.coordinator).post(self.url(world), self.consent_data(world, **change))
        assert response.status_code == 400
        assert field in response.context["consent_form"].errors
        assert counts() == before

    def test_a_consent_for_another_clients_network_member_is_a_400(self, world: World) -> None:
        stranger = services.add_network_member(
            client=world.colleague_client,
            by=world.colleague,
            ground=COORDINATOR,
            fields={"name": "Vieras", "relationship": Relationship.FRIEND},
        )
        before = counts()
        data = self.consent_data(world, **{"consent-network_member": stranger.pk})
        response = signed_in(world.coordinator).post(self.url(world), data)
        assert response.status_code == 400
        assert "network_member" in response.context["consent_form"].errors
        assert counts() == before

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            pytest.param({"care-role": ""}, "role", id="no role"),
            pytest.param({"care-started_on": "yesterday"}, "started_on", id="bad date"),
        ],
    )
    def test_a_bad_care_team_role_is_a_400(self, world: World, change: dict[str, Any], field: str) -> None:
        before = counts()
        physio = TeamMemberFactory(username="physio", profession="physiotherapist")
        response = signed_in(world.coordinator).post(self.url(world), self.care_data(physio, **change))
        assert response.status_code == 400
        assert field in response.context["care_team_form"].errors
        assert counts() == before

    @pytest.mark.parametrize("who", ["admin", "member"], ids=["an administrator", "already on it"])
    def test_a_professional_who_cannot_join_is_a_400(self, world: World, who: str) -> None:
        before = counts()
        response = signed_in(world.coordinator).post(self.url(world), self.care_data(getattr(world, who)))
        assert response.status_code == 400
        assert "professional" in response.context["care_team_form"].errors
        assert counts() == before

    def test_an_unknown_form_is_a_400(self, world: World) -> None:
        assert signed_in(world.coordinator).post(self.url(world), {"action": "other"}).status_code == 400

    def test_the_nurse_on_the_care_team_reads_but_does_not_change(self, world: World) -> None:
        browser = signed_in(world.member)
        response = browser.get(self.url(world))
        assert response.status_code == 200
        assert "member_form" not in response.context
        assert "consent_form" not in response.context
        assert "care_team_form" not in response.context
        before = counts()
        physio = TeamMemberFactory(username="physio", profession="physiotherapist")
        for data in (self.member_data(), self.consent_data(world), self.care_data(physio)):
            assert browser.post(self.url(world), data).status_code == 403
        assert counts() == before

    def test_the_team_lead_manages_the_care_team_but_does_not_change_the_network(self, world: World) -> None:
        browser = signed_in(world.lead)
        response = browser.get(self.url(world))
        assert response.status_code == 200
        assert "care_team_form" in response.context
        assert "member_form" not in response.context
        before = counts()
        assert browser.post(self.url(world), self.member_data()).status_code == 403
        assert browser.post(self.url(world), self.consent_data(world)).status_code == 403
        assert counts() == before

    def test_a_physiotherapist_on_the_care_team_may_not_see_the_network(self, world: World) -> None:
        browser = signed_in(physiotherapist_on_care_team(world))
        assert browser.get(self.url(world)).status_code == 403
        assert browser.post(self.url(world), self.member_data()).status_code == 403
        assert browser.get(reverse("client-meetings", args=[world.own_client.pk])).status_code == 200

    @pytest.mark.parametrize("user", ["other_coordinator", "admin"])
    def test_a_client_not_visible_is_not_found(self, world: World, user: str) -> None:
        browser = signed_in(getattr(world, user))
        assert browser.get(self.url(world)).status_code == 404
        assert browser.post(self.url(world), self.member_data()).status_code == 404

    def test_a_closed_client_is_read_only(self, world: World) -> None:
        browser = signed_in(world.lead)
        url = self.url(world, world.closed_client)
        response = browser.get(url)
        assert response.status_code == 200
        assert "care_team_form" not in response.context
        before = counts()
        physio = TeamMemberFactory(username="physio", profession="physiotherapist")
        response = browser.post(url, self.care_data(physio))
        assert response.status_code == 409
        assert fi("The client relationship is closed; reopen it first.") in text(response)
        assert counts() == before

    def test_the_query_count_does_not_grow_with_the_rows(self, world: World) -> None:
        browser = signed_in(world.coordinator)
        few = query_count(browser, self.url(world))
        for number in range(8):
            member = add_member(world, f"Ystävä {number}", consent_for=[Section.MEETINGS, Section.BASIC])
            services.withdraw_consent(consent=member.consents.get(), by=world.coordinator, ground=COORDINATOR)
            add_member(world, f"Naapuri {number}", consent_for=[Section.PLAN])
            services.add_to_care_team(
                client=world.own_client,
                professional=TeamMemberFactory(username=f"pro-{number}"),
                role="Lääkäri",
                started_on=TODAY,
                by=world.coordinator,
                ground=COORDINATOR,
            )
        assert query_count(browser, self.url(world)) == few


class TestConsentWithdrawal:
    def url(self, consent: Consent) -> str:
        return reverse("client-network-consent-withdraw", args=[consent.pk])

    def test_the_coordinator_withdraws_a_consent(self, world: World) -> None:
        response = signed_in(world.coordinator).post(self.url(world.relative_consent))
        assert response.status_code == 302
        assert response["Location"] == reverse("client-network", args=[world.own_client.pk]) + "#consents"
        world.relative_consent.refresh_from_db()
        assert world.relative_consent.withdrawn_on == TODAY
        assert services.valid_consent(member=world.relative, section=Section.MEETINGS) is None

    def test_with_htmx_the_page_comes_back_with_the_message(self, world: World) -> None:
        response = signed_in(world.coordinator).post(self.url(world.relative_consent), headers={"HX-Request": "true"})
        assert response.status_code == 200
        page = text(response)
        assert 'id="network-and-consents"' in page
        assert fi("The consent was withdrawn; nothing more is shared under it.") in page
        assert fi("Withdrawn") in page

    def test_a_consent_withdrawn_already_is_a_409(self, world: World) -> None:
        services.withdraw_consent(consent=world.relative_consent, by=world.coordinator, ground=COORDINATOR)
        before = counts()
        browser = signed_in(world.coordinator)
        response = browser.post(self.url(world.relative_consent))
        assert response.status_code == 409
        assert fi("The consent was already withdrawn.") in text(response)
        response = browser.post(self.url(world.relative_consent), headers={"HX-Request": "true"})
        assert (response.status_code, response["HX-Refresh"]) == (409, "true")
        assert fi("The consent was already withdrawn.") in text(
            browser.get(reverse("client-network", args=[world.own_client.pk]))
        )
        assert counts() == before

    @pytest.mark.parametrize(("user", "status"), [("member", 403), ("lead", 403), ("other_coordinator", 404)])
    def test_only_the_named_worker_withdraws(self, world: World, user: str, status: int) -> None:
        before = counts()
        assert signed_in(getattr(world, user)).post(self.url(world.relative_consent)).status_code == status
        assert counts() == before

    def test_an_unknown_consent_is_not_found(self, world: World) -> None:
        assert (
            signed_in(world.coordinator).post(reverse("client-network-consent-withdraw", args=[999999])).status_code
            == 404
        )


# Network meetings


def meeting_data(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "on": WINTER_DAY.isoformat(),
        "starts": "10:00",
        "ends": "11:30",
        "place": "Asiakkaan koti",
        "call_link": "",
        "agenda": "Kotihoidon käynnit ja kauppa-asiat",
        "client_attends": "on",
        "professionals": [world.coordinator.pk, world.member.pk],
        "network_members": [world.relative.pk],
    }
    return {**data, **changes}


class TestClientMeetings:
    def url(self, world: World) -> str:
        return reverse("client-meetings", args=[world.own_client.pk])

    def test_the_list_shows_the_meetings_and_who_takes_part(self, world: World) -> None:
        response = signed_in(world.coordinator).get(self.url(world))
        assert response.status_code == 200
        page = text(response)
        assert reverse("meeting-detail", args=[world.meeting.pk]) in page
        assert "Liisa Virtanen" in page
        assert world.member.get_full_name() in page

    def test_the_coordinator_plans_a_meeting_in_helsinki_time(self, world: World) -> None:
        response = signed_in(world.coordinator).post(self.url(world), meeting_data(world))
        meeting = NetworkMeeting.objects.exclude(pk=world.meeting.pk).get()
        assert response.status_code == 302
        assert response["Location"] == reverse("meeting-detail", args=[meeting.pk])
        assert meeting.starts_at == datetime.datetime.combine(WINTER_DAY, datetime.time(10, 0), tzinfo=HELSINKI)
        assert meeting.ends_at == datetime.datetime.combine(WINTER_DAY, datetime.time(11, 30), tzinfo=HELSINKI)
        assert meeting.starts_at.astimezone(datetime.UTC).hour == 8
        assert set(meeting.professionals.all()) == {world.coordinator, world.member}
        assert list(meeting.network_members.all()) == [world.relative]
        assert (meeting.organiser, meeting.client_attends) == (world.coordinator, True)

    def test_summer_time_is_helsinki_time_too(self, world: World) -> None:
        data = meeting_data(
            world, on=SUMMER_DAY.isoformat(), starts="09:00", ends="10:00", call_link="https://meet.example.fi/x"
        )
        assert signed_in(world.coordinator).post(self.url(world), data).status_code == 302
        meeting = NetworkMeeting.objects.exclude(pk=world.meeting.pk).get()
        assert meeting.starts_at.astimezone(datetime.UTC).hour == 6
        assert meeting.call_link == "https://meet.example.fi/x"

    def test_only_network_members_with_consent_for_meetings_are_offered(self, world: World) -> None:
        no_consent = add_member(world, "Pentti Naapuri")
        plan_only = add_member(world, "Raili Ystävä", consent_for=[Section.PLAN])
        response = signed_in(world.coordinator).get(self.url(world))
        offered = list(response.context["form"].fields["network_members"].queryset)
        assert offered == [world.relative]
        assert response.context["not_invitable"] == [no_consent, plan_only]
        before = counts()
        data = meeting_data(world, network_members=[world.relative.pk, no_consent.pk])
        response = signed_in(world.coordinator).post(self.url(world), data)
        assert response.status_code == 400
        assert "network_members" in response.context["form"].errors
        assert counts() == before

    def test_a_consent_withdrawn_takes_the_relative_off_the_choices(self, world: World) -> None:
        services.withdraw_consent(consent=world.relative_consent, by=world.coordinator, ground=COORDINATOR)
        before = counts()
        response = signed_in(world.coordinator).post(self.url(world), meeting_data(world))
        assert response.status_code == 400
        assert "network_members" in response.context["form"].errors
        assert counts() == before

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            pytest.param({"ends": "09:00"}, "ends", id="ends before it starts"),
            pytest.param({"ends": "10:00"}, "ends", id="ends as it starts"),
            pytest.param({"place": "", "call_link": ""}, "place", id="no place or link"),
            pytest.param({"call_link": "not a link"}, "call_link", id="bad link"),
            pytest.param({"on": "2026-02-30"}, "on", id="no such date"),
            pytest.param({"starts": "25:00"}, "starts", id="no such time"),
            pytest.param(
                {"on": summer_time_starts(TODAY.year + 1).isoformat(), "starts": "03:30", "ends": "05:00"},
                "starts",
                id="skipped hour",
            ),
            pytest.param({"professionals": ["999999"]}, "professionals", id="unknown professional"),
        ],
    )
    def test_bad_input_is_a_400_and_saves_nothing(self, world: World, change: dict[str, Any], field: str) -> None:
        before = counts()
        response = signed_in(world.coordinator).post(self.url(world), meeting_data(world, **change))
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert 'class="error-summary"' in text(response)
        assert counts() == before

    def test_a_professional_outside_the_care_team_is_not_offered(self, world: World) -> None:
        before = counts()
        data = meeting_data(world, professionals=[world.other_coordinator.pk])
        response = signed_in(world.coordinator).post(self.url(world), data)
        assert response.status_code == 400
        assert "professionals" in response.context["form"].errors
        assert counts() == before

    def test_the_nurse_reads_but_does_not_plan(self, world: World) -> None:
        browser = signed_in(world.member)
        response = browser.get(self.url(world))
        assert response.status_code == 200
        assert "form" not in response.context
        before = counts()
        assert browser.post(self.url(world), meeting_data(world)).status_code == 403
        assert counts() == before

    def test_the_team_lead_plans_a_meeting(self, world: World) -> None:
        assert signed_in(world.lead).post(self.url(world), meeting_data(world)).status_code == 302

    def test_a_client_not_visible_is_not_found(self, world: World) -> None:
        browser = signed_in(world.other_coordinator)
        assert browser.get(self.url(world)).status_code == 404
        assert browser.post(self.url(world), meeting_data(world)).status_code == 404

    def test_a_closed_clients_meetings_are_read_only(self, world: World) -> None:
        url = reverse("client-meetings", args=[world.closed_client.pk])
        browser = signed_in(world.lead)
        assert "form" not in browser.get(url).context
        before = counts()
        response = browser.post(url, meeting_data(world, network_members=[]))
        assert response.status_code == 409
        assert counts() == before

    def test_the_query_count_does_not_grow_with_the_meetings(self, world: World) -> None:
        browser = signed_in(world.coordinator)
        few = query_count(browser, self.url(world))
        start = timezone.now()
        for number in range(10):
            meeting = services.plan_meeting(
                client=world.own_client,
                by=world.coordinator,
                ground=COORDINATOR,
                starts_at=start + datetime.timedelta(days=number - 5),
                ends_at=start + datetime.timedelta(days=number - 5, hours=1),
                place="Kirjasto",
                professionals=[world.coordinator, world.member],
                network_members=[world.relative],
            )
            if number < 5:
                services.record_meeting(
                    meeting=meeting,
                    by=world.coordinator,
                    ground=COORDINATOR,
                    notes="Muistiinpanot",
                    decisions=[{"text": "Soittaa", "responsible": f"member:{world.relative.pk}"}],
                )
        assert query_count(browser, self.url(world)) == few


def record_data(world: World, rows: list[dict[str, str]], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "notes": "Käytiin läpi kotihoidon käynnit.",
        "client_view": "Haluan asua kotona niin kauan kuin pystyn.",
        "decisions-TOTAL_FORMS": str(len(rows)),
        "decisions-INITIAL_FORMS": "0",
        "decisions-MIN_NUM_FORMS": "0",
        "decisions-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"decisions-{index}-{name}"] = value
    return {**data, **changes}


EMPTY_ROW = {"text": "", "responsible": "", "due_on": ""}


class TestMeetingDetail:
    def url(self, meeting: NetworkMeeting) -> str:
        return reverse("meeting-detail", args=[meeting.pk])

    def test_the_meeting_with_its_participants_and_invitation(self, world: World) -> None:
        response = signed_in(world.member).get(self.url(world.meeting))
        assert response.status_code == 200
        page = text(response)
        assert "Asiakkaan koti" in page
        assert "Liisa Virtanen" in page
        assert reverse("api-meeting-ics", kwargs={"pk": world.meeting.pk}) in page
        local = timezone.localtime(world.meeting.starts_at, HELSINKI)
        assert local.strftime("%H:%M") in page
        # The nurse reads; recording is for the named worker and their lead.
        assert response.context["can_record"] is False

    def test_the_invitation_link_works_with_the_session(self, world: World) -> None:
        response = signed_in(world.member).get(reverse("api-meeting-ics", kwargs={"pk": world.meeting.pk}))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")

    def test_the_coordinator_records_notes_the_clients_view_and_decisions(self, world: World) -> None:
        due = (TODAY + datetime.timedelta(days=14)).isoformat()
        rows = [
            {
                "text": "Liisa hoitaa kauppa-asiat torstaisin.",
                "responsible": f"member:{world.relative.pk}",
                "due_on": due,
            },
            {"text": "Asiakas kokeilee turvaranneketta.", "responsible": "client", "due_on": ""},
            {"text": "Kotihoito lisää iltakäynnin.", "responsible": f"professional:{world.member.pk}", "due_on": due},
            EMPTY_ROW,
        ]
        response = signed_in(world.coordinator).post(self.url(world.meeting), record_data(world, rows))
        assert response.status_code == 302
        assert response["Location"] == self.url(world.meeting) + "#decisions"
        world.meeting.refresh_from_db()
        assert world.meeting.status == NetworkMeeting.Status.HELD
        assert world.meeting.client_view == "Haluan asua kotona niin kauan kuin pystyn."
        assert world.meeting.notes == "Käytiin läpi kotihoidon käynnit."
        decisions = {d.text: d for d in world.meeting.decisions.all()}
        assert len(decisions) == 3
        assert decisions["Liisa hoitaa kauppa-asiat torstaisin."].responsible_member == world.relative
        assert decisions["Asiakas kokeilee turvaranneketta."].responsible_client is True
        assert decisions["Kotihoito lisää iltakäynnin."].responsible_professional == world.member
        page = text(signed_in(world.coordinator).get(self.url(world.meeting)))
        assert fi("The client's own view") in page
        assert "Haluan asua kotona niin kauan kuin pystyn." in page

    def test_the_form_offers_three_empty_decision_rows(self, world: World) -> None:
        response = signed_in(world.coordinator).get(self.url(world.meeting))
        forms_ = response.context["decision_forms"]
        assert len(forms_) == 3
        choices = [value for value, _label in forms_[0].fields["responsible"].choices if not isinstance(_label, list)]
        assert "client" in choices
        grouped = [
            value
            for _group, options in forms_[0].fields["responsible"].choices
            if isinstance(options, list)
            for value, _label in options
        ]
        assert set(grouped) == {
            f"professional:{world.coordinator.pk}",
            f"professional:{world.member.pk}",
            f"member:{world.relative.pk}",
        }

    @pytest.mark.parametrize(
        "row",
        [
            pytest.param({"text": "Soittaa", "responsible": "", "due_on": ""}, id="no one responsible"),
            pytest.param({"text": "", "responsible": "client", "due_on": ""}, id="no text"),
            pytest.param({"text": "Soittaa", "responsible": "client", "due_on": "2026-13-01"}, id="no such date"),
            pytest.param(
                {"text": "Soittaa", "responsible": "professional:999999", "due_on": ""}, id="not a participant"
            ),
            pytest.param({"text": "Soittaa", "responsible": "someone", "due_on": ""}, id="not a choice"),
        ],
    )
    def test_a_bad_decision_saves_nothing(self, world: World, row: dict[str, str]) -> None:
        before = counts()
        rows = [{"text": "Hyvä päätös", "responsible": "client", "due_on": ""}, row, EMPTY_ROW]
        response = signed_in(world.coordinator).post(self.url(world.meeting), record_data(world, rows))
        assert response.status_code == 400
        assert response.context["decision_forms"].total_error_count() > 0
        assert 'class="error-summary"' in text(response)
        assert counts() == before

    def test_an_uninvited_network_member_cannot_be_responsible(self, world: World) -> None:
        other = add_member(world, "Pentti Naapuri", consent_for=[Section.MEETINGS])
        before = counts()
        rows = [{"text": "Soittaa", "responsible": f"member:{other.pk}", "due_on": ""}]
        response = signed_in(world.coordinator).post(self.url(world.meeting), record_data(world, rows))
        assert response.status_code == 400
        assert counts() == before

    def test_a_meeting_not_started_cannot_be_recorded(self, world: World) -> None:
        start = timezone.now() + datetime.timedelta(days=3)
        future = services.plan_meeting(
            client=world.own_client,
            by=world.coordinator,
            ground=COORDINATOR,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            place="Kirjasto",
        )
        browser = signed_in(world.coordinator)
        assert fi("The meeting can be recorded once it has started.") in text(browser.get(self.url(future)))
        before = counts()
        response = browser.post(self.url(future), record_data(world, [EMPTY_ROW]))
        assert response.status_code == 400
        assert "notes" in response.context["record_form"].errors
        assert counts() == before

    def test_a_cancelled_meeting_is_a_409(self, world: World) -> None:
        services.cancel_meeting(meeting=world.meeting, by=world.coordinator, ground=COORDINATOR)
        before = counts()
        response = signed_in(world.coordinator).post(self.url(world.meeting), record_data(world, [EMPTY_ROW]))
        assert response.status_code == 409
        assert fi("The meeting was cancelled.") in text(response)
        assert counts() == before

    def test_the_nurse_may_not_record(self, world: World) -> None:
        before = counts()
        response = signed_in(world.member).post(self.url(world.meeting), record_data(world, [EMPTY_ROW]))
        assert response.status_code == 403
        assert counts() == before

    def test_a_physiotherapist_on_the_care_team_reads_the_meeting(self, world: World) -> None:
        assert signed_in(physiotherapist_on_care_team(world)).get(self.url(world.meeting)).status_code == 200

    @pytest.mark.parametrize("user", ["other_coordinator", "admin"])
    def test_a_meeting_of_a_client_not_visible_is_not_found(self, world: World, user: str) -> None:
        browser = signed_in(getattr(world, user))
        assert browser.get(self.url(world.meeting)).status_code == 404
        assert browser.post(self.url(world.meeting), record_data(world, [EMPTY_ROW])).status_code == 404
        assert browser.get(reverse("meeting-detail", args=[999999])).status_code == 404


class TestMyDecisions:
    url = reverse("my-decisions")

    def record(self, world: World, rows: list[dict[str, Any]]) -> NetworkMeeting:
        """Each call records a meeting of its own: a recorded meeting is not recorded again."""
        start = timezone.now() - datetime.timedelta(hours=2)
        meeting = services.plan_meeting(
            client=world.own_client,
            by=world.coordinator,
            ground=COORDINATOR,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            place="Palvelukeskus",
            professionals=[world.coordinator, world.member],
            network_members=[world.relative],
        )
        return services.record_meeting(
            meeting=meeting, by=world.coordinator, ground=COORDINATOR, notes="", decisions=rows
        )

    def test_open_decisions_with_client_and_due_date(self, world: World) -> None:
        due = TODAY - datetime.timedelta(days=2)
        meeting = self.record(
            world,
            [
                {"text": "Iltakäynti kotihoitoon", "responsible": f"professional:{world.member.pk}", "due_on": due},
                {"text": "Kauppa-asiat", "responsible": f"member:{world.relative.pk}"},
                {"text": "Hakemus Kelaan", "responsible": f"professional:{world.coordinator.pk}"},
            ],
        )
        response = signed_in(world.member).get(self.url)
        assert response.status_code == 200
        page = text(response)
        assert "Iltakäynti kotihoitoon" in page
        assert "Hakemus Kelaan" not in page
        assert "Kauppa-asiat" not in page
        assert world.own_client.full_name in page
        assert f"{due.day}.{due.month}.{due.year}" in page
        assert reverse("meeting-detail", args=[meeting.pk]) in page
        assert AccessEvent.objects.filter(
            actor=world.member, client=world.own_client, action="list", what="decisions.mine"
        ).exists()

    def test_a_client_no_longer_worked_with_is_not_named(self, world: World) -> None:
        self.record(world, [{"text": "Iltakäynti", "responsible": f"professional:{world.member.pk}"}])
        services.end_care_team_membership(
            member=world.care_team_role,
            ended_on=TODAY - datetime.timedelta(days=1),
            by=world.coordinator,
            ground=COORDINATOR,
        )
        page = text(signed_in(world.member).get(self.url))
        assert "Iltakäynti" in page
        assert world.own_client.full_name not in page
        assert reverse("meeting-detail", args=[world.meeting.pk]) not in page

    def test_the_query_count_does_not_grow_with_the_decisions(self, world: World) -> None:
        browser = signed_in(world.member)
        self.record(world, [{"text": "Yksi", "responsible": f"professional:{world.member.pk}"}])
        few = query_count(browser, self.url)
        self.record(
            world, [{"text": f"Päätös {n}", "responsible": f"professional:{world.member.pk}"} for n in range(10)]
        )
        assert query_count(browser, self.url) == few


def test_every_page_needs_signing_in(world: World) -> None:
    urls: list[Callable[[World], str]] = [
        lambda w: reverse("teams"),
        lambda w: reverse("team-detail", args=[w.team_a.pk]),
        lambda w: reverse("client-network", args=[w.own_client.pk]),
        lambda w: reverse("client-meetings", args=[w.own_client.pk]),
        lambda w: reverse("meeting-detail", args=[w.meeting.pk]),
        lambda w: reverse("my-decisions"),
    ]
    for url in urls:
        response = Browser().get(url(world))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
