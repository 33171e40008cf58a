"""Writes of needs assessments: one transaction each, validated, audited. A completed
assessment is frozen; a new one starts from the previous one."""

from collections.abc import Sequence
from datetime import date
from typing import Any

import pgtrigger
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AccessEvent, Section
from access.services import record_access
from accounts.models import Role, User
from clients.models import Client, Contact
from clients.services import drop_history, ensure_open
from core.errors import ConflictError
from networks import services as network_services
from networks.models import NetworkMember

from . import selectors
from .models import (
    RAI_SCALES,
    Assessment,
    Coverage,
    DomainNeed,
    LifeDomain,
    NeedSlot,
    NetworkView,
    ProfessionalConclusion,
    RaiInstrument,
    ScaleLevel,
    TimeOfDay,
)

ASSESSMENT_FIELDS = (
    "client_took_part",
    "situation_summary",
    "professional_conclusion",
    "client_view",
    "named_worker_needed_professional",
    "named_worker_needed_client",
    "rai_instrument",
    "rai_scores",
)
CHILD_COMPLETION_MONTHS = 3  # SHL §36.3
RAI_REASSESSMENT_MONTHS = 6  # vanhuspalvelulaki §15a


def _audit(assessment: Assessment, by: User, ground: str, action: str = AccessEvent.Action.CHANGE) -> None:
    record_access(actor=by, client=assessment.client, action=action, what="assessment", ground=ground)


def _ensure_editable(assessment: Assessment) -> None:
    if assessment.is_frozen:
        raise ConflictError(_("A completed assessment cannot be changed; start a new one."))
    ensure_open(assessment.client)


def _validate_rai(instrument: str, scores: dict[str, Any]) -> None:
    if instrument not in RaiInstrument.values:
        raise ValidationError({"rai_instrument": _("Unknown RAI instrument.")})
    if scores and not instrument:
        raise ValidationError({"rai_scores": _("Name the RAI instrument the scores come from.")})
    errors = []
    for name, value in scores.items():
        if name not in RAI_SCALES:
            errors.append(_("Unknown scale: %(name)s.") % {"name": name})
            continue
        low, high = RAI_SCALES[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors.append(
                _("%(name)s must be a whole number from %(low)s to %(high)s.")
                % {"name": name, "low": low, "high": high}
            )
    if errors:
        raise ValidationError({"rai_scores": errors})


@transaction.atomic
def start_assessment(
    *, client: Client, by: User, ground: str, started_on: date | None = None, contact: Contact | None = None
) -> Assessment:
    """Starts a needs assessment, from the previous completed one where there is one (its needs
    and time slots are copied to be reviewed). It meets the start deadline of the contact it
    answers (the earliest pending one unless named); a child needing special support must be
    assessed within 3 months of the start (SHL §36)."""
    ensure_open(client)
    started_on = started_on or timezone.localdate()
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("An assessment cannot start in the future.")})
    if contact is None:
        contact = (
            client.contacts.filter(assessment_started_on__isnull=True, cancelled_on__isnull=True)
            .order_by("assessment_due_on", "pk")
            .first()
        )
    elif contact.client_id != client.pk:
        raise ValidationError({"contact": _("Not a contact of this client.")})
    previous = selectors.completed_assessments_of(client).first()
    complete_by = None
    if client.child_special_support:
        complete_by = started_on + relativedelta(months=CHILD_COMPLETION_MONTHS)
    assessment = Assessment(
        client=client,
        contact=contact,
        previous=previous,
        started_on=started_on,
        complete_by=complete_by,
        situation_summary=previous.situation_summary if previous else "",
        rai_instrument=previous.rai_instrument if previous else RaiInstrument.NONE,
        created_by=by,
    )
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError as error:
        raise ConflictError(_("The client already has an assessment in progress.")) from error
    assessment.professionals.add(by)
    if previous is not None:
        _copy_needs(previous, assessment)
    if contact is not None:
        Contact.objects.filter(pk=contact.pk, assessment_started_on__isnull=True).update(
            assessment_started_on=started_on
        )
    _audit(assessment, by, ground, AccessEvent.Action.CREATE)
    return assessment


