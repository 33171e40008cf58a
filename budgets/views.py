"""The personal-budget pages. Thin: parse a form, call a selector or a service, render. A
rule broken in a service shows the page again with the form's messages (400); a state that
forbids the change (declined, closed) shows the message (409); read-only grounds get 403."""

import csv
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
from assessments import selectors as assessment_selectors
from core.pages import NOT_SENT, Undone, submit
from core.params import query_pk

from . import selectors, services
from .calculation import propose
from .forms import CalculationForm, DecisionForm, LineForm, OfferForm, ReallocationForm, SpendingForm
from .models import Budget, BudgetLine, Spending
from .money import ZERO


@staff_required
@require_http_methods(["GET", "POST"])
def client_budgets(request: StaffRequest, pk: int) -> HttpResponse:
    """A client's personal budgets; the coordinator offers one here."""
    sent = request.method == "POST"
    client = access_selectors.client_for_reading(
        user=request.user,
        pk=pk,
        what="client.budgets",
        section=Section.BUDGET,
        may=policy.Ground.MAY_CHANGE if sent else None,
    )
    form = OfferForm(request.POST or None, initial={"period_start": timezone.localdate()})
    outcome = submit(
        lambda: services.offer_budget(client=client, by=request.user, ground=client.access_ground, **form.cleaned_data),
        form,
        sent=sent,
    )
    if outcome.done:
        messages.success(request, _("The personal budget was offered to the client."))
        return redirect("budget-detail", pk=outcome.result.pk)
    context = {
        "client": client,
        "budgets": selectors.budgets_of(client),
        "form": form if policy.may_change(client) else None,
        "conflict": outcome.conflict,
    }
    return render(request, "budgets/client_budgets.html", context, status=outcome.status)


def _detail(request: StaffRequest, budget: Budget, outcome: Undone = NOT_SENT, **forms_: Any) -> HttpResponse:
    """The budget's page, after a refused change with its ``conflict`` message (409) or with
    the form sent showing its errors (400)."""
    if outcome.status != HTTPStatus.BAD_REQUEST:
        forms_ = {}
    today = timezone.localdate()
    client = budget.client
    may_change = policy.may_change(client)
    lines = BudgetLine.objects.filter(budget=budget).select_related("service_type")
    context: dict[str, Any] = {
        "client": client,
        "budget": budget,
        "today": today,
        "may_change": may_change,
        "ledger": selectors.ledger(budget, today),
        "chart": selectors.chart(budget, today) if budget.is_accepted else None,
        "spendings": selectors.spendings_of(budget)[:50] if budget.is_accepted else [],
        "reallocations": selectors.reallocations_of(budget) if budget.is_accepted else [],
        "conflict": outcome.conflict,
    }
    if may_change and budget.status == Budget.Status.OFFERED:
        context["decision_form"] = forms_.get("decision_form") or DecisionForm(initial={"decided_on": today})
    if may_change and budget.is_accepted:
        context["spending_form"] = forms_.get("spending_form") or SpendingForm(
            lines=lines, initial={"delivered_on": today}
        )
        context["reallocation_form"] = forms_.get("reallocation_form") or ReallocationForm(lines=lines)
    return render(request, "budgets/budget_detail.html", context, status=outcome.status)


@staff_required
@require_GET
def budget_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """The budget: its state, the ledger per line with the chart and table, spending and
    reallocations, and the forms the coordinator uses."""
    return _detail(request, selectors.budget_for(user=request.user, pk=pk, what="budget"))


