"""Every write of client data: one transaction each, validated, audited. A closed client's
record is read-only: every write here refuses it (``ConflictError``), except reopening."""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import cycle
from typing import Any

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import TruncYear
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from access import grants
from access import selectors as access_selectors
from access.grants import end_consultations
from access.models import AccessEvent, Consultation, ReturningClient
from access.policy import Ground
from access.services import record_access
from accounts.models import Profession, Role, User
from core.calendar import add_working_days
from core.errors import ConflictError
from reminders.models import Kind as ReminderKind
from reminders.services import cancel_for_client as cancel_reminders
from reminders.services import settle as settle_reminders
from teams import selectors as team_selectors
from teams.models import Team

from .identity_code import birth_date
from .models import (
    PLANNED_CLOSURE_REASONS,
    Anonymisation,
    Assignment,
    AssignmentEnd,
    BounceKind,
    Client,
    ClientMessage,
    ClientView,
    ClosureReason,
    Contact,
    CoordinationReview,
    DeadlineRule,
    Referral,
    ReferralBounce,
    ReferralPartner,
    ReferralStatus,
    RelationshipPeriod,
    RetentionClass,
    RetentionRun,
    ReviewDecision,
)
from .selectors import find_by_identity_code, past_retention

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "identity_code",
    "municipality",
    "preferred_language",
    "phone",
    "email",
    "address",
    "highest_care_allowance",
    "child_special_support",
)
STATUTORY_START_WORKING_DAYS = 7  # SHL §36.2
STATUTORY_AGE = 75  # SHL §36.2: aged 75 or over
# A review point further away than this is no time limit at all.
MAX_REVIEW_YEARS = 3


def _refuse_unknown(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})


def _validate(client: Client) -> None:
    client.full_clean(exclude=["relationship_started_on"])
    if client.identity_code and birth_date(client.identity_code) != client.date_of_birth:
        raise ValidationError({"date_of_birth": _("The date of birth does not match the personal identity code.")})


def ensure_open(client: Client) -> None:
    """A closed client's record is read-only until the relationship is reopened."""
    if client.is_closed:
        raise ConflictError(_("The client relationship is closed; reopen it first."))


def _message(client: Client, subject: str, body: str) -> ClientMessage:
    return ClientMessage(client=client, subject=subject, body=body)


def _new_worker_message(client: Client, coordinator: User) -> ClientMessage:
    # Written in the client's own language, whatever the staff member's.
    with override(client.preferred_language):
        return _message(
            client,
            _("Your named worker"),
            _("Your named worker is now %(name)s.") % {"name": coordinator.get_full_name() or coordinator.username},
        )


def check_named_worker(*, client: Client, coordinator: User) -> None:
    """SHL §42: the named worker is a coordinator; for a child needing special support, a
    social worker."""
    if coordinator.role != Role.COORDINATOR or not coordinator.is_active:
        raise ValidationError({"coordinator": _("The named worker must be an active coordinator.")})
    if client.child_special_support and coordinator.profession != Profession.SOCIAL_WORKER:
        raise ValidationError(
            {"coordinator": _("A child needing special support must have a social worker as the named worker.")}
        )


def assessment_deadline(*, client: Client, contacted_on: date, urgent: bool) -> tuple[str, date]:
    """The start deadline of the needs assessment (SHL §36): at once when urgent; by the 7th
    working day for people aged 75+, on the highest care allowance, or children needing special
    support; otherwise the organiser's default ("without undue delay")."""
    if urgent:
        return DeadlineRule.URGENT, contacted_on
    if client.age_on(contacted_on) >= STATUTORY_AGE or client.highest_care_allowance or client.child_special_support:
        return DeadlineRule.STATUTORY, add_working_days(contacted_on, STATUTORY_START_WORKING_DAYS)
    return DeadlineRule.DEFAULT, add_working_days(contacted_on, settings.ASSESSMENT_DEFAULT_WORKING_DAYS)