def _copy_needs(previous: Assessment, assessment: Assessment) -> None:
    old_needs = list(previous.needs.prefetch_related("slots"))
    new_needs = DomainNeed.objects.bulk_create(
        DomainNeed(
            assessment=assessment,
            domain_id=need.domain_id,
            level=need.level,
            professional_text=need.professional_text,
            client_text=need.client_text,
            icf_qualifier=need.icf_qualifier,
            own_level=need.own_level,
        )
        for need in old_needs
    )
    NeedSlot.objects.bulk_create(
        NeedSlot(
            need=new,
            weekday=slot.weekday,
            time_of_day=slot.time_of_day,
            coverage=slot.coverage,
            service=slot.service,
            network_member_id=slot.network_member_id,
        )
        for old, new in zip(old_needs, new_needs, strict=True)
        for slot in old.slots.all()
    )


@transaction.atomic
def update_assessment(
    *,
    assessment: Assessment,
    by: User,
    ground: str,
    fields: dict[str, Any],
    relatives: Sequence[NetworkMember] | None = None,
    professionals: Sequence[User] | None = None,
) -> Assessment:
    """Changes the statutory fields and, where given, who took part: relatives from the
    client's own network and professionals (staff)."""
    _ensure_editable(assessment)
    unknown = set(fields) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    errors: dict[str, str] = {}
    if relatives is not None and any(member.client_id != assessment.client_id for member in relatives):
        errors["relatives"] = _("Name people of the client's own network.")
    if professionals is not None and any(user.role == Role.CLIENT for user in professionals):
        errors["professionals"] = _("Name members of staff.")
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(assessment, name, value)
    _validate_rai(assessment.rai_instrument, assessment.rai_scores or {})
    assessment.full_clean()
    assessment.save(update_fields=list(fields))
    if relatives is not None:
        assessment.relatives.set(relatives)
    if professionals is not None:
        assessment.professionals.set(professionals)
    _audit(assessment, by, ground)
    return assessment


def _levels(scale: str) -> set[int]:
    return set(ScaleLevel.objects.filter(scale=scale).values_list("value", flat=True))


@transaction.atomic
def set_need(
    *,
    assessment: Assessment,
    domain: LifeDomain,
    by: User,
    ground: str,
    level: int,
    professional_text: str = "",
    client_text: str = "",
    icf_qualifier: int | None = None,
    own_level: int | None = None,
    slots: Sequence[dict[str, Any]] | None = None,
) -> DomainNeed:
    """Records the need in one life domain and, when ``slots`` is given, replaces the times
    of the week it needs help: each ``{"weekday": 0-6, "time_of_day": ..., "coverage": "",
    "service" | "network_member": ...}``. ``own_level`` is the level on the domain's own scale
    (the work-ability scale of work and studies), for a domain that has one."""
    _ensure_editable(assessment)
    errors: dict[str, Any] = {}
    if not domain.active:
        errors["domain"] = _("This life domain is not in use.")
    if level not in _levels(ScaleLevel.Scale.NEED):
        errors["level"] = _("Choose a level of the need scale.")
    if icf_qualifier is not None and icf_qualifier not in _levels(ScaleLevel.Scale.ICF):
        errors["icf_qualifier"] = _("An ICF qualifier is from 0 to 4.")
    if own_level is not None and (not domain.own_scale or own_level not in _levels(domain.own_scale)):
        errors["own_level"] = _("Choose a level of this life domain's own scale.")
    if errors:
        raise ValidationError(errors)
    need, _created = DomainNeed.objects.update_or_create(
        assessment=assessment,
        domain=domain,
        defaults={
            "level": level,
            "professional_text": professional_text,
            "client_text": client_text,
            "icf_qualifier": icf_qualifier,
            "own_level": own_level,
        },
    )
    if slots is not None:
        _replace_slots(need, slots)
    _audit(assessment, by, ground)
    return need


