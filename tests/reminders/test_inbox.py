"""The inbox, page and API: own reminders only, a fixed number of queries whatever their
number, read / snooze / done, bad input refused with nothing saved, the access log."""

import datetime

import pytest
from django.test import Client as PageClient
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import AccessEvent
from accounts.models import User
from clients.factories import ContactFactory, ReferralFactory
from reminders import services
from reminders.models import EmailPreference, Kind, Reminder

from .conftest import Desk, make_desk

TODAY = timezone.localdate()


def in_english(user: User) -> None:
    """The pages speak the signed-in user's saved language; these tests read English."""
    user.language = "en"
    user.save(update_fields=["language"])


def give_reminders(desk: Desk, count: int) -> list[Reminder]:
    for _ in range(count):
        ReferralFactory(client=desk.client(), created_by=desk.lead, sent_on=TODAY, follow_up_on=TODAY)
    services.sweep(today=TODAY, queue=False)
    return list(Reminder.objects.filter(recipient=desk.coordinator).order_by("pk"))


@pytest.fixture
def api(desk: Desk) -> APIClient:
    client = APIClient()
    client.force_login(desk.coordinator)
    return client


@pytest.fixture
def pages(desk: Desk) -> PageClient:
    client = PageClient()
    client.force_login(desk.coordinator)
    return client


@pytest.mark.parametrize("count", [1, 12])
def test_the_inbox_costs_the_same_queries_whatever_its_length(
    desk: Desk, api: APIClient, pages: PageClient, count: int, django_assert_max_num_queries: object
) -> None:
    give_reminders(desk, count)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        response = api.get("/api/v1/reminders/")
    assert response.status_code == 200
    assert response.json()["count"] == count
    with django_assert_max_num_queries(11):  # type: ignore[operator]
        page = pages.get("/reminders/")
    assert page.status_code == 200
    assert page.content.decode().count('class="reminder-row') == count
    assert page.content.decode().count('<section class="inbox-client') == count


def test_the_inbox_logs_the_clients_it_shows(desk: Desk, pages: PageClient) -> None:
    [reminder] = give_reminders(desk, 1)
    pages.get("/reminders/")
    event = AccessEvent.objects.filter(client=reminder.client, what="reminders").get()
    assert (event.actor_id, event.ground) == (desk.coordinator.pk, "designated_coordinator")


def test_a_reminder_of_a_client_no_longer_visible_drops_out(desk: Desk, api: APIClient) -> None:
    [reminder] = give_reminders(desk, 1)
    reminder.client.assignments.update(ended_on=TODAY, end_reason="handover")
    assert api.get("/api/v1/reminders/").json()["count"] == 0
    assert api.get(f"/api/v1/reminders/{reminder.pk}/").status_code == 404


def test_someone_elses_reminder_is_not_found(desk: Desk) -> None:
    [reminder] = give_reminders(desk, 1)
    other = make_desk("Toinen").coordinator
    api = APIClient()
    api.force_login(other)
    assert api.get(f"/api/v1/reminders/{reminder.pk}/").status_code == 404
    assert api.patch(f"/api/v1/reminders/{reminder.pk}/", {"read": True}, format="json").status_code == 404
    assert api.get("/api/v1/reminders/").json()["count"] == 0