@transaction.atomic
def create_client(
    *,
    by: User,
    fields: dict[str, Any],
    coordinator: User | None = None,
    team: Team | None = None,
    started_on: date | None = None,
    no_named_worker_reason: str = "",
    review_due_on: date | None = None,
) -> Client:
    """Opens a client relationship. The named worker is ``coordinator`` (``by`` when not
    given), unless a reason why none is needed is recorded instead. Coordination is
    time-limited: ``review_due_on`` is when to ask whether it is still needed (by default
    ``COORDINATION_REVIEW_MONTHS`` from the opening)."""
    _refuse_unknown(fields)
    started_on = started_on or timezone.localdate()
    review_due_on = _review_point(started_on, review_due_on)
    client = Client(**fields, relationship_started_on=started_on, team=team)
    _validate(client)
    client.save()
    RelationshipPeriod.objects.create(client=client, opened_on=started_on, review_due_on=review_due_on)
    record_access(actor=by, client=client, action=AccessEvent.Action.CREATE, what="client", ground=Ground.INTAKE)
    if no_named_worker_reason:
        record_no_named_worker(client=client, by=by, ground=Ground.INTAKE, reason=no_named_worker_reason)
    else:
        assign_coordinator(
            client=client,
            coordinator=coordinator or by,
            started_on=started_on,
            by=by,
            ground=Ground.INTAKE,
            reason=_("New client"),
        )
    return client


def _review_point(opened_on: date, review_due_on: date | None) -> date:
    if review_due_on is None:
        return opened_on + relativedelta(months=settings.COORDINATION_REVIEW_MONTHS)
    if review_due_on <= opened_on:
        raise ValidationError({"review_due_on": _("The coordination review must come after the opening.")})
    if review_due_on > opened_on + relativedelta(years=MAX_REVIEW_YEARS):
        raise ValidationError(
            {"review_due_on": _("Set the coordination review within %(years)d years.") % {"years": MAX_REVIEW_YEARS}}
        )
    return review_due_on


@transaction.atomic
def update_client(*, client: Client, by: User, ground: str, fields: dict[str, Any]) -> Client:
    ensure_open(client)
    _refuse_unknown(fields)
    for name, value in fields.items():
        setattr(client, name, value)
    _validate(client)
    if "child_special_support" in fields:
        current = client.assignments.filter(ended_on__isnull=True).select_related("coordinator").first()
        if current is not None:
            check_named_worker(client=client, coordinator=current.coordinator)
    client.save(update_fields=[*fields, "updated_at"])
    record_access(actor=by, client=client, action=AccessEvent.Action.CHANGE, what="client", ground=ground)
    return client


@transaction.atomic
def assign_coordinator(
    *,
    client: Client,
    coordinator: User,
    started_on: date,
    by: User,
    ground: str,
    reason: str = "",
    handover_note: str = "",
) -> Assignment:
    """Closes the client's open assignment, if any, and opens one for ``coordinator``; the
    client is told who their named worker is. The database allows one open assignment per
    client, so of two concurrent calls one wins and the other gets a clear error."""
    ensure_open(client)
    check_named_worker(client=client, coordinator=coordinator)
    seeing = grants.sees_through(coordinator)
    with grants.recording_grants(
        by=by,
        grantees=[coordinator, *seeing],
        what="assignment",
        ground=ground,
        reason=reason,
        clients=[client.pk],
        ends=seeing,
    ):
        assignment = _open_assignment(
            client=client, coordinator=coordinator, started_on=started_on, by=by, reason=reason, note=handover_note
        )
    if client.no_named_worker_reason:
        Client.objects.filter(pk=client.pk).update(no_named_worker_reason="")
        client.no_named_worker_reason = ""
    _new_worker_message(client, coordinator).save()
    record_access(actor=by, client=client, action=AccessEvent.Action.CHANGE, what="assignment", ground=ground)
    return assignment


def _open_assignment(
    *, client: Client, coordinator: User, started_on: date, by: User, reason: str, note: str
) -> Assignment:
    current = Assignment.objects.select_for_update().filter(client=client, ended_on__isnull=True).first()
    if current is not None:
        if current.coordinator_id == coordinator.pk:
            raise ValidationError({"coordinator": _("This coordinator is already the named worker.")})
        if current.started_on > started_on:
            raise ValidationError({"started_on": _("The new assignment cannot start before the current one.")})
        current.ended_on = started_on
        current.end_reason = AssignmentEnd.HANDOVER
        current.save(update_fields=["ended_on", "end_reason"])
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                client=client,
                coordinator=coordinator,
                started_on=started_on,
                reason=reason,
                handover_note=note,
                handed_over_by=by if current is not None else None,
            )
    except IntegrityError as error:
        raise ValidationError(
            _("The client was assigned to another coordinator at the same moment."), code="assigned_concurrently"
        ) from error
    return assignment


