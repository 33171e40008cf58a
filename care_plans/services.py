"""Writes of care plans (asiakassuunnitelma, SHL §39, 812/2000 §7): one transaction each,
validated, audited. A draft is saved whole or in part from the revision the editor started
from; a save from an older revision is a conflict, never a lost update. Publishing freezes the
version and its rows, asks for its PDF on commit and starts the next draft from it.

Kept apart from ``services.py`` (the needs assessment) so that the two can change side by side."""

import hashlib
import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pgtrigger
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AccessEvent, Section
from access.services import record_access
from accounts.models import Role, User
from assessments import selectors as assessment_selectors
from assessments.models import Assessment, Coverage, LifeDomain, TimeOfDay
from clients.models import Client
from clients.services import drop_history, ensure_open
from core.errors import ConflictError
from networks import services as network_services
from networks.models import Decision, NetworkMember

from . import selectors
from .models import (
    CarePlan,
    Disagreement,
    GoalAction,
    GoalOutcome,
    NetworkGoalRating,
    NetworkReviewView,
    PlanGoal,
    PlanPdf,
    PlanReview,
    PlanService,
    PlanVersion,
    Responsible,
    WorkMeasure,
)

logger = logging.getLogger(__name__)

TEXT_FIELDS = ("client_wishes", "strengths_client", "strengths_professional", "backup_plan")
DRAFT_FIELDS = (*TEXT_FIELDS, "review_on")
COLLECTIONS = ("goals", "services", "disagreements")
# The care plan is reviewed at least at the review date (SHL §39): by default a year after
# publishing; for older people assessed with RAI, whose needs are reassessed every 6 months
# (vanhuspalvelulaki 980/2012 §15a), at the same pace.
REVIEW_MONTHS = 12
RAI_REVIEW_MONTHS = 6
RATINGS = range(1, 6)


class DraftConflictError(ConflictError):
    """The draft was saved by someone else after the editor opened it."""

    def __init__(self, message: str, current_revision: int) -> None:
        super().__init__(message)
        self.current_revision = current_revision


def _audit(version: PlanVersion, by: User, ground: str, action: str = AccessEvent.Action.CHANGE) -> None:
    record_access(actor=by, client=version.plan.client, action=action, what="care_plan", ground=ground)


def default_review_on(client: Client, start: date) -> date:
    """The review date of a plan published on ``start``: 6 months for a client whose latest
    completed assessment used a RAI instrument, 12 months otherwise."""
    instrument = (
        Assessment.objects.filter(client=client, status=Assessment.Status.COMPLETED)
        .order_by("-completed_on", "-pk")
        .values_list("rai_instrument", flat=True)
        .first()
    )
    return start + relativedelta(months=RAI_REVIEW_MONTHS if instrument else REVIEW_MONTHS)


# Starting a plan


