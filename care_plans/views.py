"""The care plan pages: the client's plan (versions and the draft), one version (the draft's
editor, or a published version with its PDF), the comparison of two versions, and the review.
Thin: parse a form, change the draft document, call a service, render. A stale save (someone
else saved first) answers 409 with both the saved draft and what was submitted."""

from http import HTTPStatus
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy
from access import selectors as access_selectors
from access.decorators import StaffRequest, staff_required
from access.models import Section
from accounts import selectors as account_selectors
from assessments import selectors as assessment_selectors
from core.pages import NOT_SENT, Undone, submit
from networks import selectors as network_selectors
from portal import selectors as portal_selectors

from . import api, selectors, services
from .forms import (
    ActionForm,
    CompareForm,
    DisagreementForm,
    DraftForm,
    GoalForm,
    NetworkReviewViewForm,
    RemoveForm,
    ReviewForm,
    RevisionForm,
    ServiceForm,
)
from .models import PlanVersion

# The client's plan


@staff_required
@require_http_methods(["GET", "POST"])
def client_plan(request: StaffRequest, pk: int) -> HttpResponse:
    """The client's plan: the draft and the published versions; the coordinator starts the plan
    here (a draft proposed from the assessment and the meetings' decisions)."""
    sent = request.method == "POST"
    client = access_selectors.client_for_reading(
        user=request.user,
        pk=pk,
        what="client.care_plan",
        section=Section.PLAN,
        may=policy.Ground.MAY_CHANGE if sent else None,
    )
    outcome = submit(
        lambda: services.start_plan(client=client, by=request.user, ground=client.access_ground), sent=sent
    )
    if outcome.done:
        messages.success(request, _("A draft plan was made from what is known. Go through it with the client."))
        return redirect("plan-version", pk=outcome.result.pk)
    versions = list(selectors.versions_of(client))
    context = {
        "client": client,
        "versions": versions,
        "draft": next((v for v in versions if not v.is_frozen), None),
        "can_start": policy.may_change(client) and not any(not v.is_frozen for v in versions),
        "compare_form": _compare_form(versions, None),
        "conflict": outcome.conflict,
    }
    return render(request, "care_plans/plan_client.html", context, status=outcome.status)


def _compare_form(versions: list[PlanVersion], data: Any) -> CompareForm | None:
    if len(versions) < 2:
        return None
    choices = [(v.pk, f"{v.number} ({v.get_status_display()})") for v in versions]
    return CompareForm(data, choices=choices, initial={"newer": versions[0].pk, "older": versions[1].pk})


# One version