@transaction.atomic
def record_no_named_worker(*, client: Client, by: User, ground: str, reason: str) -> None:
    """SHL §42: a named worker is appointed unless clearly unnecessary; then the reason is
    recorded, and the client has no designated coordinator until one is named."""
    ensure_open(client)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason why no named worker is needed.")})
    if client.child_special_support:
        raise ValidationError({"reason": _("A child needing special support always has a named worker.")})
    current = Assignment.objects.filter(client=client, ended_on__isnull=True).first()
    if current is not None:
        # An assignment that was to start later ends before it began, on its own start date.
        current.ended_on = max(timezone.localdate(), current.started_on)
        current.end_reason = AssignmentEnd.NO_WORKER_NEEDED
        current.save(update_fields=["ended_on", "end_reason"])
    client.no_named_worker_reason = reason.strip()
    client.save(update_fields=["no_named_worker_reason", "updated_at"])
    record_access(actor=by, client=client, action=AccessEvent.Action.CHANGE, what="named_worker", ground=ground)


@transaction.atomic
def record_contact(
    *,
    client: Client,
    by: User,
    ground: str,
    contacted_on: date,
    channel: str,
    source: str,
    reason: str,
    urgent: bool = False,
    source_name: str = "",
) -> Contact:
    """Records a contact and the assessment start deadline it sets. A contact on a closed
    client reopens the relationship from the contact date."""
    if contacted_on > timezone.localdate():
        raise ValidationError({"contacted_on": _("The contact date cannot be in the future.")})
    if client.is_closed:
        reopen_client(
            client=client, by=by, ground=ground, opened_on=max(contacted_on, client.closed_on or contacted_on)
        )
    rule, due_on = assessment_deadline(client=client, contacted_on=contacted_on, urgent=urgent)
    contact = Contact(
        client=client,
        contacted_on=contacted_on,
        channel=channel,
        source=source,
        source_name=source_name,
        reason=reason,
        urgent=urgent,
        deadline_rule=rule,
        assessment_due_on=due_on,
        recorded_by=by,
    )
    contact.full_clean()
    contact.save()
    record_access(actor=by, client=client, action=AccessEvent.Action.CREATE, what="contact", ground=ground)
    return contact


@transaction.atomic
def intake(
    *,
    by: User,
    contact: dict[str, Any],
    client_id: int | None = None,
    identity_code: str = "",
    new_client: dict[str, Any] | None = None,
    coordinator: User | None = None,
    no_named_worker_reason: str = "",
    returning_reason: str = "",
    review_due_on: date | None = None,
) -> tuple[Client, Contact]:
    """Records a contact (yhteydenotto) on the client it is about: one the user sees
    (``client_id``), the one with this identity code, or a new client opened from the contact
    with ``coordinator`` as named worker (``by`` when not given) or the reason none is needed.
    All or nothing: a refused contact leaves no new client behind. A closed client the caller
    has no ground on is reopened only as a returning client, with ``returning_reason``. A new
    client's coordination review point is ``review_due_on`` (see ``create_client``)."""
    if new_client is not None:
        try:
            client = create_client(
                by=by,
                fields=new_client,
                coordinator=coordinator,
                team=team_selectors.team_of_coordinator(coordinator or by) or team_selectors.team_led_by(by),
                no_named_worker_reason=no_named_worker_reason.strip(),
                review_due_on=review_due_on,
            )
        except ValidationError as error:
            # The contact has a reason of its own: name the one that is missing here.
            if hasattr(error, "error_dict") and "reason" in error.error_dict:
                error.error_dict["no_named_worker_reason"] = error.error_dict.pop("reason")
            raise
    elif client_id is not None:
        try:
            client = access_selectors.client_for_reading(user=by, pk=client_id, what="intake")
        except Http404 as error:
            raise ValidationError({"client_id": _("Choose the client from the search results.")}) from error
    else:
        found = find_by_identity_code(user=by, code=identity_code)
        if found is None:
            raise ValidationError({"identity_code": _("No client has this personal identity code.")})
        client = found
    if client.is_closed and grants.may_reopen_as_returning(by, client):
        _reopen_returning(client=client, by=by, contact=contact, coordinator=coordinator, reason=returning_reason)
    return client, record_contact(client=client, by=by, ground=Ground.INTAKE, **contact)


def _reopen_returning(
    *, client: Client, by: User, contact: dict[str, Any], coordinator: User | None, reason: str
) -> None:
    """A closed client the caller had no ground on comes back: reopened on the ground
    *returning client*, with the reason, the client's last team lead told (``access.grants``)."""
    worker = coordinator or (by if by.role == Role.COORDINATOR else None)
    returning = grants.record_returning_client(client=client, by=by, worker=worker, reason=reason)
    assert client.closed_on is not None
    reopen_client(
        client=client,
        by=by,
        ground=Ground.RETURNING_CLIENT,
        opened_on=max(contact.get("contacted_on") or returning.opened_on, client.closed_on),
        coordinator=worker,
    )