def _replace_slots(need: DomainNeed, slots: Sequence[dict[str, Any]]) -> None:
    members = {m.pk: m for m in NetworkMember.objects.filter(client=need.assessment.client_id)}
    new: list[NeedSlot] = []
    errors: list[str] = []
    seen: set[tuple[int, str]] = set()
    for index, data in enumerate(slots, start=1):
        weekday, time_of_day = data.get("weekday"), data.get("time_of_day")
        coverage = data.get("coverage", "")
        if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
            errors.append(_("Slot %(n)s: the weekday is 0 (Monday) to 6 (Sunday).") % {"n": index})
            continue
        if time_of_day not in TimeOfDay.values:
            errors.append(_("Slot %(n)s: no such time of day.") % {"n": index})
            continue
        if coverage not in Coverage.values:
            errors.append(_("Slot %(n)s: unknown coverage.") % {"n": index})
            continue
        if (weekday, time_of_day) in seen:
            errors.append(_("Slot %(n)s: the same time twice.") % {"n": index})
            continue
        seen.add((weekday, time_of_day))
        member = None
        if coverage == Coverage.NETWORK:
            member = members.get(data.get("network_member") or 0)
            if member is None:
                errors.append(_("Slot %(n)s: name a member of the client's network.") % {"n": index})
                continue
        new.append(
            NeedSlot(
                need=need,
                weekday=weekday,
                time_of_day=time_of_day,
                coverage=coverage,
                service=str(data.get("service", "")) if coverage == Coverage.SERVICE else "",
                network_member=member,
            )
        )
    if errors:
        raise ValidationError({"slots": errors})
    need.slots.all().delete()
    NeedSlot.objects.bulk_create(new)


@transaction.atomic
def complete_assessment(
    *, assessment: Assessment, by: User, ground: str, completed_on: date | None = None
) -> Assessment:
    """Completes and freezes the assessment. SHL §36–37: the situation, the professional's
    conclusion and the client's own view are recorded. A RAI-assessed client is reassessed in
    6 months (vanhuspalvelulaki §15a); a marked change sooner is a new contact."""
    _ensure_editable(assessment)
    completed_on = completed_on or timezone.localdate()
    errors: dict[str, str] = {}
    for name, message in (
        ("situation_summary", _("Summarise the situation.")),
        ("professional_conclusion", _("Write the professional's conclusion.")),
        ("client_view", _("Record the client's own view, in their own words.")),
    ):
        if not getattr(assessment, name).strip():
            errors[name] = message
    if not assessment.needs.exists():
        errors["needs"] = _("Assess at least one life domain.")
    if completed_on < assessment.started_on or completed_on > timezone.localdate():
        errors["completed_on"] = _("The completion date is between the start and today.")
    if errors:
        raise ValidationError(errors)
    assessment.status = Assessment.Status.COMPLETED
    assessment.completed_on = completed_on
    assessment.completed_by = by
    if assessment.rai_instrument:
        assessment.reassess_on = completed_on + relativedelta(months=RAI_REASSESSMENT_MONTHS)
    assessment.save(update_fields=["status", "completed_on", "completed_by", "reassess_on"])
    NeedSlot.objects.filter(need__assessment=assessment).update(frozen=True)
    DomainNeed.objects.filter(assessment=assessment).update(frozen=True)
    ProfessionalConclusion.objects.filter(assessment=assessment).update(frozen=True)
    _audit(assessment, by, ground)
    return assessment


@transaction.atomic
def record_conclusion(*, assessment: Assessment, by: User, ground: str, text: str) -> ProfessionalConclusion | None:
    """Writes ``by``'s own conclusion in the assessment, for their profession, beside the
    coordinator's and the client's view (a work-ability team's employment specialist on work and
    training options); an empty text takes it away. Until the assessment is completed."""
    _ensure_editable(assessment)
    # One conclusion per author: two saves at once take turns on the assessment's row.
    Assessment.objects.select_for_update().filter(pk=assessment.pk).values_list("pk").first()
    if by.role == Role.CLIENT:
        raise ValidationError({"text": _("Only members of staff write a professional's conclusion.")})
    text = text.strip()
    if not text:
        ProfessionalConclusion.objects.filter(assessment=assessment, author=by).delete()
        _audit(assessment, by, ground)
        return None
    conclusion = ProfessionalConclusion.objects.filter(assessment=assessment, author=by).first()
    if conclusion is None:
        conclusion = ProfessionalConclusion(assessment=assessment, author=by)
    conclusion.profession = by.profession
    conclusion.text = text
    conclusion.full_clean()
    conclusion.save()
    _audit(assessment, by, ground)
    return conclusion


