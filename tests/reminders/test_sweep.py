"""The sweep: each kind at the right moment (the day injected), escalation to the team lead,
exactly once over repeated and concurrent sweeps, cancellation on closure."""

import datetime
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from access.policy import Ground
from assessments.models import Assessment
from care_plans.models import CarePlan, PlanReview, PlanService, PlanVersion
from clients import services as client_services
from clients.factories import ContactFactory, ReferralFactory
from clients.models import ClosureReason, Contact
from networks.models import NetworkMeeting
from reminders import services
from reminders.models import Kind, Reminder, ReminderKindSetting

from .conftest import Desk, make_desk

HELSINKI = ZoneInfo("Europe/Helsinki")
# The sweep is handed its day; the assessments, plans and budgets it reads are made on days of
# 2025 and 2026: the tests run on a pinned day.
pytestmark = pytest.mark.today(datetime.date(2026, 11, 27))
DUE = datetime.date(2026, 6, 15)


def sweep(day: datetime.date) -> services.SweepResult:
    return services.sweep(today=day, queue=False)


def reminders(kind: str, *, escalation: bool = False) -> list[tuple[int, int, datetime.date]]:
    return list(
        Reminder.objects.filter(kind=kind, escalation=escalation)
        .order_by("pk")
        .values_list("subject_id", "recipient_id", "due_on")
    )


def pending_contact(desk: Desk, due_on: datetime.date, **client_fields: Any) -> int:
    client = desk.client(**client_fields)
    contacted = due_on - datetime.timedelta(days=10)
    contact = ContactFactory(client=client, contacted_on=contacted, assessment_due_on=due_on, recorded_by=desk.lead)
    return int(contact.pk)


def test_assessment_start_reminds_before_the_deadline_then_overdue_then_escalates(desk: Desk) -> None:
    contact = pending_contact(desk, DUE)
    sweep(DUE - datetime.timedelta(days=4))
    assert Reminder.objects.count() == 0
    sweep(DUE - datetime.timedelta(days=3))  # the default lead time: 3 days
    assert reminders(Kind.ASSESSMENT_START_DUE) == [(contact, desk.coordinator.pk, DUE)]
    sweep(DUE)
    assert reminders(Kind.ASSESSMENT_START_OVERDUE) == []
    sweep(DUE + datetime.timedelta(days=1))
    assert reminders(Kind.ASSESSMENT_START_OVERDUE) == [(contact, desk.coordinator.pk, DUE)]
    sweep(DUE + datetime.timedelta(days=2))
    assert reminders(Kind.ASSESSMENT_START_OVERDUE, escalation=True) == []
    sweep(DUE + datetime.timedelta(days=3))  # passed by the default 3 days: the lead is told
    assert reminders(Kind.ASSESSMENT_START_OVERDUE, escalation=True) == [(contact, desk.lead.pk, DUE)]


def test_a_started_assessment_is_not_reminded(desk: Desk) -> None:
    contact = pending_contact(desk, DUE)
    Contact.objects.filter(pk=contact).update(assessment_started_on=DUE - datetime.timedelta(days=5))
    sweep(DUE + datetime.timedelta(days=10))
    assert Reminder.objects.count() == 0


def test_lead_and_escalation_days_are_the_administrators_settings(desk: Desk) -> None:
    ReminderKindSetting.objects.filter(kind=Kind.ASSESSMENT_START_DUE).update(lead_days=7)
    ReminderKindSetting.objects.filter(kind=Kind.ASSESSMENT_START_OVERDUE).update(escalation_days=10)
    pending_contact(desk, DUE)
    sweep(DUE - datetime.timedelta(days=7))
    assert len(reminders(Kind.ASSESSMENT_START_DUE)) == 1
    sweep(DUE + datetime.timedelta(days=9))
    assert reminders(Kind.ASSESSMENT_START_OVERDUE, escalation=True) == []
    sweep(DUE + datetime.timedelta(days=10))
    assert len(reminders(Kind.ASSESSMENT_START_OVERDUE, escalation=True)) == 1
    ReminderKindSetting.objects.filter(kind=Kind.REFERRAL_FOLLOW_UP).update(active=False)
    ReferralFactory(client=desk.client(), created_by=desk.lead, sent_on=DUE, follow_up_on=DUE)
    sweep(DUE + datetime.timedelta(days=30))
    assert reminders(Kind.REFERRAL_FOLLOW_UP) == []