@transaction.atomic
def hand_over(
    *, clients: Sequence[Client], to: Sequence[User], by: User, ground: str, note: str, on: date | None = None
) -> list[Assignment]:
    """Moves clients to one coordinator or spreads them evenly over several, in one
    transaction: every client gets exactly one new assignment with the handover note, and the
    client is told; any client that cannot be moved leaves nothing changed. Costs a fixed
    number of queries whatever the number of clients."""
    on = on or timezone.localdate()
    if not clients:
        raise ValidationError({"clients": _("Choose at least one client.")})
    if not to:
        raise ValidationError({"to": _("Choose at least one coordinator.")})
    for coordinator in to:
        if coordinator.role != Role.COORDINATOR or not coordinator.is_active:
            raise ValidationError({"to": _("Clients can only be handed over to active coordinators.")})
    by_pk = {client.pk: client for client in clients}
    current = {
        a.client_id: a
        for a in Assignment.objects.select_for_update().filter(client__in=list(by_pk), ended_on__isnull=True)
    }
    targets = cycle(sorted(to, key=lambda user: (user.last_name, user.first_name, user.pk)))
    new: list[Assignment] = []
    errors: list[str] = []
    for client in sorted(clients, key=lambda c: (c.last_name, c.first_name, c.pk)):
        if client.is_closed:
            errors.append(_("%(name)s: the client relationship is closed.") % {"name": client.full_name})
            continue
        old = current.get(client.pk)
        coordinator = next(targets)
        if old is not None and old.coordinator_id == coordinator.pk and len(to) > 1:
            coordinator = next(targets)
        if old is not None and old.coordinator_id == coordinator.pk:
            errors.append(_("%(name)s: already with this coordinator.") % {"name": client.full_name})
            continue
        if client.child_special_support and coordinator.profession != Profession.SOCIAL_WORKER:
            errors.append(
                _("%(name)s: a child needing special support must have a social worker.") % {"name": client.full_name}
            )
            continue
        if old is not None and old.started_on > on:
            errors.append(_("%(name)s: the current assignment starts later.") % {"name": client.full_name})
            continue
        new.append(
            Assignment(
                client=client,
                coordinator=coordinator,
                started_on=on,
                reason=_("Handover"),
                handover_note=note,
                handed_over_by=by,
            )
        )
    if errors:
        raise ValidationError({"clients": errors})
    seeing = grants.sees_through(*to)
    grantees = {user.pk: user for user in (*to, *seeing)}
    with grants.recording_grants(
        by=by,
        grantees=list(grantees.values()),
        what="handover",
        ground=ground,
        reason=note,
        clients=list(by_pk),
        ends=seeing,
    ):
        Assignment.objects.filter(pk__in=[a.pk for a in current.values()]).update(
            ended_on=on, end_reason=AssignmentEnd.HANDOVER
        )
        created = Assignment.objects.bulk_create(new)
    coordinators = {user.pk: user for user in to}
    ClientMessage.objects.bulk_create(_new_worker_message(a.client, coordinators[a.coordinator_id]) for a in created)
    Client.objects.filter(pk__in=list(by_pk)).exclude(no_named_worker_reason="").update(no_named_worker_reason="")
    AccessEvent.objects.bulk_create(
        AccessEvent(actor=by, client=a.client, action=AccessEvent.Action.CHANGE, what="handover", ground=ground)
        for a in created
    )
    return created


def mark_handover_note_read(*, assignment: Assignment, by: User) -> None:
    if assignment.coordinator_id == by.pk and assignment.note_read_at is None:
        Assignment.objects.filter(pk=assignment.pk).update(note_read_at=timezone.now())


REFERRAL_ORDER = [ReferralStatus.SENT, ReferralStatus.RECEIVED, ReferralStatus.ANSWERED, ReferralStatus.CLOSED]


def _check_counterpart(partner: ReferralPartner | None, counterpart: str) -> None:
    """A referral names a configured partner, or (only when none fits) another in free text."""
    if partner is not None and counterpart.strip():
        raise ValidationError({"counterpart": _("Choose a partner or write another one, not both.")})
    if partner is None and not counterpart.strip():
        raise ValidationError({"partner": _("Choose the partner, or write another one under Other.")})
    if partner is not None and not partner.active:
        raise ValidationError({"partner": _("This partner is no longer in use.")})


