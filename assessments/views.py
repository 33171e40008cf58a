"""The needs-assessment pages. Thin: parse a form, call a selector or a service, render. A
rule broken in a service (ValidationError) shows the form again with its messages (400); a
state that forbids the change (a completed assessment, a closed client) shows the message
(409); a user who may read but not change gets 403."""

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy
from access import selectors as access_selectors
from access.decorators import StaffRequest, staff_required
from access.models import Section
from accounts import selectors as account_selectors
from clients import selectors as client_selectors
from core.fields import max_length_of
from core.pages import NOT_SENT, Undone, submit
from core.params import query_text
from networks import selectors as network_selectors

from . import selectors, services
from .forms import AssessmentForm, CompareForm, ConclusionForm, NeedForm, NetworkViewForm, StartForm
from .models import Assessment, DomainNeed, LifeDomain


def _may_change(assessment: Assessment) -> bool:
    return policy.may_change(assessment.client) and not assessment.is_frozen


# A client's assessments


@staff_required
@require_http_methods(["GET", "POST"])
def client_assessments(request: StaffRequest, pk: int) -> HttpResponse:
    """A client's assessments, latest first; the coordinator starts a new one here."""
    sent = request.method == "POST"
    client = access_selectors.client_for_reading(
        user=request.user,
        pk=pk,
        what="client.assessments",
        section=Section.ASSESSMENT,
        may=policy.Ground.MAY_CHANGE if sent else None,
    )
    can_start = policy.may_change(client)
    form = StartForm(request.POST or None, initial={"started_on": timezone.localdate()})
    outcome = submit(
        lambda: services.start_assessment(
            client=client, by=request.user, ground=client.access_ground, **form.cleaned_data
        ),
        form,
        sent=sent,
    )
    if outcome.done:
        messages.success(request, _("The assessment was started."))
        return redirect("assessment-detail", pk=outcome.result.pk)
    assessments = list(selectors.assessments_of(client))
    context = {
        "client": client,
        "assessments": assessments,
        "form": form if can_start else None,
        "conflict": outcome.conflict,
        "compare_form": _compare_form(assessments, None),
        "continuity": client_selectors.continuity_of(client),
        "today": timezone.localdate(),
    }
    return render(request, "assessments/client_assessments.html", context, status=outcome.status)


def _compare_form(assessments: list[Assessment], data: Mapping[str, Any] | None) -> CompareForm | None:
    if len(assessments) < 2:
        return None
    choices = [(a.pk, f"{date_format(a.started_on)} ({a.get_status_display()})") for a in assessments]
    return CompareForm(data, choices=choices, initial={"newer": assessments[0].pk, "older": assessments[1].pk})


# One assessment


def _domain_form(assessment: Assessment, domain: LifeDomain, need: DomainNeed | None, data: Any = None) -> NeedForm:
    config = selectors.configuration()
    return NeedForm(
        data,
        need_levels=config["need_levels"],
        icf_levels=config["icf_levels"],
        members=list(network_selectors.network_of(assessment.client).prefetch_related(None)),
        own_levels=config["own_levels"].get(domain.own_scale, []),
        initial=NeedForm.initial_for(need),
        prefix=f"need-{domain.code}",
    )


def _domain_rows(assessment: Assessment, editing: str = "", bound: NeedForm | None = None) -> list[dict[str, Any]]:
    """Every life domain in use for the client's age with the assessment's need in it (if any),
    and the form of the one being edited."""
    needs = {need.domain_id: need for need in assessment.needs.all()}
    config = selectors.configuration()
    need_names = {level.value: level.name for level in config["need_levels"]}
    icf_names = {level.value: level.name for level in config["icf_levels"]}
    rows = []
    for domain in selectors.domains_for(assessment, config["domains"]):
        need = needs.get(domain.pk)
        row: dict[str, Any] = {"domain": domain, "need": need}
        if need is not None:
            row["level_name"] = need_names.get(need.level, "")
            row["icf_name"] = icf_names.get(need.icf_qualifier or 0, "")
            own_names = {level.value: level.name for level in config["own_levels"].get(domain.own_scale, [])}
            row["own_name"] = own_names.get(need.own_level, "") if need.own_level is not None else ""
        if domain.code == editing:
            row["form"] = bound or _domain_form(assessment, domain, need)
        rows.append(row)
    return rows