def test_read_snooze_and_done_through_the_api(desk: Desk, api: APIClient) -> None:
    first, second = give_reminders(desk, 2)
    assert api.get("/api/v1/reminders/unread-count/").json() == {"unread": 2}
    assert api.patch(f"/api/v1/reminders/{first.pk}/", {"read": True}, format="json").json()["read"] is True
    assert api.get("/api/v1/reminders/unread-count/").json() == {"unread": 1}
    until = (TODAY + datetime.timedelta(days=3)).isoformat()
    assert api.patch(f"/api/v1/reminders/{second.pk}/", {"snoozed_until": until}, format="json").status_code == 200
    assert [r["id"] for r in api.get("/api/v1/reminders/").json()["results"]] == [first.pk]
    assert api.patch(f"/api/v1/reminders/{first.pk}/", {"done": True}, format="json").status_code == 200
    assert api.get("/api/v1/reminders/").json()["count"] == 0
    # The snoozed one comes back on its day.
    services.sweep(today=TODAY, queue=False)
    from reminders import selectors

    assert [r.pk for r in selectors.inbox(desk.coordinator, today=TODAY + datetime.timedelta(days=3))] == [second.pk]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"read": False},
        {"done": "maybe"},
        {"snoozed_until": "not a date"},
        {"snoozed_until": (TODAY - datetime.timedelta(days=1)).isoformat()},
        {"snoozed_until": (TODAY + datetime.timedelta(days=365)).isoformat()},
        {"read": True, "colour": "red"},
    ],
)
def test_bad_changes_are_refused_and_nothing_is_saved(desk: Desk, api: APIClient, payload: dict[str, object]) -> None:
    [reminder] = give_reminders(desk, 1)
    response = api.patch(f"/api/v1/reminders/{reminder.pk}/", payload, format="json")
    assert response.status_code == 400
    assert response.json()
    reminder.refresh_from_db()
    assert (reminder.read_at, reminder.snoozed_until, reminder.done_at) == (None, None, None)


def test_email_preferences(desk: Desk, api: APIClient) -> None:
    preferences = api.get("/api/v1/reminders/preferences/").json()["by_email"]
    assert preferences[Kind.REFERRAL_FOLLOW_UP] is False
    response = api.put("/api/v1/reminders/preferences/", {"by_email": {Kind.REFERRAL_FOLLOW_UP: True}}, format="json")
    assert response.json()["by_email"][Kind.REFERRAL_FOLLOW_UP] is True
    bad = api.put("/api/v1/reminders/preferences/", {"by_email": {"no_such_kind": True}}, format="json")
    assert bad.status_code == 400
    assert "by_email" in bad.json()
    assert EmailPreference.objects.filter(user=desk.coordinator).count() == 1


def test_the_pages_mark_read_and_done_with_htmx(desk: Desk, pages: PageClient) -> None:
    first, second = give_reminders(desk, 2)
    badge = pages.get("/reminders/unread-count/")
    assert ">2<" in badge.content.decode()
    response = pages.post(f"/reminders/{first.pk}/read/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Trigger"] == "remindersChanged"
    assert "is-unread" not in response.content.decode()
    assert ">1<" in pages.get("/reminders/unread-count/").content.decode()
    response = pages.post(f"/reminders/{second.pk}/done/", headers={"HX-Request": "true"})
    assert response.content == b""
    assert pages.get("/reminders/unread-count/").content.decode().strip() == ""
    assert pages.post(f"/reminders/{first.pk}/done/").status_code == 302


