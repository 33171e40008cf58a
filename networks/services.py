"""Writes of teams, care teams, the client's own network, consents and network meetings: one
transaction each, validated, audited. Sharing with a network member checks the client's
consent at the moment of use."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import grants
from access.models import AccessEvent, Section
from access.policy import is_staff
from access.services import record_access, record_grant
from accounts.models import Role, User
from clients.models import Client
from clients.services import drop_history, ensure_open
from core.errors import ConflictError
from core.params import as_pk

from .models import CareTeamMember, Consent, Decision, NetworkMeeting, NetworkMember

NETWORK_MEMBER_FIELDS = ("name", "relationship", "organisation", "phone", "email", "helps_with", "available")


def _refuse_unknown(fields: dict[str, Any], known: Sequence[str]) -> None:
    unknown = set(fields) - set(known)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})


@transaction.atomic
def add_to_care_team(
    *,
    client: Client,
    professional: User,
    role: str,
    started_on: date,
    by: User,
    ground: str,
    responsibility: str = "",
) -> CareTeamMember:
    """A professional starts working with the client; from then on they see the sections of the
    client's record their profession needs."""
    ensure_open(client)
    if not is_staff(professional) or professional.role == Role.ADMINISTRATOR:
        raise ValidationError({"professional": _("Choose a professional.")})
    if CareTeamMember.objects.filter(client=client, professional=professional, ended_on__isnull=True).exists():
        raise ValidationError({"professional": _("Already in the client's care team.")})
    member = CareTeamMember(
        client=client,
        professional=professional,
        role=role,
        responsibility=responsibility,
        started_on=started_on,
        added_by=by,
    )
    member.full_clean(validate_constraints=False)
    # Joining the care team opens the client to the professional: nobody adds themselves, and
    # the access it gives is logged as a grant (from its start, where that is still to come).
    grants.refuse_self_grant(by=by, grantee=professional)
    with grants.recording_grants(
        by=by, grantees=[professional], what="care_team", ground=ground, reason=role, clients=[client.pk]
    ):
        member.save()
    if started_on > timezone.localdate():
        record_grant(by=by, grants=[(professional, client)], what="care_team", ground=ground, reason=role)
    record_access(actor=by, client=client, action=AccessEvent.Action.DISCLOSE, what="care_team", ground=ground)
    return member


@transaction.atomic
def end_care_team_membership(*, member: CareTeamMember, ended_on: date, by: User, ground: str) -> CareTeamMember:
    if ended_on < member.started_on:
        raise ValidationError({"ended_on": _("The role cannot end before it started.")})
    member.ended_on = ended_on
    with grants.recording_grants(
        by=by, grantees=[member.professional], what="care_team", ground=ground, clients=[member.client_id]
    ):
        member.save(update_fields=["ended_on"])
    record_access(actor=by, client=member.client, action=AccessEvent.Action.CHANGE, what="care_team", ground=ground)
    return member


@transaction.atomic
def add_network_member(*, client: Client, by: User, ground: str, fields: dict[str, Any]) -> NetworkMember:
    ensure_open(client)
    _refuse_unknown(fields, NETWORK_MEMBER_FIELDS)
    member = NetworkMember(client=client, **fields)
    member.full_clean()
    member.save()
    record_access(actor=by, client=client, action=AccessEvent.Action.CHANGE, what="network", ground=ground)
    return member


@transaction.atomic
def update_network_member(*, member: NetworkMember, by: User, ground: str, fields: dict[str, Any]) -> NetworkMember:
    ensure_open(member.client)
    _refuse_unknown(fields, NETWORK_MEMBER_FIELDS)
    for name, value in fields.items():
        setattr(member, name, value)
    member.full_clean()
    member.save()
    record_access(actor=by, client=member.client, action=AccessEvent.Action.CHANGE, what="network", ground=ground)
    return member


