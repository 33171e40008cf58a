"""Forms of the care plan pages. Every form that changes the draft carries the revision the
page was rendered from, so that a save over someone else's is caught."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assessments.models import LifeDomain, TimeOfDay
from core.fields import max_length_of
from networks.forms import member_consent_label
from networks.models import NetworkMember

from .models import (
    Disagreement,
    GoalAction,
    GoalOutcome,
    NetworkReviewView,
    PlanGoal,
    PlanReview,
    PlanService,
    PlanVersion,
    Responsible,
    WorkMeasure,
)

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class RevisionForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DraftForm(RevisionForm):
    client_wishes = forms.CharField(
        label=_("The client's wishes and views"),
        required=False,
        widget=TEXTAREA,
        max_length=max_length_of(PlanVersion, "client_wishes"),
    )
    strengths_client = forms.CharField(
        label=_("Strengths as the client sees them"),
        required=False,
        widget=TEXTAREA,
        max_length=max_length_of(PlanVersion, "strengths_client"),
    )
    strengths_professional = forms.CharField(
        label=_("Strengths as the professionals see them"),
        required=False,
        widget=TEXTAREA,
        max_length=max_length_of(PlanVersion, "strengths_professional"),
    )
    backup_plan = forms.CharField(
        label=_("Backup plan"),
        help_text=_("Who steps in if a service fails."),
        required=False,
        widget=TEXTAREA,
        max_length=max_length_of(PlanVersion, "backup_plan"),
    )
    review_on = forms.DateField(label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    @staticmethod
    def initial_for(version: PlanVersion) -> dict[str, Any]:
        return {
            "revision": version.revision,
            "client_wishes": version.client_wishes,
            "strengths_client": version.strengths_client,
            "strengths_professional": version.strengths_professional,
            "backup_plan": version.backup_plan,
            "review_on": version.review_on,
        }


class GoalForm(RevisionForm):
    key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    client_words = forms.CharField(
        label=_("The goal in the client's own words"),
        widget=TEXTAREA,
        max_length=max_length_of(PlanGoal, "client_words"),
    )
    professional_words = forms.CharField(
        label=_("In professional terms"),
        required=False,
        widget=TEXTAREA,
        max_length=max_length_of(PlanGoal, "professional_words"),
    )
    # The life domain the goal is about: a goal of work or training names the domain of work,
    # studies and work ability.
    domain = forms.ChoiceField(label=_("Life domain"), required=False)

    def __init__(self, *args: Any, domains: Sequence[LifeDomain] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", _("Not named")), *((d.code, d.name) for d in domains)]  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(version: PlanVersion, goal: PlanGoal) -> dict[str, Any]:
        return {
            "revision": version.revision,
            "key": goal.key,
            "client_words": goal.client_words,
            "professional_words": goal.professional_words,
            "domain": goal.domain.code if goal.domain else "",
        }


class ActionForm(RevisionForm):
    goal = forms.ChoiceField(label=_("Goal"))
    text = forms.CharField(label=_("What is done"), max_length=max_length_of(GoalAction, "text"))
    responsible = forms.ChoiceField(label=_("Who does it"), choices=Responsible.choices)
    professional = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Professional"), required=False)
    network_member = forms.ModelChoiceField(
        queryset=NetworkMember.objects.none(), label=_("Network member"), required=False
    )
    due_on = forms.DateField(label=_("By"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    work_measure = forms.ChoiceField(
        label=_("Work or training measure"),
        choices=WorkMeasure.choices,
        required=False,
        help_text=_("For a goal of work or training: a work trial, training, a pay subsidy, rehabilitation…"),
    )

    def __init__(self, *args: Any, goals: list[PlanGoal], professionals: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [(str(g.key), g.client_words[:80]) for g in goals]  # type: ignore[attr-defined]
        self.fields["professional"].queryset = professionals  # type: ignore[attr-defined]
        self.fields["network_member"].queryset = members  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        responsible = data.get("responsible")
        if responsible == Responsible.PROFESSIONAL and not data.get("professional"):
            self.add_error("professional", _("Name the professional."))
        if responsible == Responsible.NETWORK_MEMBER and not data.get("network_member"):
            self.add_error("network_member", _("Name the network member."))
        return data


def slot_choices() -> list[tuple[str, str]]:
    return [
        (f"{day}:{time}", f"{WEEKDAYS[day]} {label}".lower().capitalize())
        for day in range(7)
        for time, label in TimeOfDay.choices
    ]


class ServiceForm(RevisionForm):
    key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    service = forms.CharField(label=_("Service"), max_length=max_length_of(PlanService, "service"))
    provider = forms.CharField(label=_("Provider"), max_length=max_length_of(PlanService, "provider"), required=False)
    amount = forms.CharField(
        label=_("Amount"),
        max_length=max_length_of(PlanService, "amount"),
        required=False,
        help_text=_("For example: 2 visits a day."),
    )
    slots = forms.MultipleChoiceField(
        label=_("Times of the week"), required=False, widget=forms.CheckboxSelectMultiple, choices=slot_choices
    )
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    backup = forms.CharField(
        label=_("If the service fails"), max_length=max_length_of(PlanService, "backup"), required=False
    )

    @staticmethod
    def initial_for(version: PlanVersion, service: PlanService) -> dict[str, Any]:
        return {
            "revision": version.revision,
            "key": service.key,
            "service": service.service,
            "provider": service.provider,
            "amount": service.amount,
            "slots": [f"{s['weekday']}:{s['time_of_day']}" for s in service.slots],
            "starts_on": service.starts_on,
            "backup": service.backup,
        }

    def slot_values(self) -> list[dict[str, Any]]:
        values = []
        for value in self.cleaned_data["slots"]:
            day, time = value.split(":", 1)
            values.append({"weekday": int(day), "time_of_day": time})
        return values


class DisagreementForm(RevisionForm):
    about = forms.ChoiceField(label=_("About"))
    client_position = forms.CharField(
        label=_("The client's position"), widget=TEXTAREA, max_length=max_length_of(Disagreement, "client_position")
    )
    professional_position = forms.CharField(
        label=_("The professional's position"),
        widget=TEXTAREA,
        max_length=max_length_of(Disagreement, "professional_position"),
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        help_text=_("Why the client and the professional see it differently."),
        widget=TEXTAREA,
        max_length=max_length_of(Disagreement, "reasons"),
        error_messages={"required": _("Give the reasons for the disagreement.")},
    )

    def __init__(self, *args: Any, goals: list[PlanGoal], services: list[PlanService], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("plan", str(_("The plan as a whole")))]
        choices += [(f"goal:{g.key}", str(_("Goal: %(goal)s") % {"goal": g.client_words[:60]})) for g in goals]
        choices += [(f"service:{s.key}", str(_("Service: %(service)s") % {"service": s.service})) for s in services]
        self.fields["about"].choices = choices  # type: ignore[attr-defined]

    def content_item(self) -> dict[str, Any]:
        subject, _sep, key = self.cleaned_data["about"].partition(":")
        return {
            "subject": subject,
            "goal": key if subject == "goal" else None,
            "service": key if subject == "service" else None,
            "client_position": self.cleaned_data["client_position"],
            "professional_position": self.cleaned_data["professional_position"],
            "reasons": self.cleaned_data["reasons"],
        }


class RemoveForm(RevisionForm):
    key = forms.UUIDField(widget=forms.HiddenInput)


class CompareForm(forms.Form):
    older = forms.TypedChoiceField(label=_("Older version"), coerce=int)
    newer = forms.TypedChoiceField(label=_("Newer version"), coerce=int)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["older"].choices = choices  # type: ignore[attr-defined]
        self.fields["newer"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("older") is not None and data.get("older") == data.get("newer"):
            self.add_error("newer", _("Choose two different versions."))
        return data


RATING_CHOICES = [("", "–"), *[(str(n), str(n)) for n in range(1, 6)]]


class ReviewForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=TEXTAREA, max_length=max_length_of(PlanReview, "notes")
    )

    def __init__(self, *args: Any, goals: list[PlanGoal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        for n, goal in enumerate(goals, start=1):
            for who, label in (
                ("client", _("Goal %(n)s: the client's rating")),
                ("professional", _("Goal %(n)s: the professional's rating")),
            ):
                self.fields[f"{who}-{goal.key}"] = forms.TypedChoiceField(
                    label=label % {"n": n}, choices=RATING_CHOICES, coerce=int, help_text=goal.client_words[:120]
                )
            self.fields[f"comment-{goal.key}"] = forms.CharField(
                label=_("Goal %(n)s: comment") % {"n": n},
                required=False,
                max_length=max_length_of(GoalOutcome, "comment"),
            )

    def outcomes(self) -> list[dict[str, Any]]:
        return [
            {
                "goal": goal.key,
                "client_rating": self.cleaned_data[f"client-{goal.key}"],
                "professional_rating": self.cleaned_data[f"professional-{goal.key}"],
                "comment": self.cleaned_data[f"comment-{goal.key}"],
            }
            for goal in self.goals
        ]


class NetworkReviewViewForm(forms.Form):
    """A network member's view of a review, as they told it: their words and their rating of
    the goals they have a view on."""

    network_member = forms.ModelChoiceField(
        queryset=NetworkMember.objects.none(),
        label=_("Whose view"),
        help_text=_("Only with the client's consent in force to share the care plan with them."),
    )
    words = forms.CharField(
        label=_("The view in their own words"), widget=TEXTAREA, max_length=max_length_of(NetworkReviewView, "words")
    )

    def __init__(self, *args: Any, members: Any, goals: list[PlanGoal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        field = self.fields["network_member"]
        field.queryset = members  # type: ignore[attr-defined]
        field.label_from_instance = member_consent_label  # type: ignore[attr-defined]
        for n, goal in enumerate(goals, start=1):
            self.fields[f"rating-{goal.key}"] = forms.TypedChoiceField(
                label=_("Goal %(n)s: their rating") % {"n": n},
                choices=RATING_CHOICES,
                coerce=int,
                required=False,
                empty_value=None,
                help_text=goal.client_words[:120],
            )

    def ratings(self) -> list[dict[str, Any]]:
        return [
            {"goal": goal.key, "rating": self.cleaned_data[f"rating-{goal.key}"]}
            for goal in self.goals
            if self.cleaned_data.get(f"rating-{goal.key}") is not None
        ]