def test_a_bad_snooze_on_the_page_saves_nothing(desk: Desk, pages: PageClient) -> None:
    [reminder] = give_reminders(desk, 1)
    response = pages.post(
        f"/reminders/{reminder.pk}/snooze/",
        {"snoozed_until": (TODAY - datetime.timedelta(days=1)).isoformat()},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    response = pages.post(f"/reminders/{reminder.pk}/snooze/", {"snoozed_until": "x"})
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.snoozed_until is None


def test_the_preferences_page_saves_the_choices(desk: Desk, pages: PageClient) -> None:
    assert pages.get("/reminders/preferences/").status_code == 200
    response = pages.post("/reminders/preferences/", {Kind.MEETING_TOMORROW: "on"})
    assert response.status_code == 302
    chosen = dict(EmailPreference.objects.filter(user=desk.coordinator).values_list("kind", "by_email"))
    assert chosen[Kind.MEETING_TOMORROW] is True
    assert chosen[Kind.ASSESSMENT_START_DUE] is False


def test_an_escalation_names_the_clients_named_worker(desk: Desk) -> None:
    """A lead's escalations are about other people's clients: each says whose."""
    client = desk.client()
    reminder = Reminder.objects.create(
        kind=Kind.REFERRAL_FOLLOW_UP,
        subject_type="clients.referral",
        subject_id=1,
        client=client,
        recipient=desk.lead,
        due_on=TODAY - datetime.timedelta(days=20),
        escalation=True,
    )
    lead = PageClient()
    lead.force_login(desk.lead)
    name = desk.coordinator.get_full_name()
    assert name in lead.get("/reminders/").content.decode()
    # Marked read in place (htmx), the card keeps the name.
    assert name in lead.post(f"/reminders/{reminder.pk}/read/", HTTP_HX_REQUEST="true").content.decode()


def test_an_escalation_without_a_named_worker_says_so(desk: Desk) -> None:
    client = desk.client(with_worker=False)
    Reminder.objects.create(
        kind=Kind.REFERRAL_FOLLOW_UP,
        subject_type="clients.referral",
        subject_id=1,
        client=client,
        recipient=desk.lead,
        due_on=TODAY - datetime.timedelta(days=20),
        escalation=True,
    )
    in_english(desk.lead)
    lead = PageClient()
    lead.force_login(desk.lead)
    page = lead.get("/reminders/").content.decode()
    assert "No named worker" in page
    assert "named worker none" in page


def test_the_inbox_groups_by_client_then_kind(desk: Desk, pages: PageClient) -> None:
    first, second = desk.client(last_name="Aaltonen"), desk.client(last_name="Björk")
    for client in (first, first, second):
        ReferralFactory(client=client, created_by=desk.lead, sent_on=TODAY, follow_up_on=TODAY)
    Reminder.objects.create(
        kind=Kind.BUDGET_THRESHOLD,
        subject_type="budgets.budgetline",
        subject_id=1,
        client=first,
        recipient=desk.coordinator,
        due_on=TODAY - datetime.timedelta(days=2),
    )
    services.sweep(today=TODAY, queue=False)
    in_english(desk.coordinator)
    page = pages.get("/reminders/").content.decode()
    # One section per client, the most urgent client first; within it one heading per kind.
    assert page.count('<section class="inbox-client') == 2
    assert page.index("Aaltonen") < page.index("Björk")
    section = page[page.index(f'id="inbox-client-{first.pk}"') : page.index(f'id="inbox-client-{second.pk}"')]
    assert section.count('class="inbox-kind"') == 2
    assert f"{Kind.REFERRAL_FOLLOW_UP.label} (2)" in section
    assert section.index(str(Kind.BUDGET_THRESHOLD.label)) < section.index(str(Kind.REFERRAL_FOLLOW_UP.label))
    assert section.count('class="reminder-row') == 3


def test_the_inbox_does_not_repeat_the_caseloads_due_list(desk: Desk, pages: PageClient, api: APIClient) -> None:
    """An assessment to start is on the caseload's due list: the inbox points there instead."""
    client = desk.client(last_name="Kettunen")
    ContactFactory(client=client, contacted_on=TODAY, urgent=True, recorded_by=desk.coordinator)
    ReferralFactory(client=client, created_by=desk.lead, sent_on=TODAY, follow_up_on=TODAY)
    services.sweep(today=TODAY, queue=False)
    kinds = set(Reminder.objects.filter(recipient=desk.coordinator).values_list("kind", flat=True))
    assert kinds == {Kind.ASSESSMENT_START_DUE, Kind.REFERRAL_FOLLOW_UP}
    in_english(desk.coordinator)
    caseload = pages.get("/caseload/?show=due").content.decode()
    assert "Kettunen" in caseload[caseload.index('id="due-line"') :]
    page = pages.get("/reminders/").content.decode()
    assert f'class="inbox-kind">{Kind.REFERRAL_FOLLOW_UP.label}' in page
    assert f'class="inbox-kind">{Kind.ASSESSMENT_START_DUE.label}' not in page
    assert "1 needs assessment to start, complete or repeat is on your caseload" in page
    assert [row["kind"] for row in api.get("/api/v1/reminders/").json()["results"]] == [Kind.REFERRAL_FOLLOW_UP]
    assert ">1<" in pages.get("/reminders/unread-count/").content.decode()


def test_an_escalated_assessment_stays_in_the_leads_inbox(desk: Desk) -> None:
    """The lead's escalation is on nobody's own due list: it stays."""
    client = desk.client()
    Reminder.objects.create(
        kind=Kind.RAI_REASSESSMENT_DUE,
        subject_type="assessments.assessment",
        subject_id=1,
        client=client,
        recipient=desk.lead,
        due_on=TODAY - datetime.timedelta(days=20),
        escalation=True,
    )
    lead = APIClient()
    lead.force_login(desk.lead)
    [row] = lead.get("/api/v1/reminders/").json()["results"]
    assert (row["kind"], row["escalation"]) == (Kind.RAI_REASSESSMENT_DUE, True)
    assert row["coordinator_name"] == desk.coordinator.get_full_name()


def test_the_filters_narrow_the_page_and_the_api_alike(desk: Desk) -> None:
    own_client, other = desk.client(), desk.client()
    ReferralFactory(client=own_client, created_by=desk.lead, sent_on=TODAY, follow_up_on=TODAY)
    for client, escalation in ((own_client, True), (other, True), (other, False)):
        Reminder.objects.create(
            kind=Kind.SERVICE_NOT_STARTED,
            subject_type="care_plans.planservice",
            subject_id=client.pk,
            client=client,
            recipient=desk.lead,
            due_on=TODAY - datetime.timedelta(days=30),
            escalation=escalation,
        )
    ReferralFactory(client=other, created_by=desk.lead, sent_on=TODAY, follow_up_on=TODAY)
    services.sweep(today=TODAY, queue=False)
    lead = APIClient()
    lead.force_login(desk.lead)

    def kinds(query: str) -> list[tuple[str, int, bool]]:
        response = lead.get(f"/api/v1/reminders/?{query}")
        assert response.status_code == 200, response.content
        return sorted((r["kind"], r["client"], r["escalation"]) for r in response.json()["results"])

    assert len(kinds("")) == 3
    assert kinds("show=escalated") == sorted(
        [(Kind.SERVICE_NOT_STARTED, own_client.pk, True), (Kind.SERVICE_NOT_STARTED, other.pk, True)]
    )
    assert kinds("show=own") == [(Kind.SERVICE_NOT_STARTED, other.pk, False)]
    assert kinds(f"client={other.pk}&show=escalated") == [(Kind.SERVICE_NOT_STARTED, other.pk, True)]
    assert kinds(f"kind={Kind.REFERRAL_FOLLOW_UP}") == []
    pages = PageClient()
    pages.force_login(desk.lead)
    page = pages.get(f"/reminders/?client={other.pk}").content.decode()
    assert page.count('<section class="inbox-client') == 1
    assert page.count('class="reminder-row') == 2
    # The filters changed with htmx: the list alone.
    partial = pages.get("/reminders/?show=own", headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<div id="inbox-list">')
    assert partial.count('class="reminder-row') == 1
    for query in ("kind=nope", "show=%EF%BC%91", "client=%C2%B2", "client=-1"):
        assert lead.get(f"/api/v1/reminders/?{query}").status_code == 400, query
        assert pages.get(f"/reminders/?{query}").status_code == 400, query


def test_the_pages_keep_the_filters(desk: Desk) -> None:
    for _ in range(26):
        client = desk.client()
        Reminder.objects.create(
            kind=Kind.SERVICE_NOT_STARTED,
            subject_type="care_plans.planservice",
            subject_id=client.pk,
            client=client,
            recipient=desk.lead,
            due_on=TODAY - datetime.timedelta(days=30),
            escalation=True,
        )
    pages = PageClient()
    pages.force_login(desk.lead)
    page = pages.get("/reminders/?show=escalated").content.decode()
    assert page.count('<section class="inbox-client') == 25
    assert "?show=escalated&amp;page=2" in page
    assert pages.get("/reminders/?show=escalated&page=2").content.decode().count('<section class="inbox-client') == 1
