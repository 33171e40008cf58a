"""Every write of reminders: the sweep that creates them, delivery, and what a person does with
one in the inbox.

Exactly once, and what that means here:
- Creation: the sweep inserts rows against the unique constraint on (kind, subject, due date,
  recipient, escalation) with ``ON CONFLICT DO NOTHING``: a second sweep, or two schedulers at
  once, create nothing new. Rows come first and never depend on the broker.
- Queueing: after its batch commits, each new reminder's delivery task is handed to the broker;
  a reminder whose task could not be queued (the broker was down) is queued by the next sweep,
  as is one queued long ago and still pending (a lost message). A task queued twice is harmless.
- Delivery: the task locks the reminder row (``SKIP LOCKED``: a second worker leaves it), and
  an email is preceded by a ``DeliveryAttempt`` row committed before sending, whose key is the
  email's Message-ID; the reminder is marked delivered in the same transaction that records the
  attempt's outcome. A failure the SMTP server reports is retried. An attempt whose outcome is
  unknown (the process died after handing the email over, or the commit after sending failed)
  is not repeated: after ``REMINDER_ATTEMPT_STALE_SECONDS`` it counts as sent. So an email is
  sent at most once, and at least once unless the server accepted it and the worker died before
  recording that; the reminder itself is always in the inbox.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import User
from clients.models import Client

from . import kinds
from .models import Delivery, DeliveryAttempt, EmailPreference, Kind, Reminder, ReminderKindSetting

logger = logging.getLogger(__name__)

# One statement per kind and batch: the kind's rows are computed once (``due``), inserted, and
# those overdue by the kind's escalation days are inserted again for the team leads from the same
# rows (``ESCALATED``), where a second statement computed the kind's query again. A row that
# exists already is left out by an anti-join before the insert: a daily sweep finds nearly every
# row there from yesterday, and one hash anti-join over the kind's reminders costs less than the
# unique index's probe for each (bench/explain/sweep-*.txt). ON CONFLICT stays the guarantee,
# against a concurrent sweep too; the anti-join only saves work, so it may read no more than
# the batch's reminders.
SWEEP = """
WITH due (subject_id, client_id, due_on, recipient_id) AS ({source}),
created AS ({created}){escalated}
SELECT (SELECT count(*) FROM created), {escalated_count}
"""
INSERT = """
INSERT INTO reminders_reminder
    (kind, subject_type, subject_id, client_id, due_on, recipient_id, escalation, created_at, delivery, emailed)
SELECT %(kind)s, %(subject_type)s, s.subject_id, s.client_id, s.due_on, s.recipient_id, {escalation}, now(),
       'pending', false
FROM ({rows}) AS s (subject_id, client_id, due_on, recipient_id)
WHERE s.recipient_id IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM reminders_reminder r
    WHERE r.kind = %(kind)s AND r.subject_type = %(subject_type)s AND r.subject_id = s.subject_id
      AND r.due_on = s.due_on AND r.recipient_id = s.recipient_id AND r.escalation = {escalation}
      AND r.client_id >= %(lo)s AND r.client_id < %(hi)s
  )