@transaction.atomic
def create_referral(
    *,
    client: Client,
    by: User,
    ground: str,
    reason: str,
    sent_on: date,
    partner: ReferralPartner | None = None,
    counterpart: str = "",
    follow_up_on: date | None = None,
) -> Referral:
    """An outgoing referral to a partner (or another counterpart), followed up until it is
    answered."""
    ensure_open(client)
    _check_counterpart(partner, counterpart)
    if follow_up_on is not None and follow_up_on < sent_on:
        raise ValidationError({"follow_up_on": _("The follow-up date cannot be before the referral was sent.")})
    referral = Referral(
        client=client,
        direction=Referral.Direction.OUTGOING,
        partner=partner,
        counterpart=counterpart.strip(),
        reason=reason,
        sent_on=sent_on,
        follow_up_on=follow_up_on,
        created_by=by,
    )
    referral.full_clean()
    referral.save()
    record_access(actor=by, client=client, action=AccessEvent.Action.DISCLOSE, what="referral", ground=ground)
    return referral


@transaction.atomic
def advance_referral(
    *, referral: Referral, status: str, by: User, ground: str, follow_up_on: date | None = None
) -> Referral:
    """Moves a referral forward (sent → received → answered → closed), never back."""
    ensure_open(referral.client)
    if status not in REFERRAL_ORDER:
        raise ValidationError({"status": _("Unknown status.")})
    if REFERRAL_ORDER.index(ReferralStatus(status)) <= REFERRAL_ORDER.index(ReferralStatus(referral.status)):
        raise ValidationError({"status": _("A referral only moves forward.")})
    referral.status = status
    if status == ReferralStatus.ANSWERED and referral.answered_on is None:
        # The answer time per partner (the team lead's review) counts from here.
        referral.answered_on = max(timezone.localdate(), referral.sent_on)
    if follow_up_on is not None:
        referral.follow_up_on = follow_up_on
    referral.save(update_fields=["status", "follow_up_on", "answered_on", "updated_at"])
    record_access(actor=by, client=referral.client, action=AccessEvent.Action.CHANGE, what="referral", ground=ground)
    return referral


@transaction.atomic
def receive_referral(
    *,
    client: Client,
    by: User,
    ground: str,
    source: str,
    reason: str,
    received_on: date,
    partner: ReferralPartner | None = None,
    counterpart: str = "",
    urgent: bool = False,
) -> Referral:
    """An incoming referral becomes a contact, which starts the assessment clock."""
    _check_counterpart(partner, counterpart)
    counterpart = counterpart.strip()
    contact = record_contact(
        client=client,
        by=by,
        ground=ground,
        contacted_on=received_on,
        channel="referral",
        source=source,
        source_name=str(partner)[:200] if partner is not None else counterpart,
        reason=reason,
        urgent=urgent,
    )
    referral = Referral(
        client=client,
        direction=Referral.Direction.INCOMING,
        partner=partner,
        counterpart=counterpart,
        reason=reason,
        status=ReferralStatus.RECEIVED,
        sent_on=received_on,
        contact=contact,
        created_by=by,
    )
    referral.full_clean()
    referral.save()
    return referral


# A bounce is recorded on a referral still waiting for its answer, or on an answer that
# turned out to be a refusal; a closed referral is history.
BOUNCEABLE = (ReferralStatus.SENT, ReferralStatus.RECEIVED, ReferralStatus.ANSWERED)