def _page(
    request: StaffRequest,
    version: PlanVersion,
    outcome: Undone = NOT_SENT,
    *,
    bound: dict[str, Any] | None = None,
    submitted: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    """The version's page, after a refused change with its ``conflict`` message (409, a 400
    without a form to show it on) or with the form sent (``bound``) showing its errors."""
    client = version.plan.client
    editing = not version.is_frozen and policy.may_change(client)
    goals = list(version.goals.all())
    services = list(version.services.all())
    context: dict[str, Any] = {
        "client": client,
        "version": version,
        "goals": goals,
        "services": services,
        "disagreements": list(version.disagreements.all()),
        "editing": editing,
        "pdf": selectors.pdf_status(version) if version.is_frozen else None,
        "may_change": policy.may_change(client),
        "conflict": outcome.conflict,
        "submitted": submitted or [],
        "today": timezone.localdate(),
        # What the client wrote in the portal, beside the draft as their own words.
        "portal_views": list(portal_selectors.views_of(client)[:3]) if not version.is_frozen else [],
        # Who the client reaches about the plan: the named worker, and today's substitute.
        "contacts": portal_selectors.worker_contacts(client),
    }
    if editing:
        domains = assessment_selectors.active_life_domains()
        forms = {
            "draft": DraftForm(initial=DraftForm.initial_for(version), prefix="draft"),
            "goal": GoalForm(initial={"revision": version.revision}, prefix="goal", domains=domains),
            "action": ActionForm(
                initial={"revision": version.revision},
                prefix="action",
                goals=goals,
                professionals=account_selectors.professionals(),
                members=network_selectors.network_of(client).prefetch_related(None),
            ),
            "service": ServiceForm(initial={"revision": version.revision}, prefix="service"),
            "disagreement": DisagreementForm(
                initial={"revision": version.revision}, prefix="disagreement", goals=goals, services=services
            ),
        }
        forms.update(bound or {})
        context["forms"] = forms
        context["goal_forms"] = [
            (goal, GoalForm(initial=GoalForm.initial_for(version, goal), prefix=f"goal-{goal.key}", domains=domains))
            for goal in goals
        ]
        context["decisions"] = selectors.decisions_not_in_plan(client)
    return render(request, "care_plans/plan_version.html", context, status=outcome.status)


@staff_required
@require_http_methods(["GET", "POST"])
def plan_version(request: StaffRequest, pk: int) -> HttpResponse:
    """One version. A draft is edited part by part (each form saves the draft from the revision
    the page showed); a published one shows its content, its PDF and its reviews."""
    version = selectors.version_for(
        user=request.user,
        pk=pk,
        what="care_plan_version",
        may=policy.Ground.MAY_CHANGE if request.method == "POST" else None,
    )
    if request.method == "GET":
        return _page(request, version)
    handler = ACTIONS.get(request.POST.get("action", ""))
    if handler is None:
        return _refused(request, version, _("Unknown form."))
    return handler(request, version)


def _refused(request: StaffRequest, version: PlanVersion, message: str) -> HttpResponse:
    """The page again with ``message``, for what was sent wrong without a form to show it on."""
    return _page(request, version, Undone(status=HTTPStatus.BAD_REQUEST, conflict=message))


def _save(
    request: StaffRequest,
    version: PlanVersion,
    form: RevisionForm,
    name: str,
    content: dict[str, Any],
    done: str,
) -> HttpResponse:
    """Saves ``content`` from the form's revision; puts errors on the form (``name`` in the
    page's forms, or none: then they are said as a whole), a stale save as a conflict showing
    what was submitted."""
    outcome = submit(
        lambda: services.save_draft(
            version=version,
            by=request.user,
            ground=version.plan.client.access_ground,
            revision=form.cleaned_data["revision"],
            content=content,
        ),
        form,
    )
    if outcome.done:
        messages.success(request, done)
        return redirect("plan-version", pk=version.pk)
    if outcome.status == HTTPStatus.CONFLICT:
        submitted = [
            (str(form.fields[field].label), str(value))
            for field, value in form.cleaned_data.items()
            if field not in ("revision", "key") and value not in (None, "", [])
        ]
        return _page(request, _fresh(version), outcome, submitted=submitted)
    if not name:
        return _refused(request, version, " ".join(outcome.problems))
    return _page(request, version, outcome, bound={name: form})


def _fresh(version: PlanVersion) -> PlanVersion:
    """The version as saved now, for a page that shows a stale change refused."""
    fresh = selectors.version_with_content(version.pk)
    fresh.plan.client = version.plan.client
    return fresh


def _invalid(request: StaffRequest, version: PlanVersion, name: str, form: RevisionForm) -> HttpResponse:
    return _page(request, version, Undone(status=HTTPStatus.BAD_REQUEST), bound={name: form})


def _save_fields(request: StaffRequest, version: PlanVersion) -> HttpResponse:
    form = DraftForm(request.POST, prefix="draft")
    if not form.is_valid():
        return _invalid(request, version, "draft", form)
    content = {name: value for name, value in form.cleaned_data.items() if name != "revision"}
    return _save(request, version, form, "draft", content, _("The draft was saved."))


def _save_goal(request: StaffRequest, version: PlanVersion) -> HttpResponse:
    prefix = request.POST.get("prefix", "goal")
    if prefix != "goal" and not prefix.startswith("goal-"):
        prefix = "goal"
    form = GoalForm(request.POST, prefix=prefix, domains=assessment_selectors.active_life_domains())
    if not form.is_valid():
        return _invalid(request, version, "goal", form)
    content = selectors.draft_content(version)
    key = form.cleaned_data["key"]
    words = {k: form.cleaned_data[k] for k in ("client_words", "professional_words", "domain")}
    goal = next((g for g in content["goals"] if key and g["key"] == str(key)), None)
    if goal is None:
        content["goals"].append({"key": None, "actions": [], **words})
    else:
        goal.update(words)
    return _save(request, version, form, "goal", {"goals": content["goals"]}, _("The goal was saved."))


def _save_action(request: StaffRequest, version: PlanVersion) -> HttpResponse:
    form = ActionForm(
        request.POST,
        prefix="action",
        goals=list(version.goals.all()),
        professionals=account_selectors.professionals(),
        members=network_selectors.network_of(version.plan.client).prefetch_related(None),
    )
    if not form.is_valid():
        return _invalid(request, version, "action", form)
    content = selectors.draft_content(version)
    data = form.cleaned_data
    goal = next(g for g in content["goals"] if g["key"] == data["goal"])
    goal["actions"].append(
        {
            "text": data["text"],
            "responsible": data["responsible"],
            "professional": data["professional"].pk if data["professional"] else None,
            "network_member": data["network_member"].pk if data["network_member"] else None,
            "due_on": data["due_on"],
            "decision": None,
            "work_measure": data["work_measure"],
        }
    )
    return _save(request, version, form, "action", {"goals": content["goals"]}, _("The action was added."))


def _take_decision(request: StaffRequest, version: PlanVersion) -> HttpResponse:
    """Takes a network-meeting decision into the plan as an action of the chosen goal."""
    form = RevisionForm(request.POST)
    decision = next(
        (d for d in selectors.decisions_not_in_plan(version.plan.client) if str(d.pk) == request.POST.get("decision")),
        None,
    )
    goal_key = request.POST.get("goal", "")
    content = selectors.draft_content(version)
    goal = next((g for g in content["goals"] if g["key"] == goal_key), None)
    if not form.is_valid() or decision is None or goal is None:
        return _refused(request, version, _("Choose a decision and a goal."))
    goal["actions"].append(
        {
            "text": decision.text,
            "responsible": "professional"
            if decision.responsible_professional_id
            else "network_member"
            if decision.responsible_member_id
            else "client",
            "professional": decision.responsible_professional_id,
            "network_member": decision.responsible_member_id,
            "due_on": decision.due_on,
            "decision": decision.pk,
        }
    )
    return _save(request, version, form, "", {"goals": content["goals"]}, _("The decision was taken into the plan."))


def _save_service(request: StaffRequest, version: PlanVersion) -> HttpResponse:
    form = ServiceForm(request.POST, prefix="service")
    if not form.is_valid():
        return _invalid(request, version, "service", form)
    content = selectors.draft_content(version)
    data = form.cleaned_data
    item = {
        "key": None,
        "service": data["service"],
        "provider": data["provider"],
        "amount": data["amount"],
        "slots": form.slot_values(),
        "starts_on": data["starts_on"],
        "backup": data["backup"],
    }
    content["services"].append(item)
    return _save(request, version, form, "service", {"services": content["services"]}, _("The service was added."))


def _save_disagreement(request: StaffRequest, version: PlanVersion) -> HttpResponse:
    form = DisagreementForm(
        request.POST, prefix="disagreement", goals=list(version.goals.all()), services=list(version.services.all())
    )
    if not form.is_valid():
        return _invalid(request, version, "disagreement", form)
    content = selectors.draft_content(version)
    content["disagreements"].append(form.content_item())
    return _save(
        request,
        version,
        form,
        "disagreement",
        {"disagreements": content["disagreements"]},
        _("The disagreement was recorded."),
    )


def _remove(request: StaffRequest, version: PlanVersion) -> HttpResponse:
    """Removes a goal, an action, a service or a disagreement of the draft, by its key."""
    form = RemoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, version, _("Unknown form."))
    key = str(form.cleaned_data["key"])
    content = selectors.draft_content(version)
    goals = [g for g in content["goals"] if g["key"] != key]
    for goal in goals:
        goal["actions"] = [a for a in goal["actions"] if a["key"] != key]
    changed = {
        "goals": goals,
        "services": [s for s in content["services"] if s["key"] != key],
        "disagreements": [d for d in content["disagreements"] if d["key"] != key],
    }
    return _save(request, version, form, "", changed, _("Removed from the draft."))


