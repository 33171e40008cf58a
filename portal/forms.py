from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import Section
from care_plans.models import PlanGoal
from core.forms import date_input
from networks.models import NetworkMember

from .models import ANSWER_MAX_LENGTH, MESSAGE_MAX_LENGTH, VIEW_MAX_LENGTH, Basis

RATING_CHOICES = [("", _("Not rated"))] + [(str(n), str(n)) for n in range(1, 6)]


class ViewForm(forms.Form):
    """The client's view in their own words and a 1–5 rating of each goal of the plan."""

    text = forms.CharField(
        label=_("My view in my own words"),
        max_length=VIEW_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What has gone well, what has not, and what you would like to change. At most 4,000 characters."),
    )

    def __init__(self, *args: Any, goals: list[PlanGoal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"goal_{goal.pk}"] = forms.TypedChoiceField(
                label=_("How far has this goal come: %(goal)s") % {"goal": goal.client_words},
                choices=RATING_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                help_text=_("1 = not at all, 5 = fully"),
            )

    def ratings(self) -> dict[int, int]:
        return {
            goal.pk: self.cleaned_data[f"goal_{goal.pk}"]
            for goal in self.goals
            if self.cleaned_data.get(f"goal_{goal.pk}") is not None
        }


class HeardForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How well were you heard in the review?"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 = not at all, 5 = very well"),
    )
    text = forms.CharField(
        label=_("Tell us more (optional)"),
        max_length=ANSWER_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message to your worker"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("At most 1,000 characters. In an emergency call 112."),
    )


class ConsentForm(forms.Form):
    """A consent the client gives in the portal to share parts of their record with someone in
    their own network."""

    member = forms.ModelChoiceField(label=_("With whom"), queryset=NetworkMember.objects.none())
    sections = forms.MultipleChoiceField(
        label=_("What may be shared"), choices=Section.choices, widget=forms.CheckboxSelectMultiple
    )
    purpose = forms.CharField(label=_("For what"), max_length=300)
    valid_until = forms.DateField(label=_("Until"), widget=date_input())

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]

    def clean_valid_until(self) -> date:
        valid_until: date = self.cleaned_data["valid_until"]
        if valid_until < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        return valid_until


class MonthForm(forms.Form):
    month = forms.RegexField(label=_("Month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False, max_length=7)

    def month_start(self) -> date | None:
        value = self.cleaned_data.get("month")
        if not value:
            return None
        year, month = value.split("-")
        return date(int(year), int(month), 1)


class PortalSwitchForm(forms.Form):
    enabled = forms.BooleanField(label=_("Portal in use"), required=False)


class RepresentativeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    identity_code = forms.CharField(
        label=_("Personal identity code"),
        max_length=11,
        help_text=_("Used only to recognise the representative at sign-in; never shown."),
    )
    basis = forms.ChoiceField(label=_("Basis"), choices=Basis.choices)
    starts_on = forms.DateField(label=_("From"), widget=date_input())
    ends_on = forms.DateField(label=_("Until"), widget=date_input(), required=False)


class EndRepresentativeForm(forms.Form):
    ends_on = forms.DateField(label=_("Ends on"), widget=date_input())
