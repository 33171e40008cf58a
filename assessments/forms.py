"""The forms of the assessment pages: input parsing and shape only; the rules live in the services."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from accounts.forms import PeopleField
from accounts.models import User
from core.fields import max_length_of
from core.forms import date_input
from networks.forms import member_consent_label
from networks.models import NetworkMember

from .models import (
    RAI_SCALES,
    Assessment,
    Coverage,
    DomainNeed,
    NeedSlot,
    NetworkView,
    ProfessionalConclusion,
    RaiInstrument,
    ScaleLevel,
    TimeOfDay,
)

# A cell of the week grid: help is not needed, or needed and covered (or not) by someone.
NOT_NEEDED = ""
UNCOVERED = "uncovered"
NETWORK_PREFIX = "network-"
RAI_LABELS = {
    "maple": _("MAPLe (1–5)"),
    "cps": _("CPS (0–6)"),
    "adl_h": _("ADL-H (0–6)"),
    "iadl": _("IADL capacity (0–48)"),
    "drs": _("DRS (0–14)"),
}
YES_NO_UNKNOWN = [("", _("Not stated")), ("true", _("Yes")), ("false", _("No"))]


def _yes_no(value: str) -> bool | None:
    return {"true": True, "false": False}.get(value)


class StartForm(forms.Form):
    started_on = forms.DateField(label=_("Started on"), widget=date_input())


class AssessmentForm(forms.Form):
    """Who took part and the statutory fields (SHL §36–37), with the RAI summary scales."""

    client_took_part = forms.BooleanField(label=_("The client took part"), required=False)
    relatives = forms.ModelMultipleChoiceField(
        label=_("Relatives and others from the client's network"),
        queryset=NetworkMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    professionals = PeopleField(label=_("Professionals"), queryset=User.objects.none(), required=False)
    situation_summary = forms.CharField(
        label=_("Summary of the situation"),
        widget=forms.Textarea,
        required=False,
        max_length=max_length_of(Assessment, "situation_summary"),
    )
    client_view = forms.CharField(
        label=_("The client's own view, in their own words"),
        widget=forms.Textarea,
        required=False,
        max_length=max_length_of(Assessment, "client_view"),
    )
    professional_conclusion = forms.CharField(
        label=_("The professional's conclusion"),
        widget=forms.Textarea,
        required=False,
        max_length=max_length_of(Assessment, "professional_conclusion"),
    )
    named_worker_needed_client = forms.TypedChoiceField(
        label=_("Is a named worker needed, in the client's view?"),
        choices=YES_NO_UNKNOWN,
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )
    named_worker_needed_professional = forms.TypedChoiceField(
        label=_("Is a named worker needed, in the professional's view?"),
        choices=YES_NO_UNKNOWN,
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )
    rai_instrument = forms.ChoiceField(label=_("RAI instrument"), choices=RaiInstrument.choices, required=False)

    def __init__(
        self, *args: Any, members: QuerySet[NetworkMember], professionals: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["relatives"].queryset = members  # type: ignore[attr-defined]
        self.fields["professionals"].queryset = professionals  # type: ignore[attr-defined]
        for name, (low, high) in RAI_SCALES.items():
            self.fields[f"rai_{name}"] = forms.IntegerField(
                label=RAI_LABELS[name], min_value=low, max_value=high, required=False
            )

    @classmethod
    def initial_for(cls, assessment: Any) -> dict[str, Any]:
        initial = {
            name: getattr(assessment, name)
            for name in ("client_took_part", "situation_summary", "client_view", "professional_conclusion")
        }
        for name in ("named_worker_needed_client", "named_worker_needed_professional"):
            value = getattr(assessment, name)
            initial[name] = "" if value is None else str(value).lower()
        initial["rai_instrument"] = assessment.rai_instrument
        initial["relatives"] = list(assessment.relatives.all())
        initial["professionals"] = list(assessment.professionals.all())
        for name, value in (assessment.rai_scores or {}).items():
            initial[f"rai_{name}"] = value
        return initial

    def rai_fields(self) -> list[forms.BoundField]:
        return [self[f"rai_{name}"] for name in RAI_SCALES]

    def fields_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "client_took_part",
                "situation_summary",
                "client_view",
                "professional_conclusion",
                "named_worker_needed_client",
                "named_worker_needed_professional",
                "rai_instrument",
            )
        }
        fields["rai_scores"] = {name: data[f"rai_{name}"] for name in RAI_SCALES if data.get(f"rai_{name}") is not None}
        return fields


def _slot_name(weekday: int, time_of_day: str) -> str:
    return f"slot_{weekday}_{time_of_day}"


def _slot_value(slot: NeedSlot) -> str:
    if slot.coverage == Coverage.NETWORK:
        return f"{NETWORK_PREFIX}{slot.network_member_id}"
    return slot.coverage or UNCOVERED


class NeedForm(forms.Form):
    """The need in one life domain: its level in both parties' words, the ICF qualifier, and
    for each weekday × time of day whether help is needed and who covers it. The grid is
    native selects in a table, one per cell, labelled with its day and time: usable by
    keyboard and screen reader without any script."""

    level = forms.TypedChoiceField(label=_("Need for support"), coerce=int, widget=forms.RadioSelect)
    client_text = forms.CharField(
        label=_("In the client's own words"),
        widget=forms.Textarea,
        required=False,
        max_length=max_length_of(DomainNeed, "client_text"),
    )
    professional_text = forms.CharField(
        label=_("In the professional's words"),
        widget=forms.Textarea,
        required=False,
        max_length=max_length_of(DomainNeed, "professional_text"),
    )
    icf_qualifier = forms.TypedChoiceField(
        label=_("ICF qualifier (functional ability)"), coerce=int, empty_value=None, required=False
    )
    # Only for a domain with a scale of its own (work ability, for work and studies).
    own_level = forms.TypedChoiceField(label=_("Work ability"), coerce=int, empty_value=None, required=False)
    service = forms.CharField(
        label=_("The formal service"),
        max_length=200,
        required=False,
        help_text=_("For example: home care. Used for the times covered by a formal service."),
    )

    def __init__(
        self,
        *args: Any,
        need_levels: Sequence[ScaleLevel],
        icf_levels: Sequence[ScaleLevel],
        members: Sequence[NetworkMember],
        own_levels: Sequence[ScaleLevel] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if own_levels:
            self.fields["own_level"].choices = [  # type: ignore[attr-defined]
                ("", _("Not rated")),
                *((level.value, f"{level.value} – {level.name}") for level in own_levels),
            ]
        else:
            del self.fields["own_level"]
        self.fields["level"].choices = [(level.value, f"{level.value} – {level.name}") for level in need_levels]  # type: ignore[attr-defined]
        self.fields["icf_qualifier"].choices = [  # type: ignore[attr-defined]
            ("", _("Not scored")),
            *((level.value, f"{level.value} – {level.name}") for level in icf_levels),
        ]
        coverage = [
            (NOT_NEEDED, _("No help needed")),
            (UNCOVERED, _("Needed, not covered")),
            (Coverage.SERVICE.value, _("A formal service")),
            (Coverage.CLIENT.value, _("The client")),
            *((f"{NETWORK_PREFIX}{member.pk}", str(member.name)) for member in members),
        ]
        for weekday in range(7):
            for time_of_day, time_label in TimeOfDay.choices:
                self.fields[_slot_name(weekday, time_of_day)] = forms.ChoiceField(
                    label=f"{WEEKDAYS[weekday]}, {time_label}", choices=coverage, required=False
                )

    @classmethod
    def initial_for(cls, need: DomainNeed | None) -> dict[str, Any]:
        if need is None:
            return {}
        initial: dict[str, Any] = {
            "level": need.level,
            "client_text": need.client_text,
            "professional_text": need.professional_text,
            "icf_qualifier": need.icf_qualifier,
            "own_level": need.own_level,
        }
        for slot in need.slots.all():
            initial[_slot_name(slot.weekday, slot.time_of_day)] = _slot_value(slot)
            if slot.service:
                initial["service"] = slot.service
        return initial

    def grid(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The slot fields as the table shows them: a row per time of day, a cell per weekday."""
        return [
            (str(label), [self[_slot_name(weekday, time_of_day)] for weekday in range(7)])
            for time_of_day, label in TimeOfDay.choices
        ]

    def slots(self) -> list[dict[str, Any]]:
        """The cells where help is needed, in the shape ``services.set_need`` takes."""
        service = self.cleaned_data.get("service", "")
        slots = []
        for weekday in range(7):
            for time_of_day in TimeOfDay.values:
                value = self.cleaned_data.get(_slot_name(weekday, time_of_day), NOT_NEEDED)
                if value == NOT_NEEDED:
                    continue
                slot: dict[str, Any] = {"weekday": weekday, "time_of_day": time_of_day, "coverage": ""}
                if value.startswith(NETWORK_PREFIX):
                    slot.update(coverage=Coverage.NETWORK, network_member=int(value.removeprefix(NETWORK_PREFIX)))
                elif value != UNCOVERED:
                    slot.update(coverage=value, service=service if value == Coverage.SERVICE else "")
                slots.append(slot)
        return slots

    def need_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "level": data["level"],
            "client_text": data["client_text"],
            "professional_text": data["professional_text"],
            "icf_qualifier": data["icf_qualifier"],
            "own_level": data.get("own_level"),
            "slots": self.slots(),
        }


