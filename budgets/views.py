"""The personal-budget pages. Thin: parse a form, call a selector or a service, render. A
rule broken in a service shows the page again with the form's messages (400); a state that
forbids the change (declined, closed) shows the message (409); read-only grounds get 403."""

import csv
from http import HTTPStatus
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy
from access.decorators import StaffRequest, staff_required
from access.models import Section
from assessments.models import Assessment
from clients import selectors as client_selectors
from clients.models import Client
from core.errors import ConflictError
from core.pages import add_errors

from . import selectors, services
from .calculation import propose
from .forms import CalculationForm, DecisionForm, LineForm, OfferForm, ReallocationForm, SpendingForm
from .models import Budget, BudgetLine, Spending
from .money import ZERO


def _client(request: StaffRequest, pk: int, what: str) -> Client:
    client = client_selectors.client_for_reading(user=request.user, pk=pk, what=what)
    policy.require_section(request.user, client, Section.BUDGET)
    return client


def _budget(request: StaffRequest, pk: int, what: str) -> Budget:
    """The budget with its lines, opened through its client: authorised and logged."""
    client_pk = get_object_or_404(Budget.objects.only("client_id"), pk=pk).client_id
    client = _client(request, client_pk, what)
    budget = selectors.budget_with_lines(pk)
    budget.client = client
    return budget


@staff_required
@require_http_methods(["GET", "POST"])
def client_budgets(request: StaffRequest, pk: int) -> HttpResponse:
    """A client's personal budgets; the coordinator offers one here."""
    client = _client(request, pk, "client.budgets")
    form = OfferForm(request.POST or None, initial={"period_start": timezone.localdate()})
    status, conflict = HTTPStatus.OK, ""
    if request.method == "POST":
        policy.authorise(client, policy.Ground.MAY_CHANGE)
        status = HTTPStatus.BAD_REQUEST
        if form.is_valid():
            try:
                budget = services.offer_budget(
                    client=client, by=request.user, ground=client.access_ground, **form.cleaned_data
                )
            except ConflictError as error:
                status, conflict = HTTPStatus.CONFLICT, error.message
            except ValidationError as error:
                add_errors(error, form)
            else:
                messages.success(request, _("The personal budget was offered to the client."))
                return redirect("budget-detail", pk=budget.pk)
    context = {
        "client": client,
        "budgets": selectors.budgets_of(client),
        "form": form if policy.may_change(client) else None,
        "conflict": conflict,
    }
    return render(request, "budgets/client_budgets.html", context, status=status)


def _detail(request: StaffRequest, budget: Budget, status: int = HTTPStatus.OK, **forms_: Any) -> HttpResponse:
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
        "conflict": forms_.pop("conflict", ""),
    }
    provider_forms: dict[int, LineForm] = {}
    plan_services = selectors.plan_services_for(client)
    if may_change and budget.status == Budget.Status.OFFERED:
        context["decision_form"] = forms_.get("decision_form") or DecisionForm(initial={"decided_on": today})
    if may_change and budget.is_accepted:
        given = forms_.get("provider_forms", {})
        provider_forms = {
            line.pk: given.get(line.pk) or LineForm(line=line, plan_services=plan_services)
            for line in budget.lines.all()
        }
        context["spending_form"] = forms_.get("spending_form") or SpendingForm(
            lines=lines, initial={"delivered_on": today}
        )
        context["reallocation_form"] = forms_.get("reallocation_form") or ReallocationForm(lines=lines)
    context["ledger_rows"] = [(row, provider_forms.get(row.line.pk)) for row in context["ledger"].lines]
    return render(request, "budgets/budget_detail.html", context, status=status)


@staff_required
@require_GET
def budget_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """The budget: its state, the ledger per line with the chart and table, spending and
    reallocations, and the forms the coordinator uses."""
    return _detail(request, _budget(request, pk, "budget"))


def _changing(request: StaffRequest, pk: int, what: str) -> Budget:
    budget = _budget(request, pk, what)
    policy.authorise(budget.client, policy.Ground.MAY_CHANGE)
    return budget