# The network's voice


@transaction.atomic
def record_network_view(
    *, assessment: Assessment, network_member: NetworkMember, words: str, by: User, ground: str
) -> NetworkView:
    """Records what someone in the client's own network thinks of the client's need for
    support, in their own words, as they told it to the coordinator. Allowed only while the
    client's consent to share the assessment with that person is in force, checked (and the
    consent locked) now; recording again for the same person replaces their words while the
    assessment is open. The client's own view stays their own field."""
    _ensure_editable(assessment)
    errors: dict[str, str] = {}
    words = words.strip()
    if network_member.client_id != assessment.client_id or network_member.removed_on is not None:
        errors["network_member"] = _("Choose a person of the client's own network.")
    consent = None
    if not errors:
        consent = network_services.valid_consent(member=network_member, section=Section.ASSESSMENT, lock=True)
        if consent is None:
            errors["network_member"] = _(
                "The client has no consent in force to share the needs assessment with %(name)s: "
                "their view can be recorded once the client has given it."
            ) % {"name": network_member.name}
    if not words:
        errors["words"] = _("Write the view in the person's own words.")
    if errors:
        raise ValidationError(errors)
    view = NetworkView.objects.filter(assessment=assessment, network_member=network_member).first() or NetworkView(
        assessment=assessment, network_member=network_member
    )
    view.consent, view.words, view.recorded_by = consent, words, by  # type: ignore[assignment]
    view.full_clean(exclude=["assessment", "network_member", "consent", "recorded_by"], validate_constraints=False)
    view.save()
    _audit(assessment, by, ground)
    return view


# Retention: what the clients app's retention run blanks here.

# A completed assessment and its rows are frozen by triggers against changes after the fact;
# anonymising past retention is the one change the archive plan asks of them, so it alone
# passes those triggers, inside the retention run's transaction.
_FROZEN_TRIGGERS = (
    "assessments.Assessment:completed_is_frozen",
    "assessments.DomainNeed:frozen_need",
    "assessments.NeedSlot:frozen_slot",
    "assessments.ProfessionalConclusion:frozen_conclusion",
    "assessments.NetworkView:frozen_with_assessment",
    "assessments.NetworkView:kept_with_assessment",
)


def anonymise_clients(client_ids: list[int]) -> None:
    """Blanks the words of the assessments of clients past retention: the summary, the
    conclusions, the client's view, each domain's texts and the services named in the week
    grid. The levels, qualifiers, coverage and dates the statistics count stay. The network
    members' views are deleted: a relative's words are nothing the statistics count."""
    assessments = Assessment.objects.filter(client__in=client_ids)
    assessment_ids = list(assessments.values_list("pk", flat=True))
    with pgtrigger.ignore(*_FROZEN_TRIGGERS):
        assessments.update(situation_summary="", professional_conclusion="", client_view="")
        DomainNeed.objects.filter(assessment__in=assessment_ids).update(professional_text="", client_text="")
        NeedSlot.objects.filter(need__assessment__in=assessment_ids).update(service="")
        conclusions = ProfessionalConclusion.objects.filter(assessment__in=assessment_ids)
        conclusion_ids = list(conclusions.values_list("pk", flat=True))
        conclusions.update(text="")
        views = NetworkView.objects.filter(assessment__in=assessment_ids)
        view_ids = list(views.values_list("pk", flat=True))
        views.delete()
    drop_history(Assessment, assessment_ids)
    drop_history(ProfessionalConclusion, conclusion_ids)
    drop_history(NetworkView, view_ids)