def test_a_childs_assessment_not_completed_within_3_months(desk: Desk) -> None:
    client = desk.client(child_special_support=True)
    started = DUE - datetime.timedelta(days=92)
    assessment = Assessment.objects.create(
        client=client, started_on=started, complete_by=DUE, created_by=desk.coordinator
    )
    sweep(DUE - datetime.timedelta(days=15))
    assert reminders(Kind.CHILD_ASSESSMENT_DUE) == []
    sweep(DUE - datetime.timedelta(days=14))
    assert reminders(Kind.CHILD_ASSESSMENT_DUE) == [(assessment.pk, desk.coordinator.pk, DUE)]
    sweep(DUE + datetime.timedelta(days=7))
    assert reminders(Kind.CHILD_ASSESSMENT_DUE, escalation=True) == [(assessment.pk, desk.lead.pk, DUE)]


def test_rai_reassessment_of_the_latest_completed_assessment(desk: Desk) -> None:
    client = desk.client()
    latest = Assessment.objects.create(
        client=client,
        started_on=datetime.date(2025, 12, 1),
        completed_on=datetime.date(2025, 12, 10),
        status=Assessment.Status.COMPLETED,
        reassess_on=DUE,
        rai_instrument="interrai_hc",
        created_by=desk.coordinator,
    )
    sweep(DUE - datetime.timedelta(days=31))
    assert reminders(Kind.RAI_REASSESSMENT_DUE) == []
    sweep(DUE - datetime.timedelta(days=30))
    assert reminders(Kind.RAI_REASSESSMENT_DUE) == [(latest.pk, desk.coordinator.pk, DUE)]


def test_a_reassessment_already_under_way_is_not_reminded(desk: Desk) -> None:
    client = desk.client()
    Assessment.objects.create(
        client=client,
        started_on=datetime.date(2025, 12, 1),
        completed_on=datetime.date(2025, 12, 10),
        status=Assessment.Status.COMPLETED,
        reassess_on=DUE,
        created_by=desk.coordinator,
    )
    Assessment.objects.create(client=client, started_on=DUE - datetime.timedelta(days=40), created_by=desk.coordinator)
    sweep(DUE)
    assert reminders(Kind.RAI_REASSESSMENT_DUE) == []


def _published_plan(desk: Desk, *, review_on: datetime.date, published: datetime.date) -> tuple[PlanVersion, int]:
    client = desk.client()
    plan = CarePlan.objects.create(client=client, created_by=desk.coordinator)
    version = PlanVersion.objects.create(plan=plan, number=1, created_by=desk.coordinator, review_on=review_on)
    service = PlanService.objects.create(version=version, service="Kotihoito", starts_on=None)
    PlanVersion.objects.filter(pk=version.pk).update(
        status=PlanVersion.Status.PUBLISHED,
        published_at=datetime.datetime.combine(published, datetime.time(12), tzinfo=HELSINKI),
    )
    return version, service.pk


def test_plan_review_due_until_a_review_is_held(desk: Desk) -> None:
    version, _ = _published_plan(desk, review_on=DUE, published=datetime.date(2025, 12, 1))
    sweep(DUE - datetime.timedelta(days=15))
    assert reminders(Kind.PLAN_REVIEW_DUE) == []
    sweep(DUE - datetime.timedelta(days=14))
    assert reminders(Kind.PLAN_REVIEW_DUE) == [(version.pk, desk.coordinator.pk, DUE)]
    other, _ = _published_plan(desk, review_on=DUE, published=datetime.date(2025, 12, 1))
    PlanReview.objects.create(version=other, held_on=DUE - datetime.timedelta(days=5), reviewed_by=desk.coordinator)
    sweep(DUE + datetime.timedelta(days=20))
    assert {row[0] for row in reminders(Kind.PLAN_REVIEW_DUE)} == {version.pk}