ON CONFLICT ON CONSTRAINT one_reminder_per_subject_due_recipient DO NOTHING
RETURNING 1
"""
ESCALATED = """,
escalated AS ({escalated})"""


def sweep_sql(source: str, *, escalates: bool) -> str:
    """The statement that sweeps one kind in one batch; it answers (created, escalated)."""
    created = INSERT.format(escalation="false", rows="SELECT * FROM due")
    escalated = INSERT.format(escalation="true", rows=kinds.ESCALATE_TO) if escalates else ""
    return SWEEP.format(
        source=source,
        created=created,
        escalated=ESCALATED.format(escalated=escalated) if escalates else "",
        escalated_count="(SELECT count(*) FROM escalated)" if escalates else "0",
    )


class TransientDeliveryError(Exception):
    """The email could not be handed over now (SMTP or network trouble); try again later."""


@dataclass
class SweepResult:
    created: dict[str, int] = field(default_factory=dict)
    escalated: dict[str, int] = field(default_factory=dict)
    cancelled: int = 0
    queued: int = 0
    not_queued: int = 0
    batches: int = 0

    @property
    def total_created(self) -> int:
        return sum(self.created.values()) + sum(self.escalated.values())


def kind_settings() -> dict[str, tuple[bool, int, int | None]]:
    """(active, lead days, escalation days) of every kind: the administrator's rows, or the
    defaults of the registry."""
    rows = {row.kind: row for row in ReminderKindSetting.objects.all()}
    result = {}
    for kind, spec in kinds.REGISTRY.items():
        row = rows.get(kind)
        result[kind] = (
            (row.active, row.lead_days, row.escalation_days) if row else (True, spec.lead_days, spec.escalation_days)
        )
    return result


def sweep(*, today: date | None = None, batch_size: int | None = None, queue: bool = True) -> SweepResult:
    """Creates every reminder due today that does not exist yet, in batches of clients (one
    transaction each), cancels those of closed clients, then queues the deliveries that are
    not queued. Safe to run at any time, as often as wanted, by several schedulers at once."""
    today = today or timezone.localdate()
    batch_size = batch_size or settings.REMINDER_SWEEP_BATCH
    result = SweepResult()
    bounds = Client.objects.filter(closed_on__isnull=True).values_list("pk", flat=True)
    first, last = bounds.order_by("pk").first(), bounds.order_by("-pk").first()
    configured = kind_settings()
    specs = [spec for spec in kinds.available_kinds() if configured[spec.kind][0]]
    if first is not None and last is not None:
        for lo in range(first, last + 1, batch_size):
            with transaction.atomic():
                _sweep_batch(specs, configured, today, lo, lo + batch_size, result)
            result.batches += 1
    result.cancelled = cancel_for_closed_clients()
    if queue:
        result.queued, result.not_queued = queue_pending_deliveries()
    return result


def _sweep_batch(
    specs: list[kinds.KindSpec],
    configured: dict[str, tuple[bool, int, int | None]],
    today: date,
    lo: int,
    hi: int,
    result: SweepResult,
) -> None:
    with connection.cursor() as cursor:
        # The planner's cost of a whole-table statement invites JIT compilation, which takes
        # longer than running these queries (measured: 650 ms of 1.1 s on 100,000 clients).
        cursor.execute("SET LOCAL jit = off")
        # The kinds' sorts and hashes over a batch of 50,000 clients spilled to disk at 4 MB.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        for spec in specs:
            _, lead, escalation_days = configured[spec.kind]
            params: dict[str, Any] = {
                "kind": spec.kind,
                "subject_type": spec.subject_type,
                "today": today,
                "horizon": today + timedelta(days=lead),
                "lead": lead,
                "lo": lo,
                "hi": hi,
                # Every client of the batch (kinds.IN_SCOPE).
                "client_ids": None,
            }
            if escalation_days is not None:
                params["escalate_before"] = today - timedelta(days=escalation_days)
            cursor.execute(sweep_sql(kinds.source_sql(spec, today), escalates=escalation_days is not None), params)
            created, escalated = cursor.fetchone()
            result.created[spec.kind] = result.created.get(spec.kind, 0) + created
            if escalation_days is not None:
                result.escalated[spec.kind] = result.escalated.get(spec.kind, 0) + escalated


def queue_pending_deliveries(*, limit: int | None = None) -> tuple[int, int]:
    """Hands to the broker the delivery of every pending reminder not queued yet (or queued
    long ago and lost); stops at the first refusal (the broker is down: the next sweep tries
    again). Returns (queued, left unqueued)."""
    from .tasks import deliver_reminder

    stale = timezone.now() - timedelta(seconds=settings.REMINDER_REQUEUE_AFTER_SECONDS)
    pending = Reminder.objects.filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale), delivery=Delivery.PENDING)
    ids = list(pending.order_by("pk").values_list("pk", flat=True)[: limit or settings.REMINDER_QUEUE_LIMIT])
    queued: list[int] = []
    for pk in ids:
        try:
            deliver_reminder.apply_async((pk,), retry=False)
        except Exception:  # the broker's errors differ by transport; all mean "not queued"
            logger.warning("Reminder deliveries not queued: the broker refused; the next sweep retries.")
            break
        queued.append(pk)
        if len(queued) % 500 == 0:
            _mark_queued(queued[-500:])
    _mark_queued(queued[len(queued) - len(queued) % 500 :])
    return len(queued), len(ids) - len(queued)


def _mark_queued(ids: list[int]) -> None:
    if ids:
        Reminder.objects.filter(pk__in=ids, delivery=Delivery.PENDING).update(queued_at=timezone.now())


def cancel_for_client(client: Client) -> int:
    """Cancels the client's reminders not yet done (the relationship is closed)."""
    now = timezone.now()
    Reminder.objects.filter(client=client, delivery=Delivery.PENDING).update(delivery=Delivery.SKIPPED)
    return Reminder.objects.filter(client=client, done_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=now
    )


