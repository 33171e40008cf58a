from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.forms import PersonChoiceField
from accounts.models import User
from assessments import selectors as assessment_selectors
from clients.forms import ClientIdsField
from clients.models import Assignment
from core.fields import max_length_of
from core.forms import date_input
from teams.models import Substitution, Team, TeamMembership
from teams.review import DRILL_KINDS, DRILL_METRICS, NO_DOMAIN, Figure, Move
from teams.selectors import coordinator_trend_choices


class TeamMembershipForm(forms.Form):
    user = PersonChoiceField(label=_("Person"), queryset=User.objects.none())
    kind = forms.ChoiceField(
        label=_("Joins as"), choices=TeamMembership.Kind.choices, initial=TeamMembership.Kind.MEMBER
    )
    role = forms.CharField(
        label=_("Role in the team"),
        max_length=max_length_of(TeamMembership, "role"),
        required=False,
        help_text=_("For example: home care nurse."),
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
    reason = forms.CharField(label=_("Reason"), max_length=max_length_of(Substitution, "reason"), required=False)

    def __init__(self, *args: Any, absent: QuerySet[User], substitutes: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["absent"].queryset = absent  # type: ignore[attr-defined]
        self.fields["substitute"].queryset = substitutes  # type: ignore[attr-defined]


class ReviewFilterForm(forms.Form):
    """Which of the lead's teams the review shows: one, or (empty) all of them."""

    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    # The figure of the per-coordinator trend.
    trend = forms.ChoiceField(label=_("Figure"), required=False)

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("All my teams")), *((team.pk, team.name) for team in teams)]  # type: ignore[attr-defined]
        self.fields["trend"].choices = [("", ""), *coordinator_trend_choices()]  # type: ignore[attr-defined]


class DrillDownForm(forms.Form):
    """The clients behind one number of the review."""

    metric = forms.ChoiceField(choices=[(m, m) for m in DRILL_METRICS])
    team = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    coordinator = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    kind = forms.ChoiceField(choices=[("", "")] + [(k, k) for k in DRILL_KINDS], required=False)
    domain = forms.IntegerField(required=False, min_value=NO_DOMAIN, max_value=2**31 - 1)
    time = forms.ChoiceField(choices=[("", ""), *assessment_selectors.times_of_day()], required=False)
    counterpart = forms.CharField(required=False, max_length=200)
    partner = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def figure(self) -> Figure:
        data = self.cleaned_data
        return Figure(
            metric=data["metric"],
            coordinator=data["coordinator"],
            kind=data["kind"],
            domain=data["domain"],
            time=data["time"],
            counterpart=data["counterpart"],
            partner=data["partner"],
        )


class ReassignForm(forms.Form):
    """Reassign the chosen clients of a drill-down list to one or more coordinators."""

    clients = ClientIdsField(required=True)
    to = PersonChoiceField(label=_("Hand over to"), queryset=User.objects.none())
    note = forms.CharField(
        label=_("Handover note"),
        max_length=max_length_of(Assignment, "handover_note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The receiving coordinator sees it first on their caseload."),
    )

    def __init__(self, *args: Any, targets: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = targets  # type: ignore[attr-defined]


class ReviewSettingsForm(forms.Form):
    team = forms.TypedChoiceField(label=_("Team"), coerce=int)
    load_threshold = forms.DecimalField(
        label=_("Weighted load threshold"),
        min_value=Decimal(1),
        max_value=Decimal(9999),
        max_digits=6,
        decimal_places=1,
        help_text=_("A coordinator whose weighted load is above this is flagged in the review."),
    )

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(team.pk, team.name) for team in teams]  # type: ignore[attr-defined]


class DigestForm(forms.Form):
    enabled = forms.BooleanField(label=_("Send me the weekly review digest by e-mail"), required=False)


class BalanceForm(forms.Form):
    """The proposed moves of the balance view, each to confirm (ticked) and its receiving
    coordinator to change; with one handover note for all."""

    note = forms.CharField(
        label=_("Handover note"),
        max_length=max_length_of(Assignment, "handover_note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("Reassigned to even out the team's caseloads."),
    )

    def __init__(self, *args: Any, moves: list[Move], targets: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.moves = moves
        for move in moves:
            self.fields[f"move_{move.client_id}"] = forms.BooleanField(
                label=_("Move %(name)s") % {"name": move.client.full_name}, required=False, initial=True
            )
            self.fields[f"to_{move.client_id}"] = PersonChoiceField(
                label=_("To"), queryset=targets, initial=move.target.pk
            )

    def rows(self) -> list[tuple[Move, forms.BoundField, forms.BoundField]]:
        return [(m, self[f"move_{m.client_id}"], self[f"to_{m.client_id}"]) for m in self.moves]

    def chosen_moves(self) -> list[tuple[int, User]]:
        data = self.cleaned_data
        return [(m.client_id, data[f"to_{m.client_id}"]) for m in self.moves if data.get(f"move_{m.client_id}")]


class MyClientsSearchForm(forms.Form):
    q = forms.CharField(label=_("Find among my clients"), max_length=100, required=False)
