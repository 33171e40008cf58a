from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.forms import PersonChoiceField
from accounts.models import User
from core.forms import date_input
from teams.models import TeamMembership


class TeamMembershipForm(forms.Form):
    user = PersonChoiceField(label=_("Person"), queryset=User.objects.none())
    kind = forms.ChoiceField(
        label=_("Joins as"), choices=TeamMembership.Kind.choices, initial=TeamMembership.Kind.MEMBER
    )
    role = forms.CharField(
        label=_("Role in the team"), max_length=200, required=False, help_text=_("For example: home care nurse.")
    )
    started_on = forms.DateField(label=_("Starts on"), widget=date_input())

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people  # type: ignore[attr-defined]


class SubstitutionForm(forms.Form):
    absent = PersonChoiceField(label=_("Absent coordinator"), queryset=User.objects.none())
    substitute = PersonChoiceField(label=_("Substitute"), queryset=User.objects.none())
    starts_on = forms.DateField(label=_("Starts on"), widget=date_input())
    ends_on = forms.DateField(label=_("Ends on"), widget=date_input())
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, absent: QuerySet[User], substitutes: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["absent"].queryset = absent  # type: ignore[attr-defined]
        self.fields["substitute"].queryset = substitutes  # type: ignore[attr-defined]