@transaction.atomic
def give_consent(
    *,
    client: Client,
    by: User,
    ground: str,
    sections: Sequence[str],
    purpose: str,
    given_on: date,
    valid_until: date,
    network_member: NetworkMember | None = None,
    outside_party: str = "",
) -> Consent:
    """Records what the client agrees to share, with whom, for what, until when."""
    ensure_open(client)
    errors: dict[str, str] = {}
    if (network_member is None) == (not outside_party.strip()):
        errors["network_member"] = _("Name either a network member or an outside party.")
    if network_member is not None and network_member.client_id != client.pk:
        errors["network_member"] = _("Not in this client's network.")
    if not sections or set(sections) - set(Section.values):
        errors["sections"] = _("Choose what is shared.")
    if valid_until < given_on:
        errors["valid_until"] = _("The consent cannot end before it is given.")
    if given_on > timezone.localdate():
        errors["given_on"] = _("The consent cannot be given in the future.")
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        client=client,
        network_member=network_member,
        outside_party=outside_party.strip(),
        sections=sorted(set(sections)),
        purpose=purpose,
        given_on=given_on,
        valid_until=valid_until,
        recorded_by=by,
    )
    consent.full_clean()
    consent.save()
    record_access(actor=by, client=client, action=AccessEvent.Action.CHANGE, what="consent", ground=ground)
    return consent


@transaction.atomic
def withdraw_consent(*, consent: Consent, by: User, ground: str, on: date | None = None) -> Consent:
    """The client withdraws a consent, effective at once; the record of it stays."""
    if consent.withdrawn_on is not None:
        raise ConflictError(_("The consent was already withdrawn."))
    consent.withdrawn_on = on or timezone.localdate()
    consent.save(update_fields=["withdrawn_on"])
    record_access(actor=by, client=consent.client, action=AccessEvent.Action.CHANGE, what="consent", ground=ground)
    return consent


def valid_consent(*, member: NetworkMember, section: str, on: date | None = None, lock: bool = False) -> Consent | None:
    """The consent that allows sharing ``section`` with ``member`` on the day, if any. With
    ``lock`` (inside a transaction) the consent row is locked until it commits, so that a
    withdrawal at the same moment waits for the use it allowed, or comes first and refuses it."""
    day = on or timezone.localdate()
    consents = Consent.objects.filter(
        network_member=member,
        sections__contains=[section],
        given_on__lte=day,
        valid_until__gte=day,
    ).filter(withdrawn_on__isnull=True)
    if lock:
        consents = consents.select_for_update()
    return consents.order_by("-valid_until", "-pk").first()


def _check_participants(client: Client, professionals: Sequence[User], members: Sequence[NetworkMember]) -> None:
    """Network members see the meeting only with the client's consent to share it with them."""
    errors = [
        _("%(name)s: no valid consent to share meetings.") % {"name": member.name}
        for member in members
        if member.client_id != client.pk or valid_consent(member=member, section=Section.MEETINGS) is None
    ]
    if errors:
        raise ValidationError({"network_members": errors})
    if any(not is_staff(person) for person in professionals):
        raise ValidationError({"professionals": _("Only staff take part as professionals.")})


@transaction.atomic
def plan_meeting(
    *,
    client: Client,
    by: User,
    ground: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    call_link: str = "",
    agenda: str = "",
    client_attends: bool = True,
    professionals: Sequence[User] = (),
    network_members: Sequence[NetworkMember] = (),
) -> NetworkMeeting:
    ensure_open(client)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    if not place.strip() and not call_link.strip():
        raise ValidationError({"place": _("Give a place or a call link.")})
    _check_participants(client, professionals, network_members)
    meeting = NetworkMeeting(
        client=client,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        call_link=call_link,
        agenda=agenda,
        client_attends=client_attends,
        organiser=by,
    )
    meeting.full_clean()
    meeting.save()
    meeting.professionals.set(professionals)
    meeting.network_members.set(network_members)
    record_access(actor=by, client=client, action=AccessEvent.Action.CHANGE, what="meeting", ground=ground)
    return meeting


