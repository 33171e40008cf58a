"""The pages of the client relationship's life cycle: intake, search, contacts, the named worker,
handover, referrals, closure and reopening, substitutions; each with its success path, bad
input (the form again with messages, 400, nothing saved), the closed client (409, nothing
changed) and the wrong role (403 or 404)."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import AccessEvent
from access.policy import Ground
from accounts.factories import CoordinatorFactory
from accounts.models import User
from clients import services
from clients.identity_code import make_identity_code
from clients.models import (
    Assignment,
    Client,
    ClientMessage,
    Contact,
    DeadlineRule,
    Referral,
    ReferralStatus,
    RelationshipPeriod,
)
from core.calendar import add_working_days
from teams.factories import TeamMembershipFactory
from teams.models import Substitution
from tests.conftest import World

TODAY = timezone.localdate()
BORN = TODAY - datetime.timedelta(days=86 * 365)
CHILD_BORN = TODAY - datetime.timedelta(days=11 * 365)
# Before any relationship or assignment of the world.
LONG_AGO = (TODAY - datetime.timedelta(days=2000)).isoformat()


def signed_in(user: User) -> Browser:
    """Signed in as a user who reads English: the messages checked here are English."""
    user.language = "en"
    user.save(update_fields=["language"])
    browser = Browser()
    browser.force_login(user)
    return browser


def counts() -> dict[str, int]:
    """Rows of every table a page here may write, the changes in the audit log among them."""
    return {
        "clients": Client.objects.count(),
        "contacts": Contact.objects.count(),
        "assignments": Assignment.objects.count(),
        "open_assignments": Assignment.objects.filter(ended_on__isnull=True).count(),
        "periods": RelationshipPeriod.objects.count(),
        "closed_periods": RelationshipPeriod.objects.filter(closed_on__isnull=False).count(),
        "referrals": Referral.objects.count(),
        "substitutions": Substitution.objects.count(),
        "messages": ClientMessage.objects.count(),
        "changes": AccessEvent.objects.exclude(action__in=[AccessEvent.Action.VIEW, AccessEvent.Action.LIST]).count(),
    }


def page_text(response: Any) -> str:
    return str(response.content.decode())


def contact_data(**changes: Any) -> dict[str, Any]:
    return {
        "contacted_on": TODAY.isoformat(),
        "channel": "phone",
        "source": "relative",
        "source_name": "Tytär Liisa",
        "reason": "Kotona pärjääminen on vaikeutunut.",
        **changes,
    }


def new_client_data(**changes: Any) -> dict[str, Any]:
    return {
        "first_name": "Eino",
        "last_name": "Laine",
        "date_of_birth": BORN.isoformat(),
        "identity_code": make_identity_code(BORN, 955),
        "municipality": "Kuopio",
        "preferred_language": "fi",
        **changes,
    }


def social_worker(world: World) -> User:
    worker: User = CoordinatorFactory(username="social-worker", profession="social_worker")
    TeamMembershipFactory(team=world.team_a, user=worker, started_on=world.team_since)
    return worker


# Intake


class TestIntake:
    url = reverse("intake")

    def test_a_coordinator_opens_a_new_client_of_their_own(self, world: World) -> None:
        response = signed_in(world.coordinator).post(
            self.url, {**contact_data(), **new_client_data(), "mode": "new", "coordinator": world.coordinator.pk}
        )
        client = Client.objects.get(identity_code=new_client_data()["identity_code"])
        assert response.status_code == 302
        assert response["Location"] == reverse("client-detail", args=[client.pk])
        assert client.assignments.get().coordinator == world.coordinator
        assert client.team == world.team_a
        contact = client.contacts.get()
        # Aged 75 or over: the assessment starts by the 7th working day (SHL §36).
        assert contact.deadline_rule == DeadlineRule.STATUTORY
        assert contact.assessment_due_on == add_working_days(TODAY, 7)
        page = page_text(signed_in(world.coordinator).get(response["Location"]))
        assert contact.assessment_due_on.strftime("%-d.%-m.%Y") in page

    def test_the_form_names_the_coordinator_by_default(self, world: World) -> None:
        response = signed_in(world.coordinator).get(self.url)
        assert response.status_code == 200
        assert response.context["intake_form"]["coordinator"].value() == world.coordinator.pk
        choices = set(response.context["intake_form"].fields["coordinator"].queryset)
        assert world.colleague in choices
        assert world.other_coordinator not in choices

    def test_a_client_given_to_a_colleague_leaves_the_coordinator_on_the_intake_page(self, world: World) -> None:
        browser = signed_in(world.coordinator)
        response = browser.post(
            self.url, {**contact_data(), **new_client_data(), "mode": "new", "coordinator": world.colleague.pk}
        )
        assert response.status_code == 302
        assert response["Location"] == self.url
        client = Client.objects.get(identity_code=new_client_data()["identity_code"])
        assert client.assignments.get().coordinator == world.colleague
        assert "Eino Laine" in page_text(browser.get(self.url))

    def test_a_team_lead_opens_a_client_for_a_coordinator_of_their_team(self, world: World) -> None:
        response = signed_in(world.lead).post(
            self.url, {**contact_data(), **new_client_data(), "mode": "new", "coordinator": world.colleague.pk}
        )
        client = Client.objects.get(identity_code=new_client_data()["identity_code"])
        assert response["Location"] == reverse("client-detail", args=[client.pk])
        assert client.assignments.get().coordinator == world.colleague

    def test_a_team_lead_opens_a_client_with_no_named_worker_in_their_team(self, world: World) -> None:
        data = {**contact_data(), **new_client_data(), "mode": "new", "no_named_worker_reason": "Vain neuvontaa."}
        response = signed_in(world.lead).post(self.url, data)
        client = Client.objects.get(identity_code=new_client_data()["identity_code"])
        assert response["Location"] == reverse("client-detail", args=[client.pk])
        assert not client.assignments.exists()
        assert (client.no_named_worker_reason, client.team) == ("Vain neuvontaa.", world.team_a)

    def test_a_contact_is_attached_to_any_client_by_identity_code(self, world: World) -> None:
        other = world.other_client
        data = {**contact_data(), "mode": "existing", "existing_identity_code": other.identity_code.lower()}
        browser = signed_in(world.coordinator)
        response = browser.post(self.url, data)
        assert response.status_code == 302
        assert response["Location"] == self.url
        assert other.contacts.get().recorded_by == world.coordinator
        # The message does not name a client the coordinator may not see.
        assert other.full_name not in page_text(browser.get(self.url))
        # The coordinator still cannot open the other team's client.
        assert browser.get(reverse("client-detail", args=[other.pk])).status_code == 404

    def test_a_contact_is_attached_to_a_client_chosen_from_the_search(self, world: World) -> None:
        data = {**contact_data(), "mode": "existing", "existing_client": world.own_client.pk}
        response = signed_in(world.coordinator).post(self.url, data)
        assert response["Location"] == reverse("client-detail", args=[world.own_client.pk])
        assert world.own_client.contacts.count() == 1

    def test_the_name_search_offers_the_clients_to_choose_from(self, world: World) -> None:
        browser = signed_in(world.coordinator)
        response = browser.get(self.url, {"q": world.own_client.last_name})
        assert f'name="existing_client" value="{world.own_client.pk}"' in page_text(response)
        partial = browser.get(
            reverse("client-search"), {"q": world.own_client.last_name, "pick": "1"}, headers={"HX-Request": "true"}
        )
        assert "<html" not in page_text(partial)
        assert f'name="existing_client" value="{world.own_client.pk}"' in page_text(partial)

    BAD = [
        pytest.param({"contacted_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "contact", "contacted_on",
                     id="contact date in the future (service)"),
        pytest.param({"reason": ""}, "contact", "reason", id="no reason for the contact"),
        pytest.param({"channel": "pigeon"}, "contact", "channel", id="unknown channel"),
        pytest.param({"mode": ""}, "intake", "mode", id="existing or new not chosen"),
        pytest.param({"identity_code": "170540-955X"}, "client", "identity_code", id="wrong check character"),
        pytest.param({"municipality": ""}, "client", "municipality", id="new client without municipality"),
        pytest.param({"no_named_worker_reason": "Ei tarvita."}, "intake", "no_named_worker_reason",
                     id="both a worker and a reason"),
        pytest.param({"coordinator": ""}, "intake", "coordinator", id="neither a worker nor a reason"),
        pytest.param({"coordinator": "other"}, "intake", "coordinator", id="a coordinator of another team"),
        pytest.param({"child_special_support": "on", "date_of_birth": CHILD_BORN.isoformat(),
                      "identity_code": make_identity_code(CHILD_BORN, 955)},
                     "intake", "coordinator", id="a child needs a social worker (service)"),
        pytest.param({"mode": "existing", "existing_identity_code": make_identity_code(BORN, 977)}, "intake",
                     "existing_identity_code", id="no client with the identity code"),
        pytest.param({"mode": "existing", "existing_client": "other"}, "intake", "existing_client",
                     id="a client the coordinator cannot see"),
        pytest.param({"mode": "existing"}, "intake", "existing_identity_code", id="existing client not given"),
    ]  # fmt: skip

    @pytest.mark.parametrize(("change", "form", "field"), BAD)
    def test_bad_input_shows_the_form_again_and_saves_nothing(
        self, world: World, change: dict[str, Any], form: str, field: str
    ) -> None:
        data = {**contact_data(), **new_client_data(), "mode": "new", "coordinator": world.coordinator.pk}
        data.update(change)
        if data.get("coordinator") == "other":
            data["coordinator"] = world.other_coordinator.pk
        if data.get("existing_client") == "other":
            data["existing_client"] = world.other_client.pk
        before = counts()
        response = signed_in(world.coordinator).post(self.url, data)
        assert response.status_code == 400
        assert field in response.context[f"{form}_form"].errors, response.context[f"{form}_form"].errors
        assert 'class="error-summary"' in page_text(response)
        assert counts() == before
        assert not AccessEvent.objects.filter(what="intake.identity_code").exists()

    @pytest.mark.parametrize(("role", "status"), [("member", 403), ("admin", 403), ("lead", 200)])
    def test_only_coordinators_and_team_leads_do_intake(self, world: World, role: str, status: int) -> None:
        assert signed_in(getattr(world, role)).get(self.url).status_code == status


class TestClientSearch:
    url = reverse("client-search")

    def test_lists_the_clients_the_user_may_see(self, world: World) -> None:
        response = signed_in(world.coordinator).get(self.url, {"q": world.own_client.last_name})
        assert response.status_code == 200
        page = page_text(response)
        assert reverse("client-detail", args=[world.own_client.pk]) in page
        assert world.own_client.masked_identity_code in page
        assert world.own_client.identity_code not in page
        assert "<html" in page
        assert reverse("client-detail", args=[world.other_client.pk]) not in page

    def test_an_htmx_request_gets_the_list_alone(self, world: World) -> None:
        response = signed_in(world.coordinator).get(
            self.url, {"q": world.own_client.last_name}, headers={"HX-Request": "true"}
        )
        assert "<html" not in page_text(response)
        assert reverse("client-detail", args=[world.own_client.pk]) in page_text(response)

    def test_finds_nobody_for_another_team(self, world: World) -> None:
        response = signed_in(world.other_coordinator).get(self.url, {"q": world.own_client.last_name})
        assert reverse("client-detail", args=[world.own_client.pk]) not in page_text(response)

    def test_a_short_query_asks_for_more(self, world: World) -> None:
        response = signed_in(world.coordinator).get(self.url, {"q": "a"})
        assert response.context["results"] == []


# The client page and its forms


class TestClientPage:
    def test_shows_the_deadline_continuity_contacts_referrals_relationships_and_messages(self, world: World) -> None:
        client = world.own_client
        contact = services.record_contact(
            client=client,
            by=world.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            contacted_on=TODAY - datetime.timedelta(days=30),
            channel="phone",
            source="client",
            reason="Apua kotiin",
        )
        response = signed_in(world.coordinator).get(reverse("client-detail", args=[client.pk]))
        page = page_text(response)
        assert response.status_code == 200
        overdue = (TODAY - contact.assessment_due_on).days
        assert f"{overdue} days overdue" in page
        assert "Apua kotiin" in page
        assert world.own_referral.counterpart in page
        assert 'id="relationships-heading"' in page
        assert 'id="messages-heading"' in page
        assert reverse("client-contact-create", args=[client.pk]) in page
        assert reverse("client-close", args=[client.pk]) in page

    def test_the_team_lead_manages_but_does_not_edit(self, world: World) -> None:
        page = page_text(signed_in(world.lead).get(reverse("client-detail", args=[world.own_client.pk])))
        assert reverse("client-named-worker", args=[world.own_client.pk]) in page
        assert reverse("client-contact-create", args=[world.own_client.pk]) not in page
        assert reverse("client-edit", args=[world.own_client.pk]) not in page

    def test_a_closed_client_shows_the_closure_and_no_edit_actions(self, world: World) -> None:
        page = page_text(signed_in(world.coordinator).get(reverse("client-detail", args=[world.closed_client.pk])))
        assert 'id="closed-heading"' in page
        assert "Tavoitteet saavutettu." in page
        assert reverse("client-reopen", args=[world.closed_client.pk]) in page
        for name in ("client-edit", "client-contact-create", "client-named-worker", "client-close"):
            assert reverse(name, args=[world.closed_client.pk]) not in page


class TestContact:
    def url(self, client: Client) -> str:
        return reverse("client-contact-create", args=[client.pk])

    def test_records_a_further_contact(self, world: World) -> None:
        data = {f"contact-{name}": value for name, value in contact_data(urgent="on").items()}
        response = signed_in(world.coordinator).post(self.url(world.own_client), data)
        assert response.status_code == 302
        assert response["Location"].endswith("#contacts")
        contact = world.own_client.contacts.get()
        assert (contact.deadline_rule, contact.assessment_due_on) == (DeadlineRule.URGENT, TODAY)

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"contacted_on": (TODAY + datetime.timedelta(days=3)).isoformat()}, "contacted_on"),
            ({"contacted_on": "31.2.2026"}, "contacted_on"),
            ({"reason": ""}, "reason"),
            ({"source": "neighbour"}, "source"),
        ],
    )
    def test_bad_input_shows_the_client_page_with_the_form_and_saves_nothing(
        self, world: World, change: dict[str, Any], field: str
    ) -> None:
        data = {f"contact-{name}": value for name, value in contact_data(**change).items()}
        before = counts()
        response = signed_in(world.coordinator).post(self.url(world.own_client), data)
        assert response.status_code == 400
        assert field in response.context["contact_form"].errors
        assert '<details class="form-panel" open>' in page_text(response)
        assert counts() == before

    @pytest.mark.parametrize(("role", "status"), [("lead", 403), ("substitute", 403), ("other_coordinator", 404)])
    def test_only_the_designated_coordinator_records(self, world: World, role: str, status: int) -> None:
        before = counts()
        data = {f"contact-{name}": value for name, value in contact_data().items()}
        assert signed_in(getattr(world, role)).post(self.url(world.own_client), data).status_code == status
        assert counts() == before


class TestNamedWorker:
    def url(self, client: Client) -> str:
        return reverse("client-named-worker", args=[client.pk])

    def assign(self, coordinator: User, **changes: Any) -> dict[str, Any]:
        return {
            "action": "assign",
            "assign-coordinator": coordinator.pk,
            "assign-started_on": TODAY.isoformat(),
            "assign-reason": "Työnjako",
            "assign-handover_note": "Soita ennen käyntiä.",
            **changes,
        }

    def test_the_coordinator_hands_the_client_to_a_colleague_with_a_note(self, world: World) -> None:
        response = signed_in(world.coordinator).post(self.url(world.own_client), self.assign(world.colleague))
        assert response.status_code == 302
        current = world.own_client.assignments.get(ended_on__isnull=True)
        assert (current.coordinator, current.handover_note) == (world.colleague, "Soita ennen käyntiä.")
        # No longer theirs: the page they land on is the caseload.
        assert response["Location"] == reverse("caseload")

    def test_the_team_lead_names_a_worker_and_stays_on_the_client(self, world: World) -> None:
        response = signed_in(world.lead).post(self.url(world.own_client), self.assign(world.colleague))
        assert response["Location"] == reverse("client-detail", args=[world.own_client.pk])

    def test_a_child_needing_special_support_needs_a_social_worker(self, world: World) -> None:
        client = world.own_client
        Client.objects.filter(pk=client.pk).update(child_special_support=True)
        before = counts()
        response = signed_in(world.coordinator).post(self.url(client), self.assign(world.colleague))
        assert response.status_code == 400
        assert response.context["assign_form"].errors["coordinator"] == [
            "A child needing special support must have a social worker as the named worker."
        ]
        assert counts() == before
        worker = social_worker(world)
        assert signed_in(world.coordinator).post(self.url(client), self.assign(worker)).status_code == 302

    def test_records_why_no_named_worker_is_needed(self, world: World) -> None:
        response = signed_in(world.coordinator).post(
            self.url(world.own_client), {"action": "none", "none-reason": "Asioi itse."}
        )
        assert response.status_code == 302
        world.own_client.refresh_from_db()
        assert world.own_client.no_named_worker_reason == "Asioi itse."
        assert not world.own_client.assignments.filter(ended_on__isnull=True).exists()

    @pytest.mark.parametrize(
        "data",
        [
            pytest.param({"action": "none", "none-reason": " "}, id="no reason"),
            pytest.param({"action": "assign", "assign-started_on": TODAY.isoformat()}, id="no coordinator"),
            pytest.param("other team", id="coordinator of another team"),
            pytest.param("before the current", id="starts before the current assignment (service)"),
        ],
    )
    def test_bad_input_changes_nothing(self, world: World, data: Any) -> None:
        if data == "other team":
            data = self.assign(world.other_coordinator)
        elif data == "before the current":
            data = self.assign(world.colleague, **{"assign-started_on": LONG_AGO})
        before = counts()
        response = signed_in(world.coordinator).post(self.url(world.own_client), data)
        assert response.status_code == 400
        assert counts() == before

    def test_a_closed_client_answers_409(self, world: World) -> None:
        before = counts()
        response = signed_in(world.lead).post(self.url(world.closed_client), self.assign(world.colleague))
        assert response.status_code == 409
        assert "closed" in page_text(response)
        assert counts() == before

    @pytest.mark.parametrize(("role", "status"), [("substitute", 403), ("member", 403), ("other_lead", 404)])
    def test_wrong_role(self, world: World, role: str, status: int) -> None:
        assert signed_in(getattr(world, role)).get(self.url(world.own_client)).status_code == status


# The caseload and handover


class TestCaseload:
    def test_shows_deadlines_in_words_and_continuity(self, world: World) -> None:
        services.record_contact(
            client=world.own_client,
            by=world.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            contacted_on=TODAY - datetime.timedelta(days=40),
            channel="phone",
            source="client",
            reason="Apua",
        )
        response = signed_in(world.coordinator).get(reverse("caseload"), {"sort": "deadline"})
        page = page_text(response)
        assert "days overdue" in page
        assert 'class="overdue-row"' in page
        assert f"Select {world.own_client.full_name}" in page
        row = response.context["page"].object_list[0]
        assert row.client == world.own_client
        assert (row.worker_changes_12m, row.relationship_days) == (0, (TODAY - world.relationships_since).days)

    def test_select_all_on_this_page_checks_every_box(self, world: World) -> None:
        world.give(world.coordinator, count=2)
        page = page_text(signed_in(world.coordinator).get(reverse("caseload"), {"select": "page"}))
        assert page.count('form="handover-form" id="select-') == page.count(" checked>") == 3

    def test_a_lead_may_hand_over_all_clients_of_a_coordinator(self, world: World) -> None:
        page = page_text(signed_in(world.lead).get(reverse("caseload-of", args=[world.coordinator.pk])))
        assert 'name="scope" value="all"' in page
        own = page_text(signed_in(world.coordinator).get(reverse("caseload")))
        assert 'name="scope" value="all"' not in own

    def test_a_substitute_sees_the_caseload_without_handover(self, world: World) -> None:
        page = page_text(signed_in(world.substitute).get(reverse("caseload-of", args=[world.coordinator.pk])))
        assert 'id="handover-form"' not in page

    def test_costs_the_same_queries_for_5_and_50_clients_with_contacts_referrals_and_notes(self, world: World) -> None:
        browser = signed_in(world.coordinator)

        def add(count: int) -> None:
            for _ in range(count):
                client = world.give(world.colleague)
                for days in (3, 20):
                    services.record_contact(
                        client=client,
                        by=world.colleague,
                        ground=Ground.DESIGNATED_COORDINATOR,
                        contacted_on=TODAY - datetime.timedelta(days=days),
                        channel="phone",
                        source="client",
                        reason="Apua",
                    )
                services.create_referral(
                    client=client,
                    by=world.colleague,
                    ground=Ground.DESIGNATED_COORDINATOR,
                    counterpart="Kela",
                    reason="Hoitotuki",
                    sent_on=TODAY,
                )
                services.hand_over(
                    clients=[client], to=[world.coordinator], by=world.lead, ground=Ground.TEAM_LEAD, note="Lue tämä."
                )

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert browser.get(reverse("caseload"), {"sort": "deadline"}).status_code == 200
            return len(captured)

        add(4)
        small = queries()
        add(45)
        assert queries() == small


class TestHandover:
    url = reverse("caseload-handover")

    def data(self, world: World, clients: list[Client], **changes: Any) -> dict[str, Any]:
        return {
            "owner": world.coordinator.pk,
            "scope": "selected",
            "clients": [c.pk for c in clients],
            "to": [world.colleague.pk],
            "note": "Asiakas toivoo aamukäyntejä.",
            "on": TODAY.isoformat(),
            **changes,
        }

    def test_the_colleague_gets_the_clients_and_reads_the_note_first(self, world: World) -> None:
        second = world.give(world.coordinator)
        response = signed_in(world.coordinator).post(self.url, self.data(world, [world.own_client, second]))
        assert response.status_code == 302
        assert response["Location"] == reverse("caseload")
        for client in (world.own_client, second):
            assert client.assignments.get(ended_on__isnull=True).coordinator == world.colleague
        colleague = signed_in(world.colleague)
        page = page_text(colleague.get(reverse("caseload")))
        assert page.index("Asiakas toivoo aamukäyntejä.") < page.index('id="caseload-caption"')
        assignment = world.own_client.assignments.get(ended_on__isnull=True)
        detail = page_text(colleague.get(reverse("client-detail", args=[world.own_client.pk])))
        assert 'id="note-heading"' in detail
        response = colleague.post(reverse("assignment-note-read", args=[assignment.pk]), {"next": reverse("caseload")})
        assert response["Location"] == reverse("caseload")
        assignment.refresh_from_db()
        assert assignment.note_read_at is not None
        assert 'id="note-heading"' not in page_text(colleague.get(reverse("client-detail", args=[world.own_client.pk])))

    def test_only_the_receiver_marks_a_note_read(self, world: World) -> None:
        signed_in(world.coordinator).post(self.url, self.data(world, [world.own_client]))
        assignment = world.own_client.assignments.get(ended_on__isnull=True)
        for user in (world.coordinator, world.lead, world.other_coordinator):
            assert signed_in(user).post(reverse("assignment-note-read", args=[assignment.pk])).status_code == 404
        assignment.refresh_from_db()
        assert assignment.note_read_at is None

    def test_a_lead_hands_over_all_clients_of_a_leaving_coordinator_to_two(self, world: World) -> None:
        world.give(world.coordinator, count=3)
        data = self.data(world, [], scope="all", to=[world.colleague.pk, world.substitute.pk])
        response = signed_in(world.lead).post(self.url, data)
        assert response.status_code == 302
        assert response["Location"] == reverse("caseload-of", args=[world.coordinator.pk])
        assert not Assignment.objects.filter(coordinator=world.coordinator, ended_on__isnull=True).exists()
        moved = Assignment.objects.filter(ended_on__isnull=True, handover_note="Asiakas toivoo aamukäyntejä.")
        assert sorted(moved.values_list("coordinator", flat=True)) == sorted(
            [world.colleague.pk, world.colleague.pk, world.substitute.pk, world.substitute.pk]
        )

    def test_a_coordinator_cannot_hand_over_all(self, world: World) -> None:
        before = counts()
        response = signed_in(world.coordinator).post(self.url, self.data(world, [], scope="all"))
        assert response.status_code == 403
        assert counts() == before

    def test_loads_the_clients_in_a_fixed_number_of_queries(self, world: World) -> None:
        def cost(clients: list[Client], to: User) -> int:
            browser = signed_in(world.lead)
            data = self.data(world, clients, to=[to.pk])
            with CaptureQueriesContext(connection) as captured:
                assert browser.post(self.url, data).status_code == 302
            return len(captured)

        few = [world.give(world.coordinator) for _ in range(2)]
        many = [world.give(world.coordinator) for _ in range(10)]
        # The same receiver both times: the grant log writes its row only where someone gains
        # access (the substitute already sees the coordinator's clients, the colleague does not).
        assert cost(few, world.colleague) == cost(many, world.colleague)

    @pytest.mark.parametrize(
        "change",
        [
            pytest.param({"clients": []}, id="no client chosen"),
            pytest.param({"clients": ["x"]}, id="not a client"),
            pytest.param({"to": []}, id="no coordinator chosen"),
            pytest.param({"note": ""}, id="no note"),
            pytest.param({"on": "2026-02-30"}, id="no such date"),
            pytest.param("colleague's client", id="a client that is not theirs"),
            pytest.param("other team", id="a coordinator of another team"),
            pytest.param({"on": LONG_AGO}, id="before the current assignment (service)"),
        ],
    )
    def test_bad_input_shows_the_caseload_again_and_moves_nobody(self, world: World, change: Any) -> None:
        data = self.data(world, [world.own_client])
        if change == "colleague's client":
            change = {"clients": [world.own_client.pk, world.colleague_client.pk]}
        elif change == "other team":
            change = {"to": [world.other_coordinator.pk]}
        data.update(change)
        before = counts()
        response = signed_in(world.coordinator).post(self.url, data)
        assert response.status_code == 400
        assert response.context["handover_form"].errors
        page = page_text(response)
        assert 'class="error-summary"' in page
        # The choice is kept for the next try.
        if world.own_client.pk in data["clients"]:
            assert (
                f'value="{world.own_client.pk}" form="handover-form" id="select-{world.own_client.pk}" checked' in page
            )
        assert counts() == before

    @pytest.mark.parametrize(("role", "status"), [("member", 403), ("admin", 403), ("other_lead", 404)])
    def test_wrong_role(self, world: World, role: str, status: int) -> None:
        before = counts()
        response = signed_in(getattr(world, role)).post(self.url, self.data(world, [world.own_client]))
        assert response.status_code == status
        assert counts() == before

    def test_a_substitute_may_not_hand_over(self, world: World) -> None:
        response = signed_in(world.substitute).post(self.url, self.data(world, [world.own_client]))
        assert response.status_code == 403


# Referrals


class TestReferrals:
    def url(self, client: Client) -> str:
        return reverse("client-referral-create", args=[client.pk])

    def outgoing(self, **changes: Any) -> dict[str, Any]:
        return {
            "direction": "outgoing",
            "outgoing-counterpart": "TE-palvelut",
            "outgoing-reason": "Työkyvyn arviointi",
            "outgoing-sent_on": TODAY.isoformat(),
            "outgoing-follow_up_on": (TODAY + datetime.timedelta(days=14)).isoformat(),
            **changes,
        }

    def incoming(self, **changes: Any) -> dict[str, Any]:
        return {
            "direction": "incoming",
            "incoming-counterpart": "Terveyskeskus",
            "incoming-source": "health_care",
            "incoming-reason": "Kotiutuminen sairaalasta",
            "incoming-received_on": TODAY.isoformat(),
            **changes,
        }

    def test_sends_a_referral(self, world: World) -> None:
        response = signed_in(world.coordinator).post(self.url(world.own_client), self.outgoing())
        assert response.status_code == 302
        assert response["Location"].endswith("#referrals")
        referral = world.own_client.referrals.get(counterpart="TE-palvelut")
        assert (referral.direction, referral.status) == (Referral.Direction.OUTGOING, ReferralStatus.SENT)

    def test_a_referral_received_is_a_contact_too(self, world: World) -> None:
        response = signed_in(world.coordinator).post(
            self.url(world.own_client), self.incoming(**{"incoming-urgent": "on"})
        )
        assert response.status_code == 302
        referral = world.own_client.referrals.get(counterpart="Terveyskeskus")
        assert referral.contact is not None
        assert (referral.contact.channel, referral.contact.urgent) == ("referral", True)

    @pytest.mark.parametrize(
        ("data", "form", "field"),
        [
            pytest.param({"outgoing-counterpart": ""}, "outgoing_form", "partner", id="no partner nor other"),
            pytest.param(
                {"outgoing-follow_up_on": (TODAY - datetime.timedelta(days=1)).isoformat()},
                "outgoing_form",
                "follow_up_on",
                id="follow-up before sending (service)",
            ),
            pytest.param({"direction": "incoming", "incoming-source": "x"}, "incoming_form", "source", id="bad sender"),
            pytest.param(
                {"direction": "incoming", "incoming-received_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
                "incoming_form",
                "received_on",
                id="received in the future (service)",
            ),
        ],
    )
    def test_bad_input_saves_nothing(self, world: World, data: dict[str, Any], form: str, field: str) -> None:
        base = self.incoming() if data.get("direction") == "incoming" else self.outgoing()
        before = counts()
        response = signed_in(world.coordinator).post(self.url(world.own_client), {**base, **data})
        assert response.status_code == 400
        assert field in response.context[form].errors, response.context[form].errors
        assert counts() == before

    @pytest.mark.parametrize(("role", "status"), [("lead", 403), ("member", 403), ("other_coordinator", 404)])
    def test_wrong_role(self, world: World, role: str, status: int) -> None:
        before = counts()
        assert signed_in(getattr(world, role)).post(self.url(world.own_client), self.outgoing()).status_code == status
        assert counts() == before

    def test_advances_a_referral(self, world: World) -> None:
        url = reverse("referral-advance", args=[world.own_referral.pk])
        response = signed_in(world.coordinator).post(url, {"status": "answered"})
        assert response["Location"] == reverse("client-detail", args=[world.own_client.pk]) + "#referrals"
        world.own_referral.refresh_from_db()
        assert world.own_referral.status == ReferralStatus.ANSWERED
        response = signed_in(world.coordinator).post(url, {"status": "closed", "next": reverse("referrals-overdue")})
        assert response["Location"] == reverse("referrals-overdue")

    @pytest.mark.parametrize("status", ["sent", "lost", ""])
    def test_a_referral_does_not_move_back_or_anywhere_unknown(self, world: World, status: str) -> None:
        url = reverse("referral-advance", args=[world.own_referral.pk])
        response = signed_in(world.coordinator).post(url, {"status": status})
        assert response.status_code == 400
        assert "The referral could not be updated." in page_text(response)
        world.own_referral.refresh_from_db()
        assert world.own_referral.status == ReferralStatus.SENT

    @pytest.mark.parametrize(("role", "status"), [("lead", 403), ("substitute", 403), ("other_coordinator", 404)])
    def test_advance_wrong_role(self, world: World, role: str, status: int) -> None:
        url = reverse("referral-advance", args=[world.own_referral.pk])
        assert signed_in(getattr(world, role)).post(url, {"status": "received"}).status_code == status
        assert signed_in(world.coordinator).post(reverse("referral-advance", args=[999999])).status_code == 404

    def test_overdue_referrals_of_the_caseload_and_the_teams(self, world: World) -> None:
        link = reverse("client-detail", args=[world.own_client.pk])
        for user, shown in ((world.coordinator, True), (world.lead, True), (world.colleague, False)):
            response = signed_in(user).get(reverse("referrals-overdue"))
            assert response.status_code == 200
            assert (link in page_text(response)) is shown
        assert "days overdue" in page_text(signed_in(world.coordinator).get(reverse("referrals-overdue")))

    def test_overdue_referrals_name_the_named_worker_on_the_page_and_in_the_api(
        self, world: World, api: APIClient
    ) -> None:
        """A lead's list spans several coordinators: each row says whose client it is."""
        name = world.coordinator.get_full_name()
        assert f"<td>{name}</td>" in page_text(signed_in(world.lead).get(reverse("referrals-overdue")))
        api.force_login(world.lead)
        [row] = api.get(reverse("api-referrals-overdue")).json()["results"]
        assert (row["id"], row["coordinator_name"]) == (world.own_referral.pk, name)