def _publish(request: StaffRequest, version: PlanVersion) -> HttpResponse:
    form = RevisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, version, _("Unknown form."))
    outcome = submit(
        lambda: services.publish_version(
            version=version,
            by=request.user,
            ground=version.plan.client.access_ground,
            revision=form.cleaned_data["revision"],
        ),
        form,
    )
    if outcome.done:
        messages.success(request, _("The version was published. Its PDF is being prepared."))
        return redirect("plan-version", pk=version.pk)
    if outcome.status == HTTPStatus.CONFLICT:
        return _page(request, _fresh(version), outcome)
    return _refused(request, version, " ".join(outcome.problems))


ACTIONS = {
    "save": _save_fields,
    "goal": _save_goal,
    "action": _save_action,
    "decision": _take_decision,
    "service": _save_service,
    "disagreement": _save_disagreement,
    "remove": _remove,
    "publish": _publish,
}


# The PDF


@staff_required
@require_GET
def plan_pdf_status(request: StaffRequest, pk: int) -> HttpResponse:
    """The PDF's state as a fragment; htmx polls it while the PDF is being prepared."""
    return _pdf_fragment(request, selectors.version_for(user=request.user, pk=pk, what="care_plan_version.pdf"))


def _pdf_fragment(request: StaffRequest, version: PlanVersion) -> HttpResponse:
    context = {
        "version": version,
        "pdf": selectors.pdf_status(version),
        "may_change": policy.may_change(version.plan.client),
    }
    return render(request, "care_plans/_plan_pdf.html", context)


