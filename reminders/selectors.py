"""Reads of the inbox: a person's own reminders only, each shown only while its client is
still visible to them (a reminder of a client handed over to someone else drops out)."""

from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from access import policy
from access import selectors as access_selectors
from access.services import record_list_access
from accounts.models import User

from . import kinds
from .models import EmailPreference, Reminder


def _open_for(user: User, today: date) -> QuerySet[Reminder]:
    return Reminder.objects.filter(
        Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today),
        recipient=user,
        done_at__isnull=True,
        cancelled_at__isnull=True,
    )


def inbox(user: User, *, today: date | None = None) -> QuerySet[Reminder]:
    """The user's open reminders (not done, cancelled or snoozed), the most urgent first,
    each with its client and the ``access_ground`` the user sees the client on."""
    today = today or timezone.localdate()
    # The annotation of visible_clients, which the type checker cannot see.
    ground = policy.visible_clients(user).filter(pk=OuterRef("client_id")).values("access_ground")[:1]  # type: ignore[misc]
    return (
        _open_for(user, today)
        .annotate(access_ground=Subquery(ground))
        .filter(access_ground__isnull=False)
        .select_related("client")
        .order_by("due_on", "pk")
    )


def unread_count(user: User, *, today: date | None = None) -> int:
    """Open reminders not read yet, of the same clients as the inbox shows (one query)."""
    return inbox(user, today=today).filter(read_at__isnull=True).count()


def reminder_for(user: User, pk: int) -> Reminder:
    """One of the user's own reminders; anyone else's is "not found"."""
    reminder = Reminder.objects.filter(pk=pk, recipient=user).select_related("client").first()
    if reminder is None:
        raise Http404
    return reminder


def email_preferences(user: User) -> dict[str, bool]:
    """Every kind with whether ``user`` gets it by email (their choice or the kind's default)."""
    chosen = dict(EmailPreference.objects.filter(user=user).values_list("kind", "by_email"))
    return {spec.kind: chosen.get(spec.kind, spec.by_email) for spec in kinds.available_kinds()}


def log_shown(*, user: User, reminders: list[Reminder], what: str) -> None:
    """Logs the clients a page of the inbox showed, each on the user's own ground."""
    shown = {}
    for reminder in reminders:
        reminder.client.access_ground = reminder.access_ground  # type: ignore[attr-defined]
        shown[reminder.client_id] = reminder.client
    record_list_access(actor=user, clients=shown.values(), what=what)


def reminder_with_client(user: User, pk: int, *, what: str) -> Reminder:
    """One of the user's own reminders with its client, fetched, authorised and logged as a
    read of the client; 404 when the reminder is not theirs or the client no longer visible."""
    reminder = reminder_for(user, pk)
    reminder.client = access_selectors.client_for_reading(user=user, pk=reminder.client_id, what=what)
    return reminder