def _detail_page(
    request: StaffRequest,
    assessment: Assessment,
    outcome: Undone = NOT_SENT,
    *,
    form: AssessmentForm | None = None,
    editing: str = "",
    need_form: NeedForm | None = None,
    complete_errors: Sequence[str] = (),
    conclusion_form: ConclusionForm | None = None,
    network_form: NetworkViewForm | None = None,
) -> HttpResponse:
    """The assessment's page, after a refused change with its ``conflict`` message (409) or
    with the form sent showing its errors (400)."""
    can_change = _may_change(assessment)
    may_conclude = policy.may_conclude(assessment.client) and not assessment.is_frozen
    if may_conclude and conclusion_form is None:
        own = selectors.own_conclusion(assessment, request.user)
        conclusion_form = ConclusionForm(initial={"text": own.text if own else ""})
    if can_change and form is None:
        form = AssessmentForm(
            members=network_selectors.network_of(assessment.client).prefetch_related(None),
            professionals=account_selectors.professionals(),
            initial=AssessmentForm.initial_for(assessment),
        )
    context = {
        "client": assessment.client,
        "assessment": assessment,
        "grid": selectors.week_grid(assessment),
        "rows": _domain_rows(assessment, editing if can_change else "", need_form),
        "can_change": can_change,
        "form": form if can_change else None,
        "conflict": outcome.conflict,
        "complete_errors": complete_errors,
        "today": timezone.localdate(),
        "conclusions": selectors.conclusions_of(assessment),
        "conclusion_form": conclusion_form if may_conclude else None,
        # The network's voice: their views beside the client's and the professional's.
        "network_views": list(selectors.network_views_of(assessment)),
        "network_form": (network_form or _network_form(assessment)) if can_change else None,
    }
    return render(request, "assessments/assessment_detail.html", context, status=outcome.status)


def _network_form(assessment: Assessment, data: Any = None) -> NetworkViewForm:
    return NetworkViewForm(data, members=selectors.network_members_for_views(assessment.client), prefix="network")


def _save_network_view(request: StaffRequest, assessment: Assessment) -> HttpResponse:
    """Records a network member's view, as the coordinator heard it."""
    form = _network_form(assessment, request.POST)
    outcome = submit(
        lambda: services.record_network_view(
            assessment=assessment,
            by=request.user,
            ground=assessment.client.access_ground,
            **form.cleaned_data,
        ),
        form,
    )
    if outcome.done:
        messages.success(request, _("The view was recorded."))
        return redirect(f"{reverse('assessment-detail', args=[assessment.pk])}#network-views-heading")
    return _detail_page(request, assessment, outcome, network_form=form)


@staff_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """One assessment: who took part and the statutory fields, the life domains, the week
    grid. ``?edit=<domain>`` opens a domain's form without script; with htmx the form opens
    in place."""
    assessment = selectors.assessment_for(
        user=request.user,
        pk=pk,
        what="assessment",
        may=policy.Ground.MAY_CHANGE if request.method == "POST" else None,
    )
    if request.method == "GET":
        return _detail_page(
            request, assessment, editing=query_text(request, "edit", max_length=max_length_of(LifeDomain, "code"))
        )
    action = request.POST.get("action", "")
    if action == "save":
        return _save(request, assessment)
    if action == "complete":
        return _complete(request, assessment)
    if action == "network_view":
        return _save_network_view(request, assessment)
    return _detail_page(request, assessment, Undone(status=HTTPStatus.BAD_REQUEST, conflict=_("Unknown form.")))


def _save(request: StaffRequest, assessment: Assessment) -> HttpResponse:
    form = AssessmentForm(
        request.POST,
        members=network_selectors.network_of(assessment.client).prefetch_related(None),
        professionals=account_selectors.professionals(),
    )
    outcome = submit(
        lambda: services.update_assessment(
            assessment=assessment,
            by=request.user,
            ground=assessment.client.access_ground,
            fields=form.fields_for_service(),
            relatives=list(form.cleaned_data["relatives"]),
            professionals=list(form.cleaned_data["professionals"]),
        ),
        form,
        rename={"rai_scores": "rai_instrument"},
    )
    if outcome.done:
        messages.success(request, _("The assessment was saved."))
        return redirect("assessment-detail", pk=assessment.pk)
    if outcome.status == HTTPStatus.CONFLICT:
        return _detail_page(request, assessment, outcome)
    return _detail_page(request, assessment, outcome, form=form)


def _complete(request: StaffRequest, assessment: Assessment) -> HttpResponse:
    outcome = submit(
        lambda: services.complete_assessment(
            assessment=assessment, by=request.user, ground=assessment.client.access_ground
        )
    )
    if outcome.done:
        messages.success(request, _("The assessment was completed. It can no longer be changed."))
        return redirect("assessment-detail", pk=assessment.pk)
    return _detail_page(request, assessment, outcome, complete_errors=outcome.problems)