def settle(*, kind: str, subject_type: str, subject_id: int) -> int:
    """Marks done the open reminders of one kind about one thing: the work they asked for was
    done (a coordination review recorded before or after its day). Returns how many."""
    return Reminder.objects.filter(
        kind=kind, subject_type=subject_type, subject_id=subject_id, done_at__isnull=True, cancelled_at__isnull=True
    ).update(done_at=timezone.now())


# Both at once, in one pass over the reminders of closed clients (two statements read every
# reminder twice, each run of the sweep); the row's own values decide, so that a reminder done
# meanwhile is not cancelled.
CANCEL_FOR_CLOSED = """
UPDATE reminders_reminder r
SET delivery = CASE WHEN r.delivery = 'pending' THEN 'skipped' ELSE r.delivery END,
    cancelled_at = CASE WHEN r.done_at IS NULL AND r.cancelled_at IS NULL THEN %(now)s ELSE r.cancelled_at END
FROM clients_client c
WHERE c.id = r.client_id AND c.closed_on IS NOT NULL
  AND (r.delivery = 'pending' OR (r.done_at IS NULL AND r.cancelled_at IS NULL))
RETURNING r.cancelled_at = %(now)s
"""


def cancel_for_closed_clients() -> int:
    """The same for every closed client, in one statement: the sweep's safety net, should a
    closure have come by a path that did not cancel. Returns how many were cancelled."""
    with connection.cursor() as cursor:
        cursor.execute(CANCEL_FOR_CLOSED, {"now": timezone.now()})
        return sum(1 for (cancelled,) in cursor.fetchall() if cancelled)


# Delivery


def wants_email(user: User, kind: str) -> bool:
    row = EmailPreference.objects.filter(user=user, kind=kind).values_list("by_email", flat=True).first()
    return kinds.REGISTRY[kind].by_email if row is None else bool(row)


def deliver(pk: int) -> str:
    """Delivers one reminder: always to the inbox (the row is there), by email if its
    recipient wants the kind by email. Returns what happened; raises
    ``TransientDeliveryError`` when the email should be tried again."""
    with transaction.atomic():
        # Waits for a lock on the row rather than skipping it: the sweep marks the reminders it
        # has just queued (an UPDATE of queued_at), and a worker as quick as the broker found the
        # row locked by it, took it for another worker's and dropped the delivery until the
        # requeue. Another worker delivering holds the lock only until its attempt is recorded,
        # which this one then sees ("in flight").
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("recipient", "client")
            .filter(pk=pk, delivery=Delivery.PENDING)
            .first()
        )
        if reminder is None:
            return "not pending"  # gone, or delivered already
        if reminder.cancelled_at is not None or reminder.client.is_closed:
            _finish(reminder, Delivery.SKIPPED)
            return "skipped"
        recipient = reminder.recipient
        if not recipient.is_active or not recipient.email or not wants_email(recipient, reminder.kind):
            _finish(reminder, Delivery.SENT)
            return "inbox"
        in_flight = reminder.attempts.filter(outcome=DeliveryAttempt.Outcome.STARTED).first()
        if in_flight is not None:
            age = (timezone.now() - in_flight.started_at).total_seconds()
            if age < settings.REMINDER_ATTEMPT_STALE_SECONDS:
                return "in flight"
            # The outcome is unknown: the email may have gone. Never send it twice.
            in_flight.outcome = DeliveryAttempt.Outcome.SENT
            in_flight.finished_at = timezone.now()
            in_flight.error = "outcome unknown; counted as sent so as not to send twice"
            in_flight.save(update_fields=["outcome", "finished_at", "error"])
            _finish(reminder, Delivery.SENT, emailed=True)
            return "sent earlier"
        attempt = DeliveryAttempt.objects.create(reminder=reminder)
    # Committed: the attempt is on record before the email leaves.
    message = email_for(reminder, attempt)
    try:
        message.send(fail_silently=False)
    except OSError as error:  # smtplib.SMTPException is an OSError, as are socket errors
        with transaction.atomic():
            DeliveryAttempt.objects.filter(pk=attempt.pk).update(
                outcome=DeliveryAttempt.Outcome.FAILED, finished_at=timezone.now(), error=str(error)[:1000]
            )
        raise TransientDeliveryError(str(error)) from error
    except Exception as error:
        # Not the server's trouble but the message's: trying again would fail again. The
        # reminder stays in the inbox; the attempt records why no email went.
        logger.exception("Reminder %s could not be emailed", reminder.pk)
        with transaction.atomic():
            DeliveryAttempt.objects.filter(pk=attempt.pk).update(
                outcome=DeliveryAttempt.Outcome.FAILED, finished_at=timezone.now(), error=repr(error)[:1000]
            )
            _finish(Reminder.objects.select_for_update().get(pk=reminder.pk), Delivery.SENT)
        return "inbox, email failed"
    record_sent(reminder_pk=reminder.pk, attempt_pk=attempt.pk)
    return "emailed"