@staff_required
@require_POST
def budget_decision(request: StaffRequest, pk: int) -> HttpResponse:
    budget = _changing(request, pk, "budget.decision")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, budget, HTTPStatus.BAD_REQUEST, decision_form=form)
    data = form.cleaned_data
    try:
        services.decide_budget(
            budget=budget,
            accepted=data["decision"] == "accept",
            decided_on=data["decided_on"],
            decline_reason=data["decline_reason"],
            by=request.user,
            ground=budget.client.access_ground,
        )
    except ConflictError as error:
        return _detail(request, budget, HTTPStatus.CONFLICT, conflict=error.message)
    except ValidationError as error:
        add_errors(error, form)
        return _detail(request, budget, HTTPStatus.BAD_REQUEST, decision_form=form)
    messages.success(request, _("The client's answer was recorded."))
    if data["decision"] == "accept":
        return redirect("budget-calculation", pk=budget.pk)
    return redirect("budget-detail", pk=budget.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def budget_calculation(request: StaffRequest, pk: int) -> HttpResponse:
    """The amount proposed from the assessment, line by line; the coordinator may adjust
    each allocation, with a written reason."""
    budget = _budget(request, pk, "budget.calculation")
    client = budget.client
    assessments = Assessment.objects.filter(client=client, status=Assessment.Status.COMPLETED).order_by(
        "-completed_on", "-pk"
    )
    chosen = assessments.filter(pk=request.GET.get("assessment") or 0).first() or assessments.first()
    proposal = propose(chosen, budget.period_start, budget.period_end) if chosen else None
    types = list(selectors.service_types())
    initial: dict[str, Any] = {"assessment": chosen, "client_wishes": budget.client_wishes}
    for line in proposal.lines if proposal else []:
        initial[f"allocation_{line.service_type.code}"] = line.amount
    form = CalculationForm(request.POST or None, assessments=assessments, service_types=types, initial=initial)
    status, conflict = HTTPStatus.OK, ""
    if request.method == "POST":
        policy.authorise(client, policy.Ground.MAY_CHANGE)
        status = HTTPStatus.BAD_REQUEST
        if form.is_valid():
            try:
                services.calculate_budget(
                    budget=budget,
                    by=request.user,
                    ground=client.access_ground,
                    assessment=form.cleaned_data["assessment"],
                    allocations=form.allocations(),
                    reason=form.cleaned_data["reason"],
                    client_wishes=form.cleaned_data["client_wishes"],
                )
            except ConflictError as error:
                status, conflict = HTTPStatus.CONFLICT, error.message
            except ValidationError as error:
                add_errors(error, form)
            else:
                messages.success(request, _("The budget was calculated and split into service lines."))
                return redirect("budget-detail", pk=budget.pk)
    context = {
        "client": client,
        "budget": budget,
        "proposal": proposal,
        "assessment": chosen,
        "form": form if policy.may_change(client) and budget.is_accepted else None,
        "conflict": conflict,
    }
    return render(request, "budgets/calculation.html", context, status=status)


@staff_required
@require_POST
def budget_line_provider(request: StaffRequest, pk: int) -> HttpResponse:
    """The client's choice of provider for one line, and the care plan's services it pays for."""
    budget_pk = get_object_or_404(BudgetLine.objects.only("budget_id"), pk=pk).budget_id
    budget = _changing(request, budget_pk, "budget.provider")
    line = next(line for line in budget.lines.all() if line.pk == pk)
    line.budget = budget
    form = LineForm(request.POST, line=line, plan_services=selectors.plan_services_for(budget.client))
    if not form.is_valid():
        return _detail(request, budget, HTTPStatus.BAD_REQUEST, provider_forms={pk: form})
    ground = budget.client.access_ground
    try:
        services.choose_provider(line=line, provider=form.cleaned_data["provider"], by=request.user, ground=ground)
        if "plan_services" in form.fields:
            services.link_plan_services(
                line=line, plan_services=list(form.cleaned_data["plan_services"]), by=request.user, ground=ground
            )
    except ConflictError as error:
        return _detail(request, budget, HTTPStatus.CONFLICT, conflict=error.message)
    except ValidationError as error:
        add_errors(error, form)
        return _detail(request, budget, HTTPStatus.BAD_REQUEST, provider_forms={pk: form})
    messages.success(request, _("The line was saved."))
    return redirect("budget-detail", pk=budget.pk)


@staff_required
@require_POST
def budget_spending(request: StaffRequest, pk: int) -> HttpResponse:
    """Records an invoice or a delivered service against a line of the budget."""
    budget = _changing(request, pk, "budget.spending")
    form = SpendingForm(request.POST, lines=BudgetLine.objects.filter(budget=budget).select_related("service_type"))
    if not form.is_valid():
        return _detail(request, budget, HTTPStatus.BAD_REQUEST, spending_form=form)
    data = form.cleaned_data
    try:
        services.record_spending(
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
    except ConflictError as error:
        return _detail(request, budget, HTTPStatus.CONFLICT, conflict=error.message)
    except ValidationError as error:
        add_errors(error, form)
        return _detail(request, budget, HTTPStatus.BAD_REQUEST, spending_form=form)
    messages.success(request, _("The spending was recorded."))
    return redirect("budget-detail", pk=budget.pk)


@staff_required
@require_POST
def budget_reallocation(request: StaffRequest, pk: int) -> HttpResponse:
    """Moves money between lines, or increases the budget, with a reason for the client."""
    budget = _changing(request, pk, "budget.reallocation")
    form = ReallocationForm(request.POST, lines=BudgetLine.objects.filter(budget=budget).select_related("service_type"))
    if not form.is_valid():
        return _detail(request, budget, HTTPStatus.BAD_REQUEST, reallocation_form=form)
    try:
        services.reallocate(budget=budget, by=request.user, ground=budget.client.access_ground, **form.cleaned_data)
    except ConflictError as error:
        return _detail(request, budget, HTTPStatus.CONFLICT, conflict=error.message)
    except ValidationError as error:
        add_errors(error, form)
        return _detail(request, budget, HTTPStatus.BAD_REQUEST, reallocation_form=form)
    messages.success(request, _("The money was moved."))
    return redirect("budget-detail", pk=budget.pk)


@staff_required
@require_GET
def budget_ledger_csv(request: StaffRequest, pk: int) -> HttpResponse:
    """The ledger per line and every spending, as CSV (semicolons and decimal points, which
    spreadsheets in Finnish locales read as text-safe columns)."""
    budget = _budget(request, pk, "budget.ledger.csv")
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