@staff_required
@require_POST
def assessment_conclusion(request: StaffRequest, pk: int) -> HttpResponse:
    """Saves the signed-in professional's own conclusion (a care-team member's too: the
    employment specialist of a work-ability team), shown beside the others' on the page."""
    assessment = selectors.assessment_for(
        user=request.user, pk=pk, what="assessment.conclusion", may=policy.Ground.MAY_CONCLUDE
    )
    form = ConclusionForm(request.POST)
    outcome = submit(
        lambda: services.record_conclusion(
            assessment=assessment,
            by=request.user,
            ground=assessment.client.access_ground,
            text=form.cleaned_data["text"],
        ),
        form,
    )
    if outcome.done:
        messages.success(request, _("Your conclusion was saved."))
        return redirect(f"{reverse('assessment-detail', args=[pk])}#conclusions-heading")
    if outcome.status == HTTPStatus.CONFLICT:
        return _detail_page(request, assessment, outcome)
    return _detail_page(request, assessment, outcome, conclusion_form=form)


@staff_required
@require_http_methods(["GET", "POST"])
def assessment_need(request: StaffRequest, pk: int, domain: str) -> HttpResponse:
    """One life domain of an assessment. With htmx, GET gives its form (or, with ``?view``,
    its summary) in place and POST answers with the saved summary and the refreshed week
    grid; without script, POST goes back to the page."""
    assessment = selectors.assessment_for(
        user=request.user,
        pk=pk,
        what="assessment.need",
        may=policy.Ground.MAY_CHANGE if request.method == "POST" else None,
    )
    life_domain = get_object_or_404(LifeDomain, code=domain, active=True)
    need = next((n for n in assessment.needs.all() if n.domain_id == life_domain.pk), None)
    if request.method == "GET":
        if not request.htmx:
            return redirect(f"{reverse('assessment-detail', args=[pk])}?edit={domain}#domain-{domain}")
        editing = "" if "view" in request.GET or not _may_change(assessment) else domain
        return _domain_fragment(request, assessment, life_domain, editing=editing)
    form = _domain_form(assessment, life_domain, need, request.POST)
    outcome = submit(
        lambda: services.set_need(
            assessment=assessment,
            domain=life_domain,
            by=request.user,
            ground=assessment.client.access_ground,
            **form.need_fields(),
        ),
        form,
        rename={"slots": "service"},
    )
    if outcome.done and not request.htmx:
        messages.success(request, _("The life domain was saved."))
        return redirect(f"{reverse('assessment-detail', args=[pk])}#domain-{domain}")
    if outcome.done:
        fresh = selectors.assessment_with_needs(pk)
        fresh.client = assessment.client
        return _domain_fragment(request, fresh, life_domain, saved=True)
    if outcome.status == HTTPStatus.CONFLICT and request.htmx:
        return _domain_fragment(request, assessment, life_domain, conflict=outcome.conflict, status=outcome.status)
    if outcome.status == HTTPStatus.CONFLICT:
        return _detail_page(request, assessment, outcome)
    if request.htmx:
        return _domain_fragment(request, assessment, life_domain, editing=domain, form=form, status=outcome.status)
    return _detail_page(request, assessment, outcome, editing=domain, need_form=form)


def _domain_fragment(
    request: StaffRequest,
    assessment: Assessment,
    domain: LifeDomain,
    *,
    editing: str = "",
    form: NeedForm | None = None,
    saved: bool = False,
    conflict: str = "",
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    row = next(r for r in _domain_rows(assessment, editing, form) if r["domain"].pk == domain.pk)
    context = {
        "client": assessment.client,
        "assessment": assessment,
        "row": row,
        "can_change": _may_change(assessment),
        "grid": selectors.week_grid(assessment),
        "refresh_grid": saved,
        "conflict": conflict,
    }
    return render(request, "assessments/_domain.html", context, status=status)


# Comparison


@staff_required
@require_GET
def assessment_compare(request: StaffRequest, pk: int) -> HttpResponse:
    """Two of a client's assessments side by side, domain by domain: which got better or worse."""
    client = access_selectors.client_for_reading(
        user=request.user, pk=pk, what="client.assessments.compare", section=Section.ASSESSMENT
    )
    assessments = list(selectors.assessments_of(client))
    form = _compare_form(assessments, request.GET if "older" in request.GET else None)
    changes, older, newer = [], None, None
    status = HTTPStatus.OK
    if form is not None:
        if form.is_bound and not form.is_valid():
            status = HTTPStatus.BAD_REQUEST
        else:
            by_pk = {a.pk: a for a in assessments}
            values = form.cleaned_data if form.is_bound else form.initial
            older, newer = by_pk[int(values["older"])], by_pk[int(values["newer"])]
            changes = selectors.compare(older, newer)
    context = {
        "client": client,
        "form": form,
        "older": older,
        "newer": newer,
        "changes": changes,
        "counts": {d: sum(c.direction == d for c in changes) for d in selectors.CHANGE_DIRECTIONS},
    }
    return render(request, "assessments/compare.html", context, status=status)