def record_sent(*, reminder_pk: int, attempt_pk: int) -> None:
    """Records the attempt as sent and the reminder as delivered, in one transaction."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder_pk)
        DeliveryAttempt.objects.filter(pk=attempt_pk).update(
            outcome=DeliveryAttempt.Outcome.SENT, finished_at=timezone.now()
        )
        _finish(reminder, Delivery.SENT, emailed=True)


def _finish(reminder: Reminder, delivery: str, *, emailed: bool = False) -> None:
    reminder.delivery = delivery
    reminder.delivered_at = timezone.now()
    reminder.emailed = emailed
    reminder.save(update_fields=["delivery", "delivered_at", "emailed"])


def email_for(reminder: Reminder, attempt: DeliveryAttempt) -> EmailMessage:
    """The email in the recipient's language. It names no client: email is not the place for
    client data; the link opens the inbox after signing in."""
    with override(reminder.recipient.language or settings.LANGUAGE_CODE):
        context = {
            "reminder": reminder,
            "kind": Kind(reminder.kind).label,
            "inbox_url": settings.SITE_URL.rstrip("/") + reverse("reminders"),
        }
        subject = _("Caseflow reminder: %(kind)s") % {"kind": context["kind"]}
        body = render_to_string("reminders/email.txt", context)
    return EmailMessage(
        subject=str(subject),
        body=body,
        to=[reminder.recipient.email],
        headers={"Message-ID": attempt.message_id},
    )


# The inbox


def mark_read(*, reminder: Reminder) -> Reminder:
    if reminder.read_at is None:
        reminder.read_at = timezone.now()
        reminder.save(update_fields=["read_at"])
    return reminder


def mark_done(*, reminder: Reminder) -> Reminder:
    now = timezone.now()
    reminder.read_at = reminder.read_at or now
    reminder.done_at = reminder.done_at or now
    reminder.save(update_fields=["read_at", "done_at"])
    return reminder


def snooze(*, reminder: Reminder, until: date) -> Reminder:
    """Hides the reminder from the inbox until the given day (at most 90 days ahead)."""
    today = timezone.localdate()
    if until <= today:
        raise ValidationError({"snoozed_until": _("Choose a day after today.")})
    if until > today + timedelta(days=90):
        raise ValidationError({"snoozed_until": _("Snooze for at most 90 days.")})
    reminder.snoozed_until = until
    reminder.read_at = reminder.read_at or timezone.now()
    reminder.save(update_fields=["snoozed_until", "read_at"])
    return reminder


@transaction.atomic
def set_email_preferences(*, user: User, by_email: dict[str, bool]) -> None:
    """Which kinds ``user`` wants by email too; kinds not named keep their setting."""
    unknown = sorted(set(by_email) - set(Kind.values))
    if unknown:
        raise ValidationError({"kinds": [_("Unknown kind: %(kind)s") % {"kind": kind} for kind in unknown]})
    for kind, wanted in by_email.items():
        EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"by_email": bool(wanted)})