def _check_bounce(
    referral: Referral, *, kind: str, bounced_on: date, redirected: bool, follow_up_on: date | None
) -> None:
    errors: dict[str, str] = {}
    if kind not in BounceKind.values:
        errors["kind"] = _("Choose what happened to the referral.")
    if bounced_on < referral.sent_on:
        errors["bounced_on"] = _("The date cannot be before the referral was sent.")
    if bounced_on > timezone.localdate():
        errors["bounced_on"] = _("The date cannot be in the future.")
    if kind == BounceKind.REDIRECTED and not redirected:
        errors["partner"] = _("Choose the partner the client was sent on to, or write another one under Other.")
    if kind != BounceKind.REDIRECTED and redirected:
        errors["partner"] = _("Only a redirected referral names a new partner.")
    if follow_up_on is not None and follow_up_on < bounced_on:
        errors["follow_up_on"] = _("The follow-up date cannot be before the referral was sent.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_referral_bounce(
    *,
    referral: Referral,
    by: User,
    ground: str,
    kind: str,
    bounced_on: date,
    note: str = "",
    partner: ReferralPartner | None = None,
    counterpart: str = "",
    follow_up_on: date | None = None,
) -> ReferralBounce:
    """Records that an outgoing referral bounced (pompottelu): it came back unanswered, was
    refused, or the partner sent the client on to another one. A redirection makes the new
    referral (same reason, sent on the day of the bounce) and links it; the bounced referral
    is closed."""
    client = referral.client
    ensure_open(client)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.direction != Referral.Direction.OUTGOING:
        raise ConflictError(_("Only a referral we sent can bounce."))
    if locked.status not in BOUNCEABLE or ReferralBounce.objects.filter(referral=locked).exists():
        raise ConflictError(_("This referral is closed already."))
    redirected = partner is not None or bool(counterpart.strip())
    _check_bounce(locked, kind=kind, bounced_on=bounced_on, redirected=redirected, follow_up_on=follow_up_on)
    new = None
    if kind == BounceKind.REDIRECTED:
        new = create_referral(
            client=client,
            by=by,
            ground=ground,
            partner=partner,
            counterpart=counterpart,
            reason=locked.reason,
            sent_on=bounced_on,
            follow_up_on=follow_up_on,
        )
    bounce = ReferralBounce(
        referral=locked, kind=kind, bounced_on=bounced_on, note=note.strip(), redirected_to=new, recorded_by=by
    )
    bounce.full_clean()
    bounce.save()
    locked.status = ReferralStatus.CLOSED
    locked.save(update_fields=["status", "updated_at"])
    referral.status = locked.status
    record_access(actor=by, client=client, action=AccessEvent.Action.CHANGE, what="referral", ground=ground)
    return bounce


def retention_class(client: Client, on: date) -> str:
    age = client.age_on(on)
    if age < 18 or client.child_special_support:
        return RetentionClass.CHILDREN
    if age >= 65:
        return RetentionClass.OLDER_PEOPLE
    return RetentionClass.WORKING_AGE


@transaction.atomic
def close_client(
    *,
    client: Client,
    by: User,
    ground: str,
    closed_on: date,
    reason: str,
    summary: str,
    reached: str,
    client_view: str,
    client_view_words: str = "",
) -> RelationshipPeriod:
    """Ends the client relationship on purpose: the reason, a closing summary with what was
    reached, and the client's own view of whether coordination helped are recorded, the named
    worker's assignment ends, pending assessment deadlines stop, the client is told, and the
    retention period starts to run (asiakastietolaki 703/2023).

    The ending is *planned* when the work ended as meant (goals met, services go on without
    coordination: ``PLANNED_CLOSURE_REASONS``) or when a coordination review of this
    relationship had decided to end it; otherwise (moved, declined, deceased, other, with no
    such decision) it is unplanned. The team lead's review counts the two."""
    ensure_open(client)
    errors: dict[str, str] = {}
    if reason not in ClosureReason.values:
        errors["reason"] = _("Choose the reason for closing.")
    if not summary.strip():
        errors["summary"] = _("Write a closing summary.")
    if not reached.strip():
        errors["reached"] = _("Write what was reached.")
    if client_view not in ClientView.values:
        errors["client_view"] = _("Record the client's view of whether coordination helped.")
    if closed_on > timezone.localdate():
        errors["closed_on"] = _("The closing date cannot be in the future.")
    if closed_on < client.relationship_started_on:
        errors["closed_on"] = _("The closing date cannot be before the relationship started.")
    current = Assignment.objects.select_for_update().filter(client=client, ended_on__isnull=True).first()
    if current is not None and closed_on < current.started_on:
        errors["closed_on"] = _("The closing date cannot be before the current named worker started.")
    if errors:
        raise ValidationError(errors)
    if current is not None:
        current.ended_on = closed_on
        current.end_reason = AssignmentEnd.CLOSURE
        current.save(update_fields=["ended_on", "end_reason"])
    record_class = retention_class(client, closed_on)
    period = RelationshipPeriod.objects.select_for_update().get(client=client, closed_on__isnull=True)
    period.closed_on = closed_on
    period.closure_reason = reason
    period.closing_summary = summary.strip()
    period.reached = reached.strip()
    period.client_view = client_view
    period.client_view_words = client_view_words.strip()
    period.planned_ending = (
        reason in PLANNED_CLOSURE_REASONS
        or period.reviews.filter(decision=ReviewDecision.CLOSE).order_by("-reviewed_on", "-pk")[:1].exists()
    )
    period.retention_class = record_class
    period.retention_starts_on = closed_on
    period.retention_ends_on = closed_on + relativedelta(years=settings.RETENTION_YEARS[record_class])
    period.closed_by = by
    period.full_clean()
    period.save()
    Contact.objects.filter(client=client, assessment_started_on__isnull=True, cancelled_on__isnull=True).update(
        cancelled_on=closed_on
    )
    client.closed_on = closed_on
    client.save(update_fields=["closed_on", "updated_at"])
    cancel_reminders(client)
    end_consultations(client=client, by=by, ground=ground)
    with override(client.preferred_language):
        _message(
            client,
            _("Your client relationship has ended"),
            _("Your service coordination ended on %(date)s. You can contact us again at any time.")
            % {"date": closed_on.strftime("%d.%m.%Y")},
        ).save()
    record_access(actor=by, client=client, action=AccessEvent.Action.CHANGE, what="closure", ground=ground)
    return period


