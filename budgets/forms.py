"""Forms of the budget pages: input parsing only; the rules are in ``budgets.services``."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment
from care_plans.models import PlanService
from core.fields import max_length_of
from core.forms import date_input

from .models import Budget, BudgetLine, Provider, Reallocation, ServiceType, Spending


class LineChoiceField(forms.ModelChoiceField[BudgetLine]):
    def label_from_instance(self, obj: BudgetLine) -> str:
        return obj.service_type.name


class AssessmentChoiceField(forms.ModelChoiceField[Assessment]):
    def label_from_instance(self, obj: Assessment) -> str:
        day = obj.completed_on or obj.started_on
        return str(_("Completed on %(date)s") % {"date": day.strftime("%d.%m.%Y")})


class OfferForm(forms.Form):
    period_start = forms.DateField(label=_("Period starts"), widget=date_input())


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("The client's answer"),
        choices=[("accept", _("Accepts the personal budget")), ("decline", _("Declines: ordinary services continue"))],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Date of the answer"), widget=date_input())
    decline_reason = forms.CharField(
        label=_("Reason for declining, if the client gave one"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length_of(Budget, "decline_reason"),
    )


class CalculationForm(forms.Form):
    assessment = AssessmentChoiceField(label=_("Needs assessment"), queryset=Assessment.objects.none())
    client_wishes = forms.CharField(
        label=_("The client's wishes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=max_length_of(Budget, "client_wishes"),
    )
    reason = forms.CharField(
        label=_("Reason for adjusting the calculation"),
        required=False,
        help_text=_("Needed when an allocation differs from the calculation."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length_of(Budget, "adjustment_reason"),
    )

    def __init__(self, *args: Any, assessments: Any, service_types: list[ServiceType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assessment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = assessments
        for service_type in service_types:
            self.fields[f"allocation_{service_type.code}"] = forms.DecimalField(
                label=_("%(service)s (€)") % {"service": service_type.name},
                min_value=Decimal(0),
                required=False,
                max_digits=12,
                decimal_places=2,
            )

    def allocations(self) -> dict[str, Decimal]:
        return {
            name.removeprefix("allocation_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("allocation_") and value is not None
        }


class PlanServiceChoiceField(forms.ModelMultipleChoiceField[PlanService]):
    def label_from_instance(self, obj: PlanService) -> str:
        return " – ".join(part for part in (obj.service, obj.provider, obj.amount) if part)


class LineForm(forms.Form):
    """The client's choice of provider for a line, and the plan's services the line pays for."""

    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Provider.objects.none(), required=False)
    plan_services = PlanServiceChoiceField(
        label=_("Services of the care plan it pays for"),
        queryset=PlanService.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data: Any = None, *, line: BudgetLine, plan_services: Any) -> None:
        initial = {"provider": line.provider_id, "plan_services": [service.pk for service in line.plan_services.all()]}
        super().__init__(data, prefix=f"line-{line.pk}", initial=initial)
        field = self.fields["provider"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Provider.objects.filter(active=True, service_types=line.service_type_id)
        field.empty_label = str(_("Not chosen yet"))
        field.label = _("Provider for %(service)s") % {"service": line.service_type.name}
        services = self.fields["plan_services"]
        assert isinstance(services, forms.ModelMultipleChoiceField)
        services.queryset = plan_services
        if not plan_services:
            del self.fields["plan_services"]


class SpendingForm(forms.Form):
    line = LineChoiceField(label=_("Service line"), queryset=BudgetLine.objects.none())
    provider = forms.ModelChoiceField(
        label=_("Provider (the money goes to)"),
        queryset=Provider.objects.filter(active=True),
        required=False,
        empty_label=_("The provider the client chose"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Spending.Kind.choices)
    amount = forms.DecimalField(label=_("Amount (€)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    units = forms.DecimalField(
        label=_("Units delivered"), min_value=Decimal(0), max_digits=8, decimal_places=2, required=False
    )
    delivered_on = forms.DateField(label=_("Date"), widget=date_input())
    reference = forms.CharField(
        label=_("Invoice or reference number"), required=False, max_length=max_length_of(Spending, "reference")
    )

    def __init__(self, data: Any = None, *, lines: Any, initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, prefix="spending", initial=initial)
        field = self.fields["line"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = lines


class ReallocationForm(forms.Form):
    from_line = LineChoiceField(
        label=_("From line"),
        queryset=BudgetLine.objects.none(),
        required=False,
        empty_label=_("None: increase the budget"),
    )
    to_line = LineChoiceField(label=_("To line"), queryset=BudgetLine.objects.none())
    amount = forms.DecimalField(label=_("Amount (€)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    reason = forms.CharField(
        label=_("Reason, as the client will read it"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length_of(Reallocation, "reason"),
    )

    def __init__(self, data: Any = None, *, lines: Any) -> None:
        super().__init__(data, prefix="move")
        for name in ("from_line", "to_line"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = lines