# Closing and reopening


class TestClosure:
    def url(self, client: Client) -> str:
        return reverse("client-close", args=[client.pk])

    def data(self, **changes: Any) -> dict[str, Any]:
        return {
            "reason": "moved",
            "summary": "Muutti Ouluun; palvelut jatkuvat siellä.",
            "reached": "Palvelut siirtyivät Ouluun.",
            "client_view": "helped",
            "closed_on": TODAY.isoformat(),
            "confirm": "on",
            **changes,
        }

    def test_the_page_warns_what_closing_does(self, world: World) -> None:
        response = signed_in(world.coordinator).get(self.url(world.own_client))
        assert response.status_code == 200
        assert "read-only" in page_text(response)

    def test_closes_and_the_coordinator_still_reads_the_record(self, world: World) -> None:
        response = signed_in(world.coordinator).post(self.url(world.own_client), self.data())
        assert response["Location"] == reverse("client-detail", args=[world.own_client.pk])
        period = world.own_client.relationship_periods.get(closed_on__isnull=False)
        assert (period.closure_reason, period.closed_by) == ("moved", world.coordinator)
        page = page_text(signed_in(world.coordinator).get(response["Location"]))
        assert "Muutti Ouluun; palvelut jatkuvat siellä." in page

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"confirm": ""}, "confirm"),
            ({"summary": ""}, "summary"),
            ({"reached": ""}, "reached"),
            ({"client_view": "maybe"}, "client_view"),
            ({"reason": "bored"}, "reason"),
            ({"closed_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "closed_on"),
            ({"closed_on": LONG_AGO}, "closed_on"),
        ],
    )
    def test_bad_input_closes_nothing(self, world: World, change: dict[str, Any], field: str) -> None:
        before = counts()
        response = signed_in(world.coordinator).post(self.url(world.own_client), self.data(**change))
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert counts() == before

    def test_a_closed_client_answers_409(self, world: World) -> None:
        before = counts()
        browser = signed_in(world.lead)
        assert browser.get(self.url(world.closed_client)).status_code == 409
        response = browser.post(self.url(world.closed_client), self.data())
        assert response.status_code == 409
        assert "closed" in page_text(response)
        assert counts() == before

    @pytest.mark.parametrize(("role", "status"), [("substitute", 403), ("member", 403), ("other_coordinator", 404)])
    def test_wrong_role(self, world: World, role: str, status: int) -> None:
        before = counts()
        assert signed_in(getattr(world, role)).post(self.url(world.own_client), self.data()).status_code == status
        assert counts() == before

    def test_the_former_coordinator_reopens_and_is_named_again(self, world: World) -> None:
        response = signed_in(world.coordinator).post(reverse("client-reopen", args=[world.closed_client.pk]))
        assert response["Location"] == reverse("client-detail", args=[world.closed_client.pk])
        world.closed_client.refresh_from_db()
        assert not world.closed_client.is_closed
        assert world.closed_client.assignments.get(ended_on__isnull=True).coordinator == world.coordinator

    def test_the_lead_reopens_without_naming_anyone(self, world: World) -> None:
        response = signed_in(world.lead).post(reverse("client-reopen", args=[world.closed_client.pk]))
        assert response.status_code == 302
        assert not world.closed_client.assignments.filter(ended_on__isnull=True).exists()

    def test_reopening_an_open_client_answers_409(self, world: World) -> None:
        before = counts()
        response = signed_in(world.coordinator).post(reverse("client-reopen", args=[world.own_client.pk]))
        assert response.status_code == 409
        assert counts() == before

    def test_reopen_wrong_role(self, world: World) -> None:
        url = reverse("client-reopen", args=[world.closed_client.pk])
        assert signed_in(world.colleague).post(url).status_code == 404
        assert signed_in(world.other_lead).post(url).status_code == 404


