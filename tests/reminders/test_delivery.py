"""Delivery: to the inbox always, by email where wanted, in the recipient's language; retried
after an SMTP failure; never sent twice, even after a retry that had partly succeeded."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import DatabaseError, connection, connections
from django.test import override_settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from clients.factories import ReferralFactory
from reminders import services, tasks
from reminders.models import Delivery, DeliveryAttempt, EmailPreference, Kind, Reminder

from .backends import FailOnceBackend
from .conftest import Desk, make_desk

DUE = timezone.localdate()


def make_reminder(desk: Desk) -> Reminder:
    client = desk.client()
    ReferralFactory(client=client, created_by=desk.lead, sent_on=DUE, follow_up_on=DUE)
    EmailPreference.objects.create(user=desk.coordinator, kind=Kind.REFERRAL_FOLLOW_UP, by_email=True)
    services.sweep(today=DUE, queue=False)
    return Reminder.objects.get(client=client, escalation=False)


def test_an_email_names_no_client_and_carries_the_attempts_message_id(desk: Desk) -> None:
    reminder = make_reminder(desk)
    assert services.deliver(reminder.pk) == "emailed"
    [message] = mail.outbox
    attempt = DeliveryAttempt.objects.get(reminder=reminder)
    assert message.extra_headers["Message-ID"] == attempt.message_id
    assert message.to == [desk.coordinator.email]
    assert reminder.client.last_name not in f"{message.subject} {message.body}"
    assert "/reminders/" in message.body
    reminder.refresh_from_db()
    assert (reminder.delivery, reminder.emailed, attempt.outcome) == (Delivery.SENT, True, "sent")


def test_the_email_is_written_in_the_recipients_language(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    reminder = make_reminder(desk)
    seen: list[str | None] = []
    real = services.render_to_string  # type: ignore[attr-defined]

    def spy(template: str, context: dict[str, object]) -> str:
        from django.utils.translation import get_language

        seen.append(get_language())
        return real(template, context)

    monkeypatch.setattr(services, "render_to_string", spy)
    desk.coordinator.language = "sv"
    desk.coordinator.save()
    services.deliver(reminder.pk)
    assert seen == ["sv"]


def test_a_kind_not_wanted_by_email_goes_to_the_inbox_only(desk: Desk) -> None:
    reminder = make_reminder(desk)
    services.set_email_preferences(user=desk.coordinator, by_email={Kind.REFERRAL_FOLLOW_UP: False})
    assert services.deliver(reminder.pk) == "inbox"
    assert mail.outbox == []
    reminder.refresh_from_db()
    assert reminder.delivery == Delivery.SENT
    assert not reminder.emailed


def test_a_delivered_reminder_is_not_delivered_again(desk: Desk) -> None:
    reminder = make_reminder(desk)
    services.deliver(reminder.pk)
    assert services.deliver(reminder.pk) == "not pending"
    tasks.deliver_reminder.apply((reminder.pk,))
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_row_the_sweep_has_locked_is_waited_for_not_dropped() -> None:
    reminder = make_reminder(make_desk("Lukko"))
    outcome: list[str] = []

    def worker() -> None:
        try:
            outcome.append(services.deliver(reminder.pk))
        finally:
            connection.close()

    # As the sweep marks what it has queued (an UPDATE of queued_at), while a quick worker
    # already has the delivery.
    sweep = connections.create_connection("default")
    try:
        sweep.set_autocommit(False)
        with sweep.cursor() as cursor:
            cursor.execute("UPDATE reminders_reminder SET queued_at = now() WHERE id = %s", [reminder.pk])
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive(), outcome  # waiting for the lock, not taking the row for another worker's
        sweep.commit()
    finally:
        sweep.close()
    thread.join(timeout=30)
    assert outcome == ["emailed"]
    reminder.refresh_from_db()
    assert reminder.delivery == Delivery.SENT


def test_a_cancelled_reminder_is_not_delivered(desk: Desk) -> None:
    reminder = make_reminder(desk)
    Reminder.objects.filter(pk=reminder.pk).update(cancelled_at=datetime.datetime.now(datetime.UTC))
    assert services.deliver(reminder.pk) == "skipped"
    assert mail.outbox == []


@override_settings(EMAIL_BACKEND="tests.reminders.backends.FailOnceBackend", REMINDER_RETRY_SECONDS=0)
def test_an_smtp_failure_is_retried_and_the_email_sent_once(desk: Desk) -> None:
    FailOnceBackend.failures = 0
    reminder = make_reminder(desk)
    tasks.deliver_reminder.apply((reminder.pk,))  # eager: the retry runs at once
    assert len(mail.outbox) == 1
    outcomes = list(DeliveryAttempt.objects.filter(reminder=reminder).values_list("outcome", flat=True))
    assert outcomes == ["failed", "sent"]
    reminder.refresh_from_db()
    assert reminder.delivery == Delivery.SENT


def test_no_second_email_after_a_retry_that_had_partly_succeeded(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """The email went out, then recording it failed: the retry must not send it again."""
    reminder = make_reminder(desk)
    real = services.record_sent
    calls = []

    def fails_once(**kwargs: int) -> None:
        calls.append(kwargs)
        if len(calls) == 1:
            raise DatabaseError("connection lost at commit")
        real(**kwargs)

    monkeypatch.setattr(services, "record_sent", fails_once)
    with pytest.raises(DatabaseError):
        services.deliver(reminder.pk)
    assert len(mail.outbox) == 1
    # A retry while the attempt may still be under way leaves it alone.
    assert services.deliver(reminder.pk) == "in flight"
    with override_settings(REMINDER_ATTEMPT_STALE_SECONDS=0):
        assert services.deliver(reminder.pk) == "sent earlier"
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert (reminder.delivery, reminder.emailed) == (Delivery.SENT, True)


def test_a_delivery_not_queued_is_queued_by_the_next_sweep(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    reminder = make_reminder(desk)

    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_reminder, "apply_async", broker_down)
    result = services.sweep(today=DUE)
    assert (result.queued, result.not_queued) == (0, 1)
    reminder.refresh_from_db()
    assert reminder.queued_at is None
    monkeypatch.undo()
    queued: list[tuple[object, ...]] = []
    monkeypatch.setattr(tasks.deliver_reminder, "apply_async", lambda args, **kw: queued.append(args))
    result = services.sweep(today=DUE)
    assert result.total_created == 0
    assert queued == [(reminder.pk,)]
    reminder.refresh_from_db()
    assert reminder.queued_at is not None
    assert services.sweep(today=DUE).queued == 0  # queued recently: not again


@override_settings(EMAIL_BACKEND="tests.reminders.backends.BrokenMessageBackend")
def test_a_message_that_cannot_be_sent_is_not_retried_and_stays_in_the_inbox(desk: Desk) -> None:
    reminder = make_reminder(desk)
    assert services.deliver(reminder.pk) == "inbox, email failed"
    reminder.refresh_from_db()
    assert (reminder.delivery, reminder.emailed) == (Delivery.SENT, False)
    assert DeliveryAttempt.objects.get(reminder=reminder).outcome == "failed"
    assert services.deliver(reminder.pk) == "not pending"