@staff_required
@require_GET
def plan_pdf(request: StaffRequest, pk: int) -> HttpResponse:
    """The ready PDF as a download."""
    return api.pdf_response(selectors.version_for(user=request.user, pk=pk, what="care_plan_version.pdf"), request)


@staff_required
@require_POST
def plan_pdf_render(request: StaffRequest, pk: int) -> HttpResponse:
    """Asks for the PDF again (after a failure, or for a version that never had one)."""
    version = selectors.version_for(
        user=request.user, pk=pk, what="care_plan_version.pdf", may=policy.Ground.MAY_CHANGE
    )
    outcome = submit(
        lambda: services.request_pdf(version=version, by=request.user, ground=version.plan.client.access_ground)
    )
    if not outcome.done:
        return _page(request, version, outcome)
    if request.htmx:
        return _pdf_fragment(request, version)
    return redirect("plan-version", pk=pk)


# Comparison and review


@staff_required
@require_GET
def plan_compare(request: StaffRequest, pk: int) -> HttpResponse:
    """Two versions of the client's plan: what was added, removed or changed."""
    client = access_selectors.client_for_reading(
        user=request.user, pk=pk, what="client.care_plan.compare", section=Section.PLAN
    )
    versions = list(selectors.versions_of(client))
    form = _compare_form(versions, request.GET if "older" in request.GET else None)
    changes, older, newer = [], None, None
    status = HTTPStatus.OK
    if form is not None:
        if form.is_bound and not form.is_valid():
            status = HTTPStatus.BAD_REQUEST
        else:
            values = form.cleaned_data if form.is_bound else form.initial
            older = selectors.version_with_content(int(values["older"]))
            newer = selectors.version_with_content(int(values["newer"]))
            changes = selectors.compare(older, newer)
    context = {"client": client, "form": form, "older": older, "newer": newer, "changes": changes}
    return render(request, "care_plans/plan_compare.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def plan_review(request: StaffRequest, pk: int) -> HttpResponse:
    """Reviews a published version with the client: each goal rated 1–5 by both."""
    sent = request.method == "POST"
    version = selectors.version_for(
        user=request.user,
        pk=pk,
        what="care_plan_version.review",
        may=policy.Ground.MAY_CHANGE if sent else None,
    )
    client = version.plan.client
    goals = list(version.goals.all())
    form = ReviewForm(request.POST or None, goals=goals, initial={"held_on": timezone.localdate()})
    outcome = submit(
        lambda: services.record_review(
            version=version,
            by=request.user,
            ground=client.access_ground,
            held_on=form.cleaned_data["held_on"],
            notes=form.cleaned_data["notes"],
            outcomes=form.outcomes(),
        ),
        form,
        rename={"outcomes": "notes"},
        sent=sent,
    )
    if outcome.done:
        messages.success(request, _("The review was recorded."))
        # On the review's own page, where the views of the client's network are added beside it.
        return redirect("plan-review-detail", pk=outcome.result.pk)
    context = {
        "client": client,
        "version": version,
        "form": form if version.is_frozen and policy.may_change(client) else None,
        "conflict": outcome.conflict or ("" if version.is_frozen else _("Only a published version is reviewed.")),
    }
    return render(request, "care_plans/plan_review.html", context, status=outcome.status)


# The network's voice in a review


@staff_required
@require_http_methods(["GET", "POST"])
def review_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """One review: each goal's rating by the client and the professional, and beside them the
    views of the client's network; the coordinator records a network member's view as the
    person told it."""
    sent = request.method == "POST"
    review = selectors.review_for(
        user=request.user, pk=pk, what="care_plan_review", may=policy.Ground.MAY_CHANGE if sent else None
    )
    version = review.version
    client = version.plan.client
    goals = list(version.goals.all())
    may_record = policy.may_change(client)
    form = NetworkReviewViewForm(
        request.POST if sent else None,
        members=selectors.network_members_for_views(client),
        goals=goals,
        prefix="network",
    )
    outcome = submit(
        lambda: services.record_network_review_view(
            review=review,
            network_member=form.cleaned_data["network_member"],
            words=form.cleaned_data["words"],
            ratings=form.ratings(),
            by=request.user,
            ground=client.access_ground,
        ),
        form,
        sent=sent,
    )
    if outcome.done:
        messages.success(request, _("The view was recorded."))
        return redirect("plan-review-detail", pk=pk)
    context = {
        "client": client,
        "version": version,
        "review": review,
        "voices": selectors.voices_of(review, goals),
        "network_views": list(review.network_views.all()),
        "form": form if may_record else None,
        "conflict": outcome.conflict,
    }
    return render(request, "care_plans/review_detail.html", context, status=outcome.status)