def _decision(meeting: NetworkMeeting, data: dict[str, Any], people: dict[int, User]) -> Decision:
    responsible = data.get("responsible", "")
    decision = Decision(meeting=meeting, text=data.get("text", "").strip(), due_on=data.get("due_on"))
    kind, _sep, ident = str(responsible).partition(":")
    pk = as_pk(ident)
    if kind == "client":
        decision.responsible_client = True
    elif kind == "professional" and pk in people:
        decision.responsible_professional = people[pk]
    elif kind == "member" and pk:
        decision.responsible_member = meeting.network_members.filter(pk=pk).first()
    if not decision.text:
        raise ValidationError({"decisions": _("Every decision needs its text.")})
    if not (decision.responsible_client or decision.responsible_professional or decision.responsible_member):
        raise ValidationError(
            {"decisions": _("Name who is responsible: the client, a participant or a network member.")}
        )
    return decision


@transaction.atomic
def record_meeting(
    *,
    meeting: NetworkMeeting,
    by: User,
    ground: str,
    notes: str,
    client_view: str = "",
    decisions: Sequence[dict[str, Any]] = (),
) -> NetworkMeeting:
    """Records a held meeting: notes, the client's own view in its own field, and decisions
    (``responsible`` is ``client``, ``professional:<id>`` of a participant or ``member:<id>``
    of an invited network member)."""
    ensure_open(meeting.client)
    if meeting.status == NetworkMeeting.Status.CANCELLED:
        raise ConflictError(_("The meeting was cancelled."))
    if meeting.status == NetworkMeeting.Status.HELD:
        # Notes and decisions stand as recorded; a later change is a new meeting.
        raise ConflictError(_("The meeting is already recorded."))
    if meeting.starts_at > timezone.now():
        raise ValidationError({"notes": _("A meeting can be recorded once it has started.")})
    people = {person.pk: person for person in meeting.professionals.all()}
    new = [_decision(meeting, data, people) for data in decisions]
    meeting.notes = notes
    meeting.client_view = client_view
    meeting.status = NetworkMeeting.Status.HELD
    meeting.save(update_fields=["notes", "client_view", "status"])
    Decision.objects.bulk_create(new)
    record_access(actor=by, client=meeting.client, action=AccessEvent.Action.CHANGE, what="meeting", ground=ground)
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting: NetworkMeeting, by: User, ground: str) -> NetworkMeeting:
    if meeting.status != NetworkMeeting.Status.PLANNED:
        raise ConflictError(_("Only a planned meeting can be cancelled."))
    meeting.status = NetworkMeeting.Status.CANCELLED
    meeting.save(update_fields=["status"])
    record_access(actor=by, client=meeting.client, action=AccessEvent.Action.CHANGE, what="meeting", ground=ground)
    return meeting


# Retention: what the clients app's retention run blanks here.


def anonymise_clients(client_ids: list[int]) -> None:
    """Blanks what the network rows of clients past retention say of people: the network
    members' names, organisations, phones, e-mails and what they help with; the care team's
    responsibilities; the consents' outside parties and purposes; the meetings' places, links,
    agendas, notes and the client's view; the decisions' words. The rows, relationships, roles,
    dates and choices the statistics count stay."""
    members = NetworkMember.objects.filter(client__in=client_ids)
    care_team = CareTeamMember.objects.filter(client__in=client_ids)
    consents = Consent.objects.filter(client__in=client_ids)
    meetings = NetworkMeeting.objects.filter(client__in=client_ids)
    members.update(name="", organisation="", phone="", email="", helps_with="", available="")
    care_team.update(responsibility="")
    # The consent's check wants an outside party where no member is named: a mark, not a name.
    consents.filter(network_member__isnull=True).update(outside_party="-", purpose="")
    consents.filter(network_member__isnull=False).update(purpose="")
    # A meeting keeps a place or a link by its check: a mark, not an address.
    meetings.update(place="-", call_link="", agenda="", notes="", client_view="")
    Decision.objects.filter(meeting__client__in=client_ids).update(text="")
    for rows in (members, care_team, consents, meetings):
        drop_history(rows.model, rows.values_list("pk", flat=True))