@transaction.atomic
def start_plan(*, client: Client, by: User, ground: str) -> PlanVersion:
    """Opens the client's plan with a first draft proposed from what is known: goals from the
    latest assessment's life domains with a need, services from its time slots covered by a
    service, and actions from network-meeting decisions not yet in the plan."""
    ensure_open(client)
    plan, _created = CarePlan.objects.select_for_update().get_or_create(client=client, defaults={"created_by": by})
    if plan.versions.filter(status=PlanVersion.Status.DRAFT).exists():
        raise ConflictError(_("The plan already has a draft: edit that one."))
    latest = plan.versions.filter(status=PlanVersion.Status.PUBLISHED).order_by("-number").first()
    if latest is not None:
        return _next_draft(latest, by)
    assessment_pk = (
        Assessment.objects.filter(client=client)
        .order_by(F("completed_on").desc(nulls_last=True), "-started_on", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    assessment = assessment_selectors.assessment_with_needs(assessment_pk) if assessment_pk else None
    version = PlanVersion.objects.create(
        plan=plan,
        number=1,
        assessment=assessment,
        client_wishes=assessment.client_view if assessment else "",
        review_on=default_review_on(client, timezone.localdate()),
        created_by=by,
        updated_by=by,
    )
    goals = _propose_goals(version, assessment)
    _propose_services(version, assessment)
    if goals:
        _propose_actions(goals[0], client)
    _audit(version, by, ground, AccessEvent.Action.CREATE)
    return version


def _propose_goals(version: PlanVersion, assessment: Assessment | None) -> list[PlanGoal]:
    if assessment is None:
        return []
    needs = [need for need in assessment.needs.all() if need.level > 0]
    return PlanGoal.objects.bulk_create(
        PlanGoal(
            version=version,
            order=index,
            client_words=need.client_text or need.professional_text or need.domain.name,
            professional_words=need.professional_text,
            domain=need.domain,
        )
        for index, need in enumerate(needs)
    )


def _propose_services(version: PlanVersion, assessment: Assessment | None) -> None:
    if assessment is None:
        return
    by_service: dict[str, list[dict[str, Any]]] = {}
    for need in assessment.needs.all():
        for slot in need.slots.all():
            if slot.coverage == Coverage.SERVICE and slot.service:
                slots = by_service.setdefault(slot.service, [])
                entry = {"weekday": slot.weekday, "time_of_day": slot.time_of_day}
                if entry not in slots:
                    slots.append(entry)
    PlanService.objects.bulk_create(
        PlanService(version=version, order=index, service=name, slots=slots)
        for index, (name, slots) in enumerate(sorted(by_service.items()))
    )


def _propose_actions(goal: PlanGoal, client: Client) -> None:
    decisions = selectors.decisions_not_in_plan(client)
    GoalAction.objects.bulk_create(
        GoalAction(
            goal=goal,
            order=index,
            text=decision.text,
            responsible=(
                Responsible.PROFESSIONAL
                if decision.responsible_professional_id
                else Responsible.NETWORK_MEMBER
                if decision.responsible_member_id
                else Responsible.CLIENT
            ),
            professional_id=decision.responsible_professional_id,
            network_member_id=decision.responsible_member_id,
            due_on=decision.due_on,
            decision=decision,
        )
        for index, decision in enumerate(decisions)
    )


# Saving a draft


def _ensure_draft(version: PlanVersion) -> None:
    if version.is_frozen:
        raise ConflictError(_("A published version cannot be changed; edit the current draft."))
    ensure_open(version.plan.client)


def _stale(version: PlanVersion) -> ConflictError:
    current = PlanVersion.objects.filter(pk=version.pk).values_list("status", "revision").first()
    if current is None or current[0] == PlanVersion.Status.PUBLISHED:
        return ConflictError(_("This version was published meanwhile and can no longer be changed."))
    return DraftConflictError(
        _(
            "Someone else saved this draft after you opened it. Your changes were not saved: "
            "compare them with the saved draft and save again."
        ),
        current_revision=current[1],
    )


@transaction.atomic
def save_draft(
    *, version: PlanVersion, by: User, ground: str, revision: int, content: Mapping[str, Any]
) -> PlanVersion:
    """Saves the parts of the draft named in ``content`` — the text fields, ``review_on``, and
    whole lists of ``goals`` (each with its ``actions``), ``services`` and ``disagreements`` —
    if the draft is still at ``revision``. Everything is checked before anything is written."""
    _ensure_draft(version)
    unknown = set(content) - set(DRAFT_FIELDS) - set(COLLECTIONS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    rows = _validated_rows(version, content)
    fields = {name: content[name] for name in DRAFT_FIELDS if name in content}
    for name in TEXT_FIELDS:
        if name in fields:
            fields[name] = str(fields[name] or "").strip()
    updated = PlanVersion.objects.filter(pk=version.pk, status=PlanVersion.Status.DRAFT, revision=revision).update(
        revision=F("revision") + 1, updated_by=by, updated_at=timezone.now(), **fields
    )
    if not updated:
        raise _stale(version)
    _write_rows(version, content, rows)
    _audit(version, by, ground)
    version.refresh_from_db()
    return version


def _key(value: Any, seen: set[uuid.UUID]) -> uuid.UUID | None:
    """The item's key as given (it follows the item across versions), or a new one; None if
    the value is not a key or is used twice."""
    if value in (None, ""):
        key = uuid.uuid4()
    else:
        try:
            key = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        except ValueError:
            return None
    if key in seen:
        return None
    seen.add(key)
    return key


def _validated_rows(version: PlanVersion, content: Mapping[str, Any]) -> dict[str, Any]:
    """Checks every item and resolves its references to the client's own people, decisions and
    the life domains; raises one ValidationError with every problem, by list."""
    client = version.plan.client
    errors: dict[str, list[str]] = {}
    if "review_on" in content and content["review_on"] is not None and not isinstance(content["review_on"], date):
        errors["review_on"] = [_("Enter a valid date.")]
    members = {m.pk: m for m in NetworkMember.objects.filter(client=client, removed_on__isnull=True)}
    decisions = set(Decision.objects.filter(meeting__client=client).values_list("pk", flat=True))
    staff = set(User.objects.filter(is_active=True).exclude(role=Role.CLIENT).values_list("pk", flat=True))
    domains = {d.code: d for d in LifeDomain.objects.all()}
    result: dict[str, Any] = {}
    goal_keys: set[uuid.UUID] = set()
    service_keys: set[uuid.UUID] = set()
    if "goals" in content:
        result["goals"] = _goal_rows(content["goals"], goal_keys, members, decisions, staff, domains, errors)
    if "services" in content:
        result["services"] = _service_rows(content["services"], service_keys, errors)
    if "disagreements" in content:
        # A disagreement names a goal or a service of the draft as it will be after the save.
        if "goals" not in content:
            goal_keys = set(PlanGoal.objects.filter(version=version).values_list("key", flat=True))
        if "services" not in content:
            service_keys = set(PlanService.objects.filter(version=version).values_list("key", flat=True))
        result["disagreements"] = _disagreement_rows(
            content["disagreements"], goal_keys, service_keys, errors, _unreasoned(version)
        )
    if errors:
        raise ValidationError(errors)
    return result


def _goal_rows(
    goals: Sequence[Mapping[str, Any]],
    keys: set[uuid.UUID],
    members: dict[int, NetworkMember],
    decisions: set[int],
    staff: set[int],
    domains: dict[str, LifeDomain],
    errors: dict[str, list[str]],
) -> list[tuple[PlanGoal, list[GoalAction]]]:
    rows = []
    problems = errors.setdefault("goals", [])
    for n, data in enumerate(goals, start=1):
        key = _key(data.get("key"), keys)
        words = str(data.get("client_words") or "").strip()
        domain_code = data.get("domain") or ""
        if key is None:
            problems.append(_("Goal %(n)s: the key is not valid or is used twice.") % {"n": n})
        if not words:
            problems.append(_("Goal %(n)s: write the goal in the client's own words.") % {"n": n})
        if domain_code and domain_code not in domains:
            problems.append(_("Goal %(n)s: no such life domain.") % {"n": n})
        goal = PlanGoal(
            key=key or uuid.uuid4(),
            order=n,
            client_words=words,
            professional_words=str(data.get("professional_words") or "").strip(),
            domain=domains.get(domain_code),
        )
        action_keys: set[uuid.UUID] = set()
        actions = [
            _action_row(action, {"n": n, "m": m}, action_keys, members, decisions, staff, problems)
            for m, action in enumerate(data.get("actions") or [], start=1)
        ]
        rows.append((goal, actions))
    if not problems:
        del errors["goals"]
    return rows


def _action_row(
    action: Mapping[str, Any],
    label: dict[str, int],
    keys: set[uuid.UUID],
    members: dict[int, NetworkMember],
    decisions: set[int],
    staff: set[int],
    problems: list[str],
) -> GoalAction:
    """Action ``label["m"]`` of goal ``label["n"]``, its problems added to ``problems``."""
    action_key = _key(action.get("key"), keys)
    text = str(action.get("text") or "").strip()
    responsible = str(action.get("responsible") or "")
    professional = action.get("professional") or None
    member = action.get("network_member") or None
    decision = action.get("decision") or None
    if action_key is None:
        problems.append(_("Goal %(n)s, action %(m)s: the key is not valid or is used twice.") % label)
    if not text:
        problems.append(_("Goal %(n)s, action %(m)s: say what is done.") % label)
    if responsible == Responsible.PROFESSIONAL and professional not in staff:
        problems.append(_("Goal %(n)s, action %(m)s: name a member of staff.") % label)
    elif responsible == Responsible.NETWORK_MEMBER and member not in members:
        problems.append(_("Goal %(n)s, action %(m)s: name a person of the client's network.") % label)
    elif responsible not in Responsible.values:
        problems.append(_("Goal %(n)s, action %(m)s: say who does it.") % label)
    if decision is not None and decision not in decisions:
        problems.append(_("Goal %(n)s, action %(m)s: not a decision of this client's meetings.") % label)
    work_measure = action.get("work_measure") or WorkMeasure.NONE
    if work_measure not in WorkMeasure.values:
        problems.append(_("Goal %(n)s, action %(m)s: no such work or training measure.") % label)
        work_measure = WorkMeasure.NONE
    due_on = action.get("due_on")
    if due_on is not None and not isinstance(due_on, date):
        problems.append(_("Goal %(n)s, action %(m)s: enter a valid date.") % label)
        due_on = None
    return GoalAction(
        key=action_key or uuid.uuid4(),
        order=label["m"],
        text=text,
        responsible=responsible,
        professional_id=professional if responsible == Responsible.PROFESSIONAL else None,
        network_member_id=member if responsible == Responsible.NETWORK_MEMBER else None,
        due_on=due_on,
        decision_id=decision,
        work_measure=work_measure,
    )


def _service_rows(
    services: Sequence[Mapping[str, Any]], keys: set[uuid.UUID], errors: dict[str, list[str]]
) -> list[PlanService]:
    rows = []
    problems = errors.setdefault("services", [])
    for n, data in enumerate(services, start=1):
        key = _key(data.get("key"), keys)
        name = str(data.get("service") or "").strip()
        if key is None:
            problems.append(_("Service %(n)s: the key is not valid or is used twice.") % {"n": n})
        if not name:
            problems.append(_("Service %(n)s: name the service.") % {"n": n})
        slots = []
        for slot in data.get("slots") or []:
            weekday, time_of_day = slot.get("weekday"), slot.get("time_of_day")
            if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
                problems.append(_("Service %(n)s: the weekday is 0 (Monday) to 6 (Sunday).") % {"n": n})
            elif time_of_day not in TimeOfDay.values:
                problems.append(_("Service %(n)s: no such time of day.") % {"n": n})
            elif {"weekday": weekday, "time_of_day": time_of_day} not in slots:
                slots.append({"weekday": weekday, "time_of_day": time_of_day})
        starts_on = data.get("starts_on")
        if starts_on is not None and not isinstance(starts_on, date):
            problems.append(_("Service %(n)s: enter a valid start date.") % {"n": n})
            starts_on = None
        lengths = (("service", 200), ("provider", 200), ("amount", 100), ("backup", 300))
        if any(len(str(data.get(field) or "")) > limit for field, limit in lengths):
            problems.append(_("Service %(n)s: a text is too long.") % {"n": n})
        rows.append(
            PlanService(
                key=key or uuid.uuid4(),
                order=n,
                service=name,
                provider=str(data.get("provider") or "").strip(),
                amount=str(data.get("amount") or "").strip(),
                slots=slots,
                starts_on=starts_on,
                backup=str(data.get("backup") or "").strip(),
            )
        )
    if not problems:
        del errors["services"]
    return rows


def _disagreement_rows(
    disagreements: Sequence[Mapping[str, Any]],
    goal_keys: set[uuid.UUID],
    service_keys: set[uuid.UUID],
    errors: dict[str, list[str]],
    unreasoned: set[tuple[Any, ...]],
) -> list[tuple[Disagreement, uuid.UUID | None, uuid.UUID | None]]:
    """Every disagreement carries its reasons (812/2000 §7); one recorded without them before
    they were required stays as it was (``unreasoned``) until it is changed."""
    rows = []
    problems = errors.setdefault("disagreements", [])
    keys: set[uuid.UUID] = set()
    for n, data in enumerate(disagreements, start=1):
        key = _key(data.get("key"), keys)
        subject = str(data.get("subject") or "")
        goal_key = service_key = None
        if key is None:
            problems.append(_("Disagreement %(n)s: the key is not valid or is used twice.") % {"n": n})
        if subject == Disagreement.Subject.GOAL:
            goal_key = _as_uuid(data.get("goal"))
            if goal_key not in goal_keys:
                problems.append(_("Disagreement %(n)s: name a goal of this plan.") % {"n": n})
        elif subject == Disagreement.Subject.SERVICE:
            service_key = _as_uuid(data.get("service"))
            if service_key not in service_keys:
                problems.append(_("Disagreement %(n)s: name a service of this plan.") % {"n": n})
        elif subject != Disagreement.Subject.PLAN:
            problems.append(_("Disagreement %(n)s: say what it is about.") % {"n": n})
        client_position = str(data.get("client_position") or "").strip()
        professional_position = str(data.get("professional_position") or "").strip()
        if not client_position or not professional_position:
            problems.append(
                _("Disagreement %(n)s: write both the client's and the professional's position.") % {"n": n}
            )
        reasons = str(data.get("reasons") or "").strip()
        as_it_was = (key, subject, goal_key, service_key, client_position, professional_position)
        if not reasons and as_it_was not in unreasoned:
            problems.append(_("Disagreement %(n)s: give the reasons for the disagreement.") % {"n": n})
        item = Disagreement(
            key=key or uuid.uuid4(),
            subject=subject,
            client_position=client_position,
            professional_position=professional_position,
            reasons=reasons,
        )
        rows.append((item, goal_key, service_key))
    if not problems:
        del errors["disagreements"]
    return rows


def _unreasoned(version: PlanVersion) -> set[tuple[Any, ...]]:
    """The draft's disagreements recorded without reasons (before reasons were required), as
    ``_disagreement_rows`` compares them: key, subject, goal and service keys, both positions."""
    return {
        (
            d.key,
            d.subject,
            d.goal.key if d.goal else None,
            d.service.key if d.service else None,
            d.client_position,
            d.professional_position,
        )
        for d in Disagreement.objects.filter(version=version, reasons="").select_related("goal", "service")
    }


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _write_rows(version: PlanVersion, content: Mapping[str, Any], rows: dict[str, Any]) -> None:
    """Replaces the named lists of the draft. Disagreements point at goals and services by key,
    so they are written last, against the rows as they now are. Every read here goes to the
    database, never to rows the caller may have prefetched before this save replaced them."""
    if not rows:
        return
    old_disagreements = list(Disagreement.objects.filter(version=version).select_related("goal", "service"))
    Disagreement.objects.filter(version=version).delete()
    if "goals" in rows:
        PlanGoal.objects.filter(version=version).delete()
        goals = [goal for goal, _actions in rows["goals"]]
        for goal in goals:
            goal.version = version
        PlanGoal.objects.bulk_create(goals)
        actions = []
        for goal, goal_actions in rows["goals"]:
            for action in goal_actions:
                action.goal = goal
                actions.append(action)
        GoalAction.objects.bulk_create(actions)
    if "services" in rows:
        PlanService.objects.filter(version=version).delete()
        for service in rows["services"]:
            service.version = version
        PlanService.objects.bulk_create(rows["services"])
    goals_by_key = {goal.key: goal for goal in PlanGoal.objects.filter(version=version)}
    services_by_key = {service.key: service for service in PlanService.objects.filter(version=version)}
    if "disagreements" in rows:
        items = rows["disagreements"]
    else:
        # Kept as they were, as long as what they are about is still in the draft.
        items = [(d, d.goal.key if d.goal else None, d.service.key if d.service else None) for d in old_disagreements]
    new = []
    for item, goal_key, service_key in items:
        goal = goals_by_key.get(goal_key) if goal_key else None
        service = services_by_key.get(service_key) if service_key else None
        if (goal_key and goal is None) or (service_key and service is None):
            continue
        new.append(
            Disagreement(
                version=version,
                key=item.key,
                subject=item.subject,
                goal=goal,
                service=service,
                client_position=item.client_position,
                professional_position=item.professional_position,
                reasons=item.reasons,
            )
        )
    Disagreement.objects.bulk_create(new)


# Publishing


@transaction.atomic
def publish_version(*, version: PlanVersion, by: User, ground: str, revision: int) -> PlanVersion:
    """Publishes the draft as it is at ``revision``: freezes it and its rows, asks for its PDF
    (rendered in the client's language once the transaction commits) and starts the next
    draft from it. Returns the new draft."""
    _ensure_draft(version)
    locked = PlanVersion.objects.select_for_update().filter(pk=version.pk).first()
    if locked is None or locked.status != PlanVersion.Status.DRAFT or locked.revision != revision:
        raise _stale(version)
    errors: dict[str, str] = {}
    if not locked.client_wishes:
        errors["client_wishes"] = _("Record the client's wishes and views, in their own words.")
    if not locked.goals.exists():
        errors["goals"] = _("Agree at least one goal with the client.")
    if not locked.backup_plan and not locked.services.exclude(backup="").exists():
        errors["backup_plan"] = _("Say who steps in if a service fails.")
    if errors:
        raise ValidationError(errors)
    client = version.plan.client
    now = timezone.now()
    GoalAction.objects.filter(goal__version=locked).update(frozen=True)
    for model in (PlanGoal, PlanService, Disagreement):
        model.objects.filter(version=locked).update(frozen=True)
    locked.status = PlanVersion.Status.PUBLISHED
    locked.published_at = now
    locked.published_by = by
    locked.language = client.preferred_language
    locked.review_on = locked.review_on or default_review_on(client, timezone.localdate())
    locked.save(update_fields=["status", "published_at", "published_by", "language", "review_on", "updated_at"])
    PlanPdf.objects.create(version=locked, requested_at=now)
    transaction.on_commit(lambda: queue_pdf(locked.pk))
    locked.plan = version.plan
    _audit(locked, by, ground)
    return _next_draft(locked, by)


def _next_draft(published: PlanVersion, by: User) -> PlanVersion:
    """A new draft with the content of ``published``, its items keeping their keys."""
    draft = PlanVersion.objects.create(
        plan=published.plan,
        number=published.number + 1,
        based_on=published,
        assessment=published.assessment,
        review_on=published.review_on,
        created_by=by,
        updated_by=by,
        **{name: getattr(published, name) for name in TEXT_FIELDS},
    )
    goals = list(published.goals.prefetch_related("actions"))
    new_goals = PlanGoal.objects.bulk_create(
        PlanGoal(
            version=draft,
            key=g.key,
            order=g.order,
            client_words=g.client_words,
            professional_words=g.professional_words,
            domain_id=g.domain_id,
        )
        for g in goals
    )
    GoalAction.objects.bulk_create(
        GoalAction(
            goal=new,
            key=a.key,
            order=a.order,
            text=a.text,
            responsible=a.responsible,
            professional_id=a.professional_id,
            network_member_id=a.network_member_id,
            due_on=a.due_on,
            decision_id=a.decision_id,
            work_measure=a.work_measure,
        )
        for old, new in zip(goals, new_goals, strict=True)
        for a in old.actions.all()
    )
    services = PlanService.objects.bulk_create(
        PlanService(
            version=draft,
            key=s.key,
            order=s.order,
            service=s.service,
            provider=s.provider,
            amount=s.amount,
            slots=s.slots,
            starts_on=s.starts_on,
            backup=s.backup,
        )
        for s in published.services.all()
    )
    goals_by_key = {g.key: g for g in new_goals}
    services_by_key = {s.key: s for s in services}
    Disagreement.objects.bulk_create(
        Disagreement(
            version=draft,
            key=d.key,
            subject=d.subject,
            goal=goals_by_key.get(d.goal.key) if d.goal else None,
            service=services_by_key.get(d.service.key) if d.service else None,
            client_position=d.client_position,
            professional_position=d.professional_position,
            reasons=d.reasons,
        )
        for d in published.disagreements.select_related("goal", "service")
    )
    return draft


# The PDF


def queue_pdf(version_pk: int) -> bool:
    """Sends the render task to its queue and notes when. With the broker down or hung (its
    socket timeouts bound the wait) the request is not lost: the PDF stays pending, unqueued,
    and ``requeue_pending_pdfs`` (beat, every minute) or the page's button sends it again."""
    from .tasks import render_plan_pdf

    try:
        render_plan_pdf.apply_async((version_pk,), retry=False)
    except Exception:  # the broker's connection errors vary by transport
        logger.warning("Could not queue the PDF of plan version %s; it stays pending.", version_pk, exc_info=True)
        return False
    PlanPdf.objects.filter(version_id=version_pk, status=PlanPdf.Status.PENDING).update(queued_at=timezone.now())
    return True


@transaction.atomic
def request_pdf(*, version: PlanVersion, by: User, ground: str) -> PlanPdf:
    """Asks (again) for the PDF of a published version: a failed or lost render is queued anew.
    A ready PDF is frozen and stays as it is."""
    if not version.is_frozen:
        raise ConflictError(_("Only a published version has a PDF."))
    pdf, _created = PlanPdf.objects.select_for_update().get_or_create(
        version=version, defaults={"requested_at": timezone.now()}
    )
    if pdf.status == PlanPdf.Status.READY:
        return pdf
    pdf.status = PlanPdf.Status.PENDING
    pdf.requested_at = timezone.now()
    pdf.queued_at = None
    pdf.taken_by, pdf.taken_at = "", None
    pdf.save(update_fields=["status", "requested_at", "queued_at", "taken_by", "taken_at"])
    transaction.on_commit(lambda: queue_pdf(version.pk))
    _audit(version, by, ground)
    return pdf


def take_pdf(*, version_pk: int, worker: str) -> bool:
    """Notes that ``worker`` (``core.workers.identity``) renders the PDF now; False where
    there is nothing to render: the PDF is ready, or gone."""
    taken = PlanPdf.objects.filter(version_id=version_pk).exclude(status=PlanPdf.Status.READY)
    return taken.update(taken_by=worker, taken_at=timezone.now()) > 0


def release_pdf(*, version_pk: int, taken_by: str) -> bool:
    """Takes a pending render back from a worker that died with it, to be queued anew; only
    while that worker still holds it, so that of two sweeps at once one queues it, and a worker
    that took it meanwhile keeps it."""
    held = PlanPdf.objects.filter(version_id=version_pk, status=PlanPdf.Status.PENDING, taken_by=taken_by)
    return held.update(taken_by="", taken_at=None, queued_at=None) > 0


@transaction.atomic
def store_pdf(*, version_pk: int, content: bytes) -> PlanPdf | None:
    """Stores the rendered PDF with its SHA-256, once: a second render of the same version
    (a retried or duplicated task) leaves the first one in place."""
    pdf = PlanPdf.objects.select_for_update().filter(version_id=version_pk).first()
    if pdf is None or pdf.status == PlanPdf.Status.READY:
        return pdf
    pdf.content = content
    pdf.sha256 = hashlib.sha256(content).hexdigest()
    pdf.size = len(content)
    pdf.status = PlanPdf.Status.READY
    pdf.error = ""
    pdf.attempts += 1
    pdf.rendered_at = timezone.now()
    pdf.save()
    return pdf


@transaction.atomic
def record_pdf_failure(*, version_pk: int, error: str, final: bool) -> None:
    """Counts a failed attempt; the last one marks the PDF failed, shown on the page with a
    button to try again."""
    pdf = PlanPdf.objects.select_for_update().filter(version_id=version_pk).first()
    if pdf is None or pdf.status == PlanPdf.Status.READY:
        return
    pdf.attempts += 1
    pdf.error = error[:2000]
    if final:
        pdf.status = PlanPdf.Status.FAILED
    pdf.save(update_fields=["attempts", "error", "status"])


# Review


def _rating(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in RATINGS


@transaction.atomic
def record_review(
    *,
    version: PlanVersion,
    by: User,
    ground: str,
    held_on: date,
    notes: str = "",
    outcomes: Sequence[Mapping[str, Any]],
) -> PlanReview:
    """Reviews a published version: each goal (by its key) rated 1–5 by the client and by the
    professional, with a comment. Every goal of the version is rated."""
    ensure_open(version.plan.client)
    if not version.is_frozen:
        raise ConflictError(_("Only a published version is reviewed."))
    goals = {goal.key: goal for goal in version.goals.all()}
    errors: list[str] = []
    seen: set[uuid.UUID] = set()
    rows = []
    for n, data in enumerate(outcomes, start=1):
        goal = goals.get(_as_uuid(data.get("goal")))  # type: ignore[arg-type]
        if goal is None or goal.key in seen:
            errors.append(_("Outcome %(n)s: name a goal of this version, once.") % {"n": n})
            continue
        seen.add(goal.key)
        client_rating: Any = data.get("client_rating")
        professional_rating: Any = data.get("professional_rating")
        if not _rating(client_rating) or not _rating(professional_rating):
            errors.append(_("Outcome %(n)s: ratings are whole numbers from 1 to 5.") % {"n": n})
            continue
        rows.append(
            GoalOutcome(
                goal=goal,
                client_rating=int(client_rating),
                professional_rating=int(professional_rating),
                comment=str(data.get("comment") or "").strip(),
            )
        )
    if not errors and seen != set(goals):
        errors.append(_("Rate every goal of the plan."))
    problems: dict[str, Any] = {}
    if errors:
        problems["outcomes"] = errors
    if held_on > timezone.localdate() or held_on < timezone.localtime(version.published_at).date():
        problems["held_on"] = _("The review is held between publishing and today.")
    if problems:
        raise ValidationError(problems)
    review = PlanReview.objects.create(version=version, held_on=held_on, notes=notes.strip(), reviewed_by=by)
    for row in rows:
        row.review = review
    GoalOutcome.objects.bulk_create(rows)
    _audit(version, by, ground)
    return review


# The network's voice in a review


@transaction.atomic
def record_network_review_view(
    *,
    review: PlanReview,
    network_member: NetworkMember,
    words: str,
    ratings: Sequence[Mapping[str, Any]] = (),
    by: User,
    ground: str,
) -> NetworkReviewView:
    """Records what someone in the client's own network thinks of how the plan went, in their
    own words as they told it, with their rating (1–5) of the goals they have a view on (each
    ``{"goal": key, "rating": n}``). Allowed only while the client's consent to share the care
    plan with that person is in force, checked (and the consent locked) now. It stands beside
    the client's and the professional's ratings, which the review itself holds and which it
    never replaces; one view per person and review."""
    version = review.version
    client = version.plan.client
    ensure_open(client)
    errors: dict[str, Any] = {}
    if network_member.client_id != client.pk or network_member.removed_on is not None:
        errors["network_member"] = _("Choose a person of the client's own network.")
    elif NetworkReviewView.objects.filter(review=review, network_member=network_member).exists():
        errors["network_member"] = _("The view of %(name)s is already recorded in this review.") % {
            "name": network_member.name
        }
    consent = None
    if not errors:
        consent = network_services.valid_consent(member=network_member, section=Section.PLAN, lock=True)
        if consent is None:
            errors["network_member"] = _(
                "The client has no consent in force to share the care plan with %(name)s: "
                "their view can be recorded once the client has given it."
            ) % {"name": network_member.name}
    words = words.strip()
    if not words:
        errors["words"] = _("Write the view in the person's own words.")
    rows, problems = _network_ratings(version, ratings)
    if problems:
        errors["ratings"] = problems
    if errors:
        raise ValidationError(errors)
    view = NetworkReviewView(review=review, network_member=network_member, consent=consent, words=words, recorded_by=by)
    view.full_clean(exclude=["review", "network_member", "consent", "recorded_by"], validate_constraints=False)
    view.save()
    for row in rows:
        row.view = view
    NetworkGoalRating.objects.bulk_create(rows)
    _audit(version, by, ground)
    return view


def _network_ratings(
    version: PlanVersion, ratings: Sequence[Mapping[str, Any]]
) -> tuple[list[NetworkGoalRating], list[str]]:
    goals = {goal.key: goal for goal in version.goals.all()}
    rows: list[NetworkGoalRating] = []
    problems: list[str] = []
    seen: set[uuid.UUID] = set()
    for n, data in enumerate(ratings, start=1):
        goal = goals.get(_as_uuid(data.get("goal")))  # type: ignore[arg-type]
        if goal is None or goal.key in seen:
            problems.append(_("Rating %(n)s: name a goal of this version, once.") % {"n": n})
            continue
        seen.add(goal.key)
        if not _rating(data.get("rating")):
            problems.append(_("Rating %(n)s: ratings are whole numbers from 1 to 5.") % {"n": n})
            continue
        rows.append(NetworkGoalRating(goal=goal, rating=int(data["rating"])))
    return rows, problems


# Retention: what the clients app's retention run blanks here.

# A published version, its rows and its ready PDF are frozen by triggers against changes after
# the fact; anonymising past retention is the one change the archive plan asks of them, so it
# alone passes those triggers, inside the retention run's transaction.
_FROZEN_TRIGGERS = (
    "care_plans.PlanVersion:published_is_frozen",
    "care_plans.PlanGoal:frozen_row",
    "care_plans.GoalAction:frozen_row",
    "care_plans.PlanService:frozen_row",
    "care_plans.Disagreement:frozen_row",
    "care_plans.PlanPdf:ready_pdf_is_frozen",
)


def anonymise_clients(client_ids: list[int]) -> None:
    """Blanks the words of the care plans of clients past retention: the wishes, strengths and
    backup plan, the goals in either wording, the actions, the services' amounts and backups,
    both sides of each disagreement, the reviews' notes and outcome comments, and the network
    members' words at reviews. The PDFs are deleted (they carry the name and identity code).
    The goals, services, outcomes, ratings and dates the statistics count stay; so do the
    service and provider names, which name no one."""
    version_ids = list(PlanVersion.objects.filter(plan__client__in=client_ids).values_list("pk", flat=True))
    goals = PlanGoal.objects.filter(version__in=version_ids)
    actions = GoalAction.objects.filter(goal__version__in=version_ids)
    plan_services = PlanService.objects.filter(version__in=version_ids)
    disagreements = Disagreement.objects.filter(version__in=version_ids)
    reviews = PlanReview.objects.filter(version__in=version_ids)
    outcomes = GoalOutcome.objects.filter(review__version__in=version_ids)
    views = NetworkReviewView.objects.filter(review__version__in=version_ids)
    with pgtrigger.ignore(*_FROZEN_TRIGGERS):
        PlanVersion.objects.filter(pk__in=version_ids).update(**dict.fromkeys(TEXT_FIELDS, ""))
        goals.update(client_words="", professional_words="")
        actions.update(text="")
        plan_services.update(amount="", backup="")
        disagreements.update(client_position="", professional_position="", reasons="")
        PlanPdf.objects.filter(version__in=version_ids).delete()
    reviews.update(notes="")
    outcomes.update(comment="")
    views.update(words="")
    drop_history(PlanVersion, version_ids)
    ratings = NetworkGoalRating.objects.filter(view__review__version__in=version_ids)
    for rows in (goals, actions, plan_services, disagreements, reviews, outcomes, views, ratings):
        drop_history(rows.model, rows.values_list("pk", flat=True))