@transaction.atomic
def reopen_client(
    *, client: Client, by: User, ground: str, opened_on: date, coordinator: User | None = None
) -> RelationshipPeriod:
    """Starts a new relationship period; the closed one is kept as it was."""
    if not client.is_closed:
        raise ConflictError(_("The client relationship is open."))
    assert client.closed_on is not None
    if opened_on < client.closed_on:
        raise ValidationError({"opened_on": _("A new relationship cannot start before the last one closed.")})
    period = RelationshipPeriod.objects.create(
        client=client, opened_on=opened_on, review_due_on=_review_point(opened_on, None)
    )
    client.closed_on = None
    client.relationship_started_on = opened_on
    client.save(update_fields=["closed_on", "relationship_started_on", "updated_at"])
    record_access(actor=by, client=client, action=AccessEvent.Action.CHANGE, what="reopen", ground=ground)
    named = coordinator or (by if by.role == Role.COORDINATOR else None)
    if named is not None:
        assign_coordinator(
            client=client,
            coordinator=named,
            started_on=opened_on,
            by=by,
            ground=ground,
            reason=_("Relationship reopened"),
        )
    return period


@transaction.atomic
def record_coordination_review(
    *,
    client: Client,
    by: User,
    ground: str,
    reviewed_on: date,
    decision: str,
    client_view: str,
    client_view_words: str = "",
    next_review_on: date | None = None,
    note: str = "",
) -> CoordinationReview:
    """The coordination review (is coordination still needed?): the decision, with the next
    review point when it goes on, and the client's own view of whether it helped. Its reminder
    is settled; a decision to end leaves no review point, and the closure that follows counts
    as a planned ending."""
    ensure_open(client)
    period = RelationshipPeriod.objects.select_for_update().get(client=client, closed_on__isnull=True)
    errors: dict[str, str] = {}
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = _("The review date cannot be in the future.")
    elif reviewed_on < period.opened_on:
        errors["reviewed_on"] = _("The review date cannot be before the relationship started.")
    if decision == ReviewDecision.CONTINUE:
        if next_review_on is None:
            errors["next_review_on"] = _("Set the next review point.")
        elif next_review_on <= max(reviewed_on, timezone.localdate()):
            errors["next_review_on"] = _("The next review point must be after today.")
        elif next_review_on > reviewed_on + relativedelta(years=MAX_REVIEW_YEARS):
            errors["next_review_on"] = _("Set the coordination review within %(years)d years.") % {
                "years": MAX_REVIEW_YEARS
            }
    elif decision == ReviewDecision.CLOSE:
        next_review_on = None
    else:
        errors["decision"] = _("Choose whether coordination continues.")
    if errors:
        raise ValidationError(errors)
    review = CoordinationReview(
        period=period,
        client=client,
        reviewed_on=reviewed_on,
        due_on=period.review_due_on,
        decision=decision,
        next_review_on=next_review_on,
        client_view=client_view,
        client_view_words=client_view_words.strip(),
        note=note.strip(),
        recorded_by=by,
    )
    review.full_clean()
    review.save()
    period.review_due_on = next_review_on
    period.save(update_fields=["review_due_on"])
    settle_reminders(
        kind=ReminderKind.COORDINATION_REVIEW_DUE, subject_type="clients.relationshipperiod", subject_id=period.pk
    )
    record_access(actor=by, client=client, action=AccessEvent.Action.CHANGE, what="coordination_review", ground=ground)
    return review


# Retention (asiakastietolaki 703/2023; the organiser's archive plan)

# Other apps hold free text of a client too (assessments, plans, networks…): each may register
# a function that blanks its own rows of the given clients, run in the same transaction.
ANONYMISERS: list[Callable[[list[int]], None]] = []
RETENTION_BATCH = 500