# Substitutions


class TestSubstitutions:
    url = reverse("substitutions")

    def data(self, world: World, **changes: Any) -> dict[str, Any]:
        return {
            "absent": world.coordinator.pk,
            "substitute": world.colleague.pk,
            "starts_on": (TODAY + datetime.timedelta(days=7)).isoformat(),
            "ends_on": (TODAY + datetime.timedelta(days=21)).isoformat(),
            "reason": "Vuosiloma",
            **changes,
        }

    def test_lists_and_arranges(self, world: World) -> None:
        browser = signed_in(world.coordinator)
        response = browser.get(self.url)
        assert response.status_code == 200
        assert world.substitute.get_full_name() in page_text(response)
        response = browser.post(self.url, self.data(world))
        assert response["Location"] == self.url
        assert Substitution.objects.filter(substitute=world.colleague, reason="Vuosiloma").exists()

    def test_a_team_lead_arranges_for_a_coordinator_of_the_team(self, world: World) -> None:
        response = signed_in(world.lead).post(
            self.url, self.data(world, absent=world.colleague.pk, substitute=world.coordinator.pk)
        )
        assert response.status_code == 302

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            pytest.param({"ends_on": TODAY.isoformat()}, "ends_on", id="ends before it starts (service)"),
            pytest.param({"substitute": "other"}, "substitute", id="another team's coordinator"),
            pytest.param({"absent": "colleague"}, "absent", id="for someone else"),
            pytest.param({"starts_on": ""}, "starts_on", id="no start"),
        ],
    )
    def test_bad_input_arranges_nothing(self, world: World, change: dict[str, Any], field: str) -> None:
        data = self.data(world, **change)
        people = {"other": world.other_coordinator.pk, "colleague": world.colleague.pk}
        data = {name: people.get(value, value) for name, value in data.items()}
        before = counts()
        response = signed_in(world.coordinator).post(self.url, data)
        assert response.status_code == 400
        assert field in response.context["form"].errors, response.context["form"].errors
        assert counts() == before

    def test_a_team_member_has_no_one_to_arrange_for(self, world: World) -> None:
        browser = signed_in(world.member)
        assert browser.get(self.url).status_code == 200
        before = counts()
        assert browser.post(self.url, self.data(world)).status_code == 400
        assert counts() == before


def test_the_team_review_shows_handovers_in_12_months(world: World) -> None:
    services.hand_over(
        clients=[world.own_client], to=[world.colleague], by=world.lead, ground=Ground.TEAM_LEAD, note="Siirto"
    )
    response = signed_in(world.lead).get(reverse("team-review"))
    rows = {m.user: m.handed_over_12m for m in response.context["memberships"]}
    assert rows[world.coordinator] == 1
    assert '<td class="numeric">1</td>' in page_text(response)