def test_a_service_not_started_within_3_months_of_the_plan(desk: Desk) -> None:
    published = datetime.date(2026, 3, 15)
    _, service = _published_plan(desk, review_on=datetime.date(2027, 1, 1), published=published)
    due = datetime.date(2026, 6, 15)
    sweep(due - datetime.timedelta(days=15))
    assert reminders(Kind.SERVICE_NOT_STARTED) == []
    sweep(due - datetime.timedelta(days=14))
    assert reminders(Kind.SERVICE_NOT_STARTED) == [(service, desk.coordinator.pk, due)]


def test_a_client_without_a_named_worker_is_reported_to_the_team_lead(desk: Desk) -> None:
    client = desk.client(with_worker=False)
    desk.client(with_worker=False, no_named_worker_reason="Asiakas hoitaa asiansa itse.")
    sweep(DUE)
    assert reminders(Kind.NO_NAMED_WORKER) == [(client.pk, desk.lead.pk, client.relationship_started_on)]


def test_referral_follow_up_and_its_escalation(desk: Desk) -> None:
    referral = ReferralFactory(client=desk.client(), created_by=desk.lead, sent_on=DUE, follow_up_on=DUE)
    ReferralFactory(client=desk.client(), created_by=desk.lead, sent_on=DUE, follow_up_on=DUE, status="closed")
    sweep(DUE - datetime.timedelta(days=2))
    assert reminders(Kind.REFERRAL_FOLLOW_UP) == []
    sweep(DUE - datetime.timedelta(days=1))
    assert reminders(Kind.REFERRAL_FOLLOW_UP) == [(referral.pk, desk.coordinator.pk, DUE)]
    sweep(DUE + datetime.timedelta(days=7))
    assert reminders(Kind.REFERRAL_FOLLOW_UP, escalation=True) == [(referral.pk, desk.lead.pk, DUE)]


def test_a_network_meeting_tomorrow_reminds_the_named_worker_and_the_professionals(desk: Desk) -> None:
    nurse = make_desk("Hoitajat").coordinator
    starts = datetime.datetime.combine(DUE, datetime.time(0, 30), tzinfo=HELSINKI)  # 21:30 UTC the day before
    meeting = NetworkMeeting.objects.create(
        client=desk.client(),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Asiakkaan koti",
        organiser=desk.coordinator,
    )
    meeting.professionals.set([nurse])
    sweep(DUE - datetime.timedelta(days=2))
    assert reminders(Kind.MEETING_TOMORROW) == []
    sweep(DUE - datetime.timedelta(days=1))
    assert sorted(reminders(Kind.MEETING_TOMORROW)) == sorted(
        [(meeting.pk, desk.coordinator.pk, DUE), (meeting.pk, nurse.pk, DUE)]
    )


def test_a_second_sweep_creates_nothing_new(desk: Desk) -> None:
    for days in range(5):
        pending_contact(desk, DUE - datetime.timedelta(days=days))
        ReferralFactory(client=desk.client(), created_by=desk.lead, sent_on=DUE, follow_up_on=DUE)
    first = sweep(DUE + datetime.timedelta(days=8))
    assert first.total_created == 5 * 4  # overdue and its escalation, follow-up and its escalation
    count = Reminder.objects.count()
    second = sweep(DUE + datetime.timedelta(days=8))
    assert second.total_created == 0
    assert Reminder.objects.count() == count