@staff_required
@require_POST
def budget_decision(request: StaffRequest, pk: int) -> HttpResponse:
    budget = selectors.budget_for(user=request.user, pk=pk, what="budget.decision", may=policy.Ground.MAY_CHANGE)
    form = DecisionForm(request.POST)
    outcome = submit(
        lambda: services.decide_budget(
            budget=budget,
            accepted=form.cleaned_data["decision"] == "accept",
            decided_on=form.cleaned_data["decided_on"],
            decline_reason=form.cleaned_data["decline_reason"],
            by=request.user,
            ground=budget.client.access_ground,
        ),
        form,
    )
    if not outcome.done:
        return _detail(request, budget, outcome, decision_form=form)
    messages.success(request, _("The client's answer was recorded."))
    if form.cleaned_data["decision"] == "accept":
        return redirect("budget-calculation", pk=budget.pk)
    return redirect("budget-detail", pk=budget.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def budget_calculation(request: StaffRequest, pk: int) -> HttpResponse:
    """The amount proposed from the assessment, line by line; the coordinator may adjust
    each allocation, with a written reason."""
    sent = request.method == "POST"
    budget = selectors.budget_for(
        user=request.user, pk=pk, what="budget.calculation", may=policy.Ground.MAY_CHANGE if sent else None
    )
    client = budget.client
    assessments = assessment_selectors.completed_assessments_of(client)
    chosen = assessments.filter(pk=query_pk(request, "assessment") or 0).first() or assessments.first()
    proposal = propose(chosen, budget.period_start, budget.period_end) if chosen else None
    types = list(selectors.service_types())
    initial: dict[str, Any] = {"assessment": chosen, "client_wishes": budget.client_wishes}
    for line in proposal.lines if proposal else []:
        initial[f"allocation_{line.service_type.code}"] = line.amount
    form = CalculationForm(request.POST or None, assessments=assessments, service_types=types, initial=initial)
    outcome = submit(
        lambda: services.calculate_budget(
            budget=budget,
            by=request.user,
            ground=client.access_ground,
            assessment=form.cleaned_data["assessment"],
            allocations=form.allocations(),
            reason=form.cleaned_data["reason"],
            client_wishes=form.cleaned_data["client_wishes"],
        ),
        form,
        sent=sent,
    )
    if outcome.done:
        messages.success(request, _("The budget was calculated and split into service lines."))
        return redirect("budget-detail", pk=budget.pk)
    context = {
        "client": client,
        "budget": budget,
        "proposal": proposal,
        "assessment": chosen,
        "form": form if policy.may_change(client) and budget.is_accepted else None,
        "conflict": outcome.conflict,
    }
    return render(request, "budgets/calculation.html", context, status=outcome.status)


@staff_required
@require_http_methods(["GET", "POST"])
def budget_line_provider(request: StaffRequest, pk: int) -> HttpResponse:
    """One line's own form, apart from the ledger: the client's choice of provider and the care
    plan's services it pays for."""
    sent = request.method == "POST"
    line = selectors.line_for(user=request.user, pk=pk, what="budget.provider", may=policy.Ground.MAY_CHANGE)
    budget = line.budget
    form = LineForm(request.POST if sent else None, line=line, plan_services=selectors.plan_services_for(budget.client))
    ground = budget.client.access_ground

    def save() -> None:
        services.choose_provider(line=line, provider=form.cleaned_data["provider"], by=request.user, ground=ground)
        if "plan_services" in form.fields:
            services.link_plan_services(
                line=line, plan_services=list(form.cleaned_data["plan_services"]), by=request.user, ground=ground
            )

    outcome = submit(save, form, sent=sent)
    if outcome.done:
        messages.success(request, _("The line was saved."))
        return redirect("budget-detail", pk=budget.pk)
    context = {"client": budget.client, "budget": budget, "line": line, "form": form, "conflict": outcome.conflict}
    return render(request, "budgets/line_edit.html", context, status=outcome.status)


@staff_required
@require_POST
def budget_spending(request: StaffRequest, pk: int) -> HttpResponse:
    """Records an invoice or a delivered service against a line of the budget."""
    budget = selectors.budget_for(user=request.user, pk=pk, what="budget.spending", may=policy.Ground.MAY_CHANGE)
    form = SpendingForm(request.POST, lines=BudgetLine.objects.filter(budget=budget).select_related("service_type"))

    def record() -> Spending:
        data = form.cleaned_data
        return services.record_spending(
            line=data["line"],
            provider=data["provider"],
            kind=data["kind"],
            amount=data["amount"],
            units=data["units"] or ZERO,
            delivered_on=data["delivered_on"],
            reference=data["reference"],
            by=request.user,
            ground=budget.client.access_ground,
        )

    outcome = submit(record, form)
    if not outcome.done:
        return _detail(request, budget, outcome, spending_form=form)
    messages.success(request, _("The spending was recorded."))
    return redirect("budget-detail", pk=budget.pk)


@staff_required
@require_POST
def budget_reallocation(request: StaffRequest, pk: int) -> HttpResponse:
    """Moves money between lines, or increases the budget, with a reason for the client."""
    budget = selectors.budget_for(user=request.user, pk=pk, what="budget.reallocation", may=policy.Ground.MAY_CHANGE)
    form = ReallocationForm(request.POST, lines=BudgetLine.objects.filter(budget=budget).select_related("service_type"))
    outcome = submit(
        lambda: services.reallocate(
            budget=budget, by=request.user, ground=budget.client.access_ground, **form.cleaned_data
        ),
        form,
    )
    if not outcome.done:
        return _detail(request, budget, outcome, reallocation_form=form)
    messages.success(request, _("The money was moved."))
    return redirect("budget-detail", pk=budget.pk)


@staff_required
@require_GET
def budget_ledger_csv(request: StaffRequest, pk: int) -> HttpResponse:
    """The ledger per line and every spending, as CSV (semicolons and decimal points, which
    spreadsheets in Finnish locales read as text-safe columns)."""
    budget = selectors.budget_for(user=request.user, pk=pk, what="budget.ledger.csv")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="budget-{budget.pk}-ledger.csv"'
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Service"), _("Allocated"), _("Spent"), _("Committed"), _("Left"), _("Used %")])
    ledger = selectors.ledger(budget, timezone.localdate())
    for row in ledger.lines:
        writer.writerow(
            [row.line.service_type.name, row.allocated, row.spent, row.committed, row.left, row.used_percent]
        )
    writer.writerow([])
    writer.writerow([_("Date"), _("Service"), _("Provider"), _("Kind"), _("Amount"), _("Units"), _("Reference")])
    kinds = dict(Spending.Kind.choices)
    for day, service, provider, kind, amount, units, reference in selectors.spending_rows(budget):
        writer.writerow([day.isoformat(), service, provider, kinds.get(kind, kind), amount, units, reference])
    return response