class ConclusionForm(forms.Form):
    """A professional's own conclusion in the assessment, for their profession."""

    text = forms.CharField(
        label=_("Your conclusion"),
        widget=forms.Textarea,
        required=False,
        max_length=max_length_of(ProfessionalConclusion, "text"),
        help_text=_("From your profession's point of view; leave it empty to take your conclusion away."),
    )


class CompareForm(forms.Form):
    older = forms.TypedChoiceField(label=_("Earlier assessment"), coerce=int)
    newer = forms.TypedChoiceField(label=_("Later assessment"), coerce=int)

    def __init__(self, *args: Any, choices: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["older"].choices = choices  # type: ignore[attr-defined]
        self.fields["newer"].choices = choices  # type: ignore[attr-defined]


class NetworkViewForm(forms.Form):
    """The view of someone in the client's network, in their own words, as they told it."""

    network_member = forms.ModelChoiceField(
        queryset=NetworkMember.objects.none(),
        label=_("Whose view"),
        help_text=_("Only with the client's consent in force to share the needs assessment with them."),
    )
    words = forms.CharField(
        label=_("The view in their own words"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=max_length_of(NetworkView, "words"),
    )

    def __init__(self, *args: Any, members: QuerySet[NetworkMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["network_member"]
        field.queryset = members  # type: ignore[attr-defined]
        field.label_from_instance = member_consent_label  # type: ignore[attr-defined]
