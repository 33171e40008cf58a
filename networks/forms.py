"""The forms of the network pages: input parsing and shape only; the rules live in the services."""

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from access.models import Section
from accounts.forms import PeopleField, PersonChoiceField
from accounts.models import User
from core.fields import max_length_of
from core.forms import date_input, time_input

from .models import CareTeamMember, Consent, Decision, NetworkMeeting, NetworkMember
from .services import NETWORK_MEMBER_FIELDS

HELSINKI = ZoneInfo("Europe/Helsinki")
# Rows for decisions offered at once when a meeting is recorded; the empty ones are ignored.
DECISION_ROWS = 3
MAX_DECISIONS = 30


class CareTeamForm(forms.Form):
    """A professional who starts working with the client (the client's care team)."""

    professional = PersonChoiceField(label=_("Professional"), queryset=User.objects.none())
    role = forms.CharField(
        label=_("Role with the client"),
        max_length=max_length_of(CareTeamMember, "role"),
        help_text=_("For example: home care nurse."),
    )
    responsibility = forms.CharField(
        label=_("Responsible for"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length_of(CareTeamMember, "responsibility"),
    )
    started_on = forms.DateField(label=_("Starts on"), widget=date_input())

    def __init__(self, *args: Any, professionals: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["professional"].queryset = professionals  # type: ignore[attr-defined]


class NetworkMemberForm(forms.ModelForm[NetworkMember]):
    """A person in the client's own network: who, how to reach them, what they help with, when."""

    class Meta:
        model = NetworkMember
        fields = NETWORK_MEMBER_FIELDS
        widgets = {"helps_with": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "organisation": _("For an outside professional."),
            "helps_with": _("For example: shopping, transport to appointments."),
            "available": _("For example: weekday evenings."),
        }


class ConsentForm(forms.Form):
    """The client's consent to share named parts of their record with one recipient."""

    network_member = forms.ModelChoiceField(
        label=_("Shared with"),
        queryset=NetworkMember.objects.none(),
        required=False,
        empty_label=_("Someone outside the network (name below)"),
    )
    outside_party = forms.CharField(
        label=_("Outside party"),
        max_length=max_length_of(Consent, "outside_party"),
        required=False,
        help_text=_("Only when the recipient is not in the client's network."),
    )
    sections = forms.MultipleChoiceField(
        label=_("What is shared"), choices=Section.choices, widget=forms.CheckboxSelectMultiple
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=max_length_of(Consent, "purpose"))
    given_on = forms.DateField(label=_("Given on"), widget=date_input())
    valid_until = forms.DateField(label=_("Valid until"), widget=date_input())

    def __init__(self, *args: Any, members: QuerySet[NetworkMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network_member"].queryset = members  # type: ignore[attr-defined]


def helsinki_time(day: date, at: time) -> datetime | None:
    """The moment a date and a wall-clock time name in Helsinki; None for a time that does not
    exist there (the hour skipped when summer time starts)."""
    moment = datetime.combine(day, at, tzinfo=HELSINKI)
    if moment.astimezone(UTC).astimezone(HELSINKI).replace(tzinfo=None) != datetime.combine(day, at):
        return None
    return moment


class MeetingForm(forms.Form):
    """A network meeting to plan: the times are Helsinki wall-clock times."""

    on = forms.DateField(label=_("Date"), widget=date_input())
    starts = forms.TimeField(label=_("Starts at"), widget=time_input())
    ends = forms.TimeField(label=_("Ends at"), widget=time_input())
    place = forms.CharField(
        label=_("Place"),
        max_length=max_length_of(NetworkMeeting, "place"),
        required=False,
        help_text=_("Give a place, a call link or both."),
    )
    call_link = forms.URLField(
        label=_("Call link"),
        required=False,
        assume_scheme="https",
        max_length=max_length_of(NetworkMeeting, "call_link"),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=max_length_of(NetworkMeeting, "agenda"),
    )
    client_attends = forms.BooleanField(label=_("The client takes part"), required=False, initial=True)
    professionals = PeopleField(
        label=_("Professionals"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The client's care team and named worker."),
    )
    network_members = forms.ModelMultipleChoiceField(
        label=_("From the client's network"),
        queryset=NetworkMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only people with the client's consent in force to share meetings with them can be invited."),
    )

    def __init__(
        self, *args: Any, professionals: QuerySet[User], members: QuerySet[NetworkMember], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["professionals"].queryset = professionals  # type: ignore[attr-defined]
        self.fields["network_members"].queryset = members  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("on")
        for name in ("starts", "ends"):
            at = data.get(name)
            if day is None or at is None:
                continue
            moment = helsinki_time(day, at)
            if moment is None:
                self.add_error(name, _("This time does not exist in Finland on that day (summer time starts)."))
            else:
                data[f"{name}_at"] = moment
        return data


class RecordMeetingForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes of the meeting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=max_length_of(NetworkMeeting, "notes"),
    )
    client_view = forms.CharField(
        label=_("The client's own view"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In the client's own words; kept apart from the professionals' notes."),
        max_length=max_length_of(NetworkMeeting, "client_view"),
    )


class DecisionForm(forms.Form):
    """One decision: what, who is responsible, by when. A row left empty is not a decision."""

    text = forms.CharField(
        label=_("What was decided"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length_of(Decision, "text"),
    )
    responsible = forms.ChoiceField(label=_("Who is responsible"), required=False)
    due_on = forms.DateField(label=_("By"), required=False, widget=date_input())

    def __init__(self, *args: Any, responsible_choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = responsible_choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name) for name in ("text", "responsible", "due_on")) and not self.errors:
            return data
        if not data.get("text", "").strip() and "text" not in self.errors:
            self.add_error("text", _("Write what was decided."))
        if not data.get("responsible") and "responsible" not in self.errors:
            self.add_error("responsible", _("Choose who is responsible."))
        return data


DecisionFormSet = forms.formset_factory(
    DecisionForm, extra=DECISION_ROWS, max_num=MAX_DECISIONS, absolute_max=MAX_DECISIONS, validate_max=True
)


NO_CONSENT_IN_FORCE = _("no consent in force")


def member_consent_label(member: NetworkMember) -> str:
    """A network member as a choice of whose view to record: their name and relationship, and
    a warning where the client's consent is not in force (``has_consent`` from
    ``networks.selectors.members_with_consent``)."""
    label = f"{member.name} ({member.get_relationship_display()})"
    return label if getattr(member, "has_consent", False) else f"{label} — {NO_CONSENT_IN_FORCE}"