def test_batches_cover_every_client(desk: Desk) -> None:
    for _ in range(7):
        ReferralFactory(client=desk.client(), created_by=desk.lead, sent_on=DUE, follow_up_on=DUE)
    result = services.sweep(today=DUE, batch_size=2, queue=False)
    assert result.batches >= 4
    assert len(reminders(Kind.REFERRAL_FOLLOW_UP)) == 7


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_create_each_reminder_once() -> None:
    desk = make_desk("Rinnakkain")
    for days in range(20):
        pending_contact(desk, DUE - datetime.timedelta(days=days))
        ReferralFactory(client=desk.client(), created_by=desk.lead, sent_on=DUE, follow_up_on=DUE)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(sweep(DUE + datetime.timedelta(days=8)).total_created)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sum(results) == 80
    assert Reminder.objects.count() == 80


def test_closing_a_client_cancels_their_pending_reminders(desk: Desk) -> None:
    pending_contact(desk, DUE)
    client = desk.client()
    ReferralFactory(client=client, created_by=desk.lead, sent_on=DUE, follow_up_on=DUE)
    sweep(timezone.localdate())
    mine = Reminder.objects.filter(client=client)
    assert mine.exists()
    client_services.close_client(
        client=client,
        by=desk.coordinator,
        ground=Ground.DESIGNATED_COORDINATOR,
        closed_on=timezone.localdate(),
        reason=ClosureReason.GOALS_MET,
        summary="Tavoitteet saavutettu.",
        reached="Kotihoito käynnistyi.",
        client_view="helped",
    )
    assert all(r.cancelled_at is not None and r.delivery == "skipped" for r in mine)
    assert Reminder.objects.exclude(client=client).filter(cancelled_at__isnull=True).exists()
    sweep(timezone.localdate())
    assert not Reminder.objects.filter(client=client, cancelled_at__isnull=True).exists()


def test_the_sweep_cancels_reminders_of_clients_closed_another_way(desk: Desk) -> None:
    client = desk.client()
    ReferralFactory(client=client, created_by=desk.lead, sent_on=DUE, follow_up_on=DUE)
    sweep(DUE)
    type(client).objects.filter(pk=client.pk).update(closed_on=DUE)
    result = sweep(DUE)
    assert result.cancelled == 1
    assert Reminder.objects.get(client=client).delivery == "skipped"


def test_the_management_command_sweeps(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    ReferralFactory(client=desk.client(), created_by=desk.lead, sent_on=DUE, follow_up_on=DUE)
    call_command("sweep_reminders", "--today", DUE.isoformat(), "--no-queue")
    assert "Created 1 reminders" in capsys.readouterr().out
    call_command("sweep_reminders", "--today", DUE.isoformat(), "--no-queue")
    assert "Created 0 reminders" in capsys.readouterr().out


def _budget_line(desk: Desk, *, allocated: str, used: str) -> tuple[int, datetime.date]:
    from decimal import Decimal

    from budgets.models import Budget, BudgetLine, ServiceType

    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    budget = Budget.objects.create(
        client=desk.client(),
        status=Budget.Status.ACCEPTED,
        period_start=start,
        period_end=end,
        offered_on=start,
        decided_on=start,
        offered_by=desk.coordinator,
        threshold_percent=Decimal(80),
    )
    line = BudgetLine.objects.create(
        budget=budget,
        service_type=ServiceType.objects.order_by("pk")[0],
        allocated=Decimal(allocated),
        spent=Decimal(used),
    )
    return line.pk, end


def test_a_budget_line_past_its_threshold_or_running_out(desk: Desk) -> None:
    over, end = _budget_line(desk, allocated="1000.00", used="800.00")
    running_out, _ = _budget_line(desk, allocated="1000.00", used="500.00")  # half gone by March
    _budget_line(desk, allocated="1000.00", used="100.00")  # well within
    sweep(datetime.date(2026, 3, 1))
    assert sorted(reminders(Kind.BUDGET_THRESHOLD)) == sorted(
        [(over, desk.coordinator.pk, end), (running_out, desk.coordinator.pk, end)]
    )
    assert sweep(datetime.date(2026, 3, 2)).created[Kind.BUDGET_THRESHOLD] == 0