def register_anonymiser(anonymise: Callable[[list[int]], None]) -> None:
    """Adds an app's anonymiser, called in ``AppConfig.ready()``: run for each batch of client
    ids in the batch's transaction, after the client app's own rows are blanked."""
    if anonymise not in ANONYMISERS:
        ANONYMISERS.append(anonymise)


def drop_history(model: type[models.Model], pks: Iterable[int]) -> None:
    """Deletes the pghistory events of rows ``pks`` of a tracked ``model``: they keep the
    values anonymising blanked (and the values of the rows it deleted). Called after the rows
    are blanked or deleted, since those writes add events of their own."""
    events = apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    events.objects.filter(pgh_obj_id__in=list(pks)).delete()


@dataclass
class RetentionResult:
    run: RetentionRun
    listed: list[Client] = field(default_factory=list)


def apply_retention(
    *, today: date | None = None, anonymise: bool | None = None, by: User | None = None
) -> RetentionResult:
    """Acts on the retention end date that closure stamps: lists the closed clients whose every
    relationship is past its retention and, only when ``anonymise`` (by default the setting
    ``RETENTION_ANONYMISE``, off: a dry run), anonymises them.

    Anonymised, not removed: the client row and its relationships, assignments, contacts,
    referrals and coordination reviews stay, with names, identity code, contact details and
    every free text blanked, the date of birth cut to its year, the messages to the client
    and the rows' history (pghistory) deleted. Every other app holding the client's rows
    (assessments, care plans, networks, budgets, the portal) blanks its own the same way, by
    the anonymiser it registers (``register_anonymiser``), in the same transaction. What
    remains is what the statistics count (closures by reason, year and record class, planned
    and unplanned endings, the clients' views, continuity, referrals per partner, goal
    outcomes, heard answers, unmet need, the team review's figures and snapshots), all
    read from these rows, so no separate count table is needed and every figure stays the same
    after the run. Removal would also be refused by the access log, which keeps each event's
    client and is append-only (it has its own retention, by month).

    Audited: a ``RetentionRun`` for every run (dry or not) and an ``Anonymisation`` for every
    record. Batches of ``RETENTION_BATCH`` clients, one transaction each; a rerun finds none of
    those done."""
    today = today or timezone.localdate()
    anonymise = settings.RETENTION_ANONYMISE if anonymise is None else anonymise
    listed = list(past_retention(today))
    run = RetentionRun.objects.create(as_of=today, applied=anonymise, found=len(listed), by=by)
    logger.info("Retention %s: %d client records past retention.", today, len(listed))
    if anonymise:
        for start in range(0, len(listed), RETENTION_BATCH):
            _anonymise(listed[start : start + RETENTION_BATCH], run, today)
        run.anonymised = len(listed)
        run.save(update_fields=["anonymised"])
    return RetentionResult(run=run, listed=listed)


@transaction.atomic
def _anonymise(clients: list[Client], run: RetentionRun, today: date) -> None:
    ids = [client.pk for client in clients]
    Client.objects.filter(pk__in=ids).update(
        first_name="",
        last_name="",
        identity_code="",
        phone="",
        email="",
        address="",
        no_named_worker_reason="",
        date_of_birth=TruncYear("date_of_birth"),
        anonymised_on=today,
    )
    RelationshipPeriod.objects.filter(client__in=ids).update(closing_summary="", reached="", client_view_words="")
    CoordinationReview.objects.filter(client__in=ids).update(client_view_words="", note="")
    Assignment.objects.filter(client__in=ids).update(handover_note="", reason="")
    Contact.objects.filter(client__in=ids).update(reason="", source_name="")
    Referral.objects.filter(client__in=ids).update(reason="")
    ClientMessage.objects.filter(client__in=ids).delete()
    # Why a consultant was let in, or why the client came back: the access app's words of them.
    Consultation.objects.filter(client__in=ids).update(reason="")
    ReturningClient.objects.filter(client__in=ids).update(reason="")
    for anonymise_more in ANONYMISERS:
        anonymise_more(ids)
    # The client app's rows under pghistory: their history keeps the old values, and goes.
    drop_history(Client, ids)
    for model in (Assignment, RelationshipPeriod, Contact, Referral, CoordinationReview):
        drop_history(model, model.objects.filter(client__in=ids).values_list("pk", flat=True))
    Anonymisation.objects.bulk_create(
        Anonymisation(
            run=run,
            client_id=client.pk,
            retention_class=client.record_class,  # type: ignore[attr-defined]
            retention_ended_on=client.retention_ended_on,  # type: ignore[attr-defined]
        )
        for client in clients
    )
