"""The page forms: input parsing and shape only; the rules live in the services."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from access.models import Consultation, ReturningClient
from accounts.forms import PeopleField, PersonChoiceField, person_label
from accounts.models import User
from core.fields import max_length_of
from core.forms import date_input

from .models import (
    Assignment,
    BounceKind,
    Client,
    ClientView,
    ClosureReason,
    Contact,
    ContactSource,
    CoordinationReview,
    Referral,
    ReferralBounce,
    ReferralPartner,
    ReferralStatus,
    RelationshipPeriod,
    ReviewDecision,
)
from .services import EDITABLE_FIELDS


class ClientForm(forms.ModelForm[Client]):
    class Meta:
        model = Client
        fields = EDITABLE_FIELDS
        widgets = {"date_of_birth": date_input()}


class ContactForm(forms.ModelForm[Contact]):
    """A contact about a client's need for support (yhteydenotto)."""

    class Meta:
        model = Contact
        fields = ("contacted_on", "channel", "source", "source_name", "reason", "urgent")
        widgets = {"contacted_on": date_input(), "reason": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "urgent": _("An urgent need is assessed at once."),
            "source_name": _("If someone other than the client made the contact."),
        }


class IntakeMode:
    EXISTING = "existing"
    NEW = "new"
    CHOICES = [(EXISTING, _("An existing client")), (NEW, _("A new client"))]


class IntakeForm(forms.Form):
    """Which client the contact is about: an existing one (found by name among the clients the
    user sees, or by exact identity code among all) or a new one with its named worker."""

    mode = forms.ChoiceField(
        label=_("Is the person already a client?"), choices=IntakeMode.CHOICES, widget=forms.RadioSelect
    )
    existing_client = forms.IntegerField(required=False, widget=forms.HiddenInput)
    existing_identity_code = forms.CharField(
        label=_("Personal identity code of an existing client"),
        required=False,
        max_length=11,
        help_text=_("Finds any client. For a client you do not work with, you learn only which team to contact."),
    )
    returning_reason = forms.CharField(
        label=_("Reason for reopening a former client's relationship"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only for a former client you have not worked with: their last team lead is told, and confirms "
            "before you see the earlier contacts and closing notes."
        ),
        max_length=max_length_of(ReturningClient, "reason"),
    )
    coordinator = PersonChoiceField(
        label=_("Named worker"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No named worker"),
    )
    no_named_worker_reason = forms.CharField(
        label=_("Why no named worker is needed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when no named worker is chosen (SHL §42)."),
        max_length=max_length_of(Client, "no_named_worker_reason"),
    )

    review_due_on = forms.DateField(
        label=_("Coordination review"),
        required=False,
        widget=date_input(),
        help_text=_(
            "Service coordination is time-limited: the expected end, or the day to ask whether it is still "
            "needed. Leave empty for the default, six months from today."
        ),
    )

    def __init__(self, *args: Any, coordinators: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = coordinators  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == IntakeMode.EXISTING:
            self._clean_existing(data)
        elif data.get("mode") == IntakeMode.NEW:
            self._clean_new(data)
        return data

    def _clean_existing(self, data: dict[str, Any]) -> None:
        picked, code = data.get("existing_client"), data.get("existing_identity_code", "").strip()
        if picked and code:
            self.add_error(
                "existing_identity_code", _("Give the identity code or choose a client from the search, not both.")
            )
        elif not picked and not code:
            self.add_error(
                "existing_identity_code",
                _("Choose the client from the search results, or give their personal identity code."),
            )

    def _clean_new(self, data: dict[str, Any]) -> None:
        reason = data.get("no_named_worker_reason", "").strip()
        if data.get("coordinator") and reason:
            self.add_error("no_named_worker_reason", _("Leave this empty when a named worker is chosen."))
        elif not data.get("coordinator") and not reason:
            self.add_error("coordinator", _("Choose the named worker, or give the reason why none is needed."))


class IdentityLookupForm(forms.Form):
    """Intake's lookup of a person by identity code."""

    existing_identity_code = forms.CharField(label=_("Personal identity code"), max_length=20)


class AssignForm(forms.Form):
    coordinator = PersonChoiceField(label=_("New named worker"), queryset=User.objects.none())
    started_on = forms.DateField(label=_("Starts on"), widget=date_input())
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=max_length_of(Assignment, "reason"), required=False
    )
    handover_note = forms.CharField(
        label=_("Handover note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the new named worker should know first. They see it at the top of the client's page."),
        max_length=max_length_of(Assignment, "handover_note"),
    )

    def __init__(self, *args: Any, coordinators: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = coordinators  # type: ignore[attr-defined]


class NoNamedWorkerForm(forms.Form):
    reason = forms.CharField(
        label=_("Why no named worker is needed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The current named worker's period ends today."),
        max_length=max_length_of(Client, "no_named_worker_reason"),
    )


class ClientIdsField(forms.Field):
    """The clients chosen with the checkboxes of a list, as primary keys."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Choose clients from the list.")}

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            return sorted({int(item) for item in value})
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


class HandoverScope:
    SELECTED = "selected"
    ALL = "all"


class HandoverForm(forms.Form):
    """Bulk handover from a caseload: the chosen clients, or all of them (a team lead, when a
    coordinator leaves), to one or more coordinators."""

    owner = forms.IntegerField(widget=forms.HiddenInput)
    scope = forms.ChoiceField(
        choices=[(HandoverScope.SELECTED, HandoverScope.SELECTED), (HandoverScope.ALL, HandoverScope.ALL)],
        required=False,
        widget=forms.HiddenInput,
    )
    clients = ClientIdsField(required=False)
    to = PeopleField(
        label=_("Hand over to"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("With several coordinators, the clients are shared evenly between them."),
    )
    note = forms.CharField(
        label=_("Handover note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The receiving coordinator sees it first on their caseload."),
        max_length=max_length_of(Assignment, "handover_note"),
    )
    on = forms.DateField(label=_("Handover date"), widget=date_input())

    def __init__(self, *args: Any, targets: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = targets  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") != HandoverScope.ALL and not data.get("clients"):
            self.add_error("clients", _("Choose at least one client."))
        return data


def _partner_field(label: Any) -> forms.ModelChoiceField[ReferralPartner]:
    return forms.ModelChoiceField(
        label=label,
        queryset=ReferralPartner.objects.filter(active=True),
        required=False,
        empty_label=_("Other (write it below)"),
    )


def _other_field() -> forms.CharField:
    return forms.CharField(
        label=_("Other"),
        required=False,
        max_length=max_length_of(Referral, "counterpart"),
        help_text=_("Only when none of the partners fits."),
    )


class OutgoingReferralForm(forms.Form):
    partner = _partner_field(_("Referred to"))
    counterpart = _other_field()
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=max_length_of(Referral, "reason")
    )
    sent_on = forms.DateField(label=_("Sent on"), widget=date_input())
    follow_up_on = forms.DateField(
        label=_("Follow up on"),
        required=False,
        widget=date_input(),
        help_text=_("When to check that the referral was answered."),
    )


class IncomingReferralForm(forms.Form):
    partner = _partner_field(_("Referred by"))
    counterpart = _other_field()
    source = forms.ChoiceField(label=_("Sender"), choices=[("", "---------"), *ContactSource.choices])
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=max_length_of(Referral, "reason")
    )
    received_on = forms.DateField(
        label=_("Received on"), widget=date_input(), help_text=_("The referral is recorded as a contact too.")
    )
    urgent = forms.BooleanField(label=_("Urgent need"), required=False)


class ReferralBounceForm(forms.Form):
    """A referral that came back unanswered, was refused or was redirected elsewhere."""

    kind = forms.ChoiceField(label=_("What happened"), choices=BounceKind.choices, widget=forms.RadioSelect)
    bounced_on = forms.DateField(label=_("On"), widget=date_input())
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=max_length_of(ReferralBounce, "note"),
    )
    partner = _partner_field(_("Redirected to"))
    counterpart = _other_field()
    follow_up_on = forms.DateField(
        label=_("Follow up the new referral on"),
        required=False,
        widget=date_input(),
        help_text=_("When to check that the new referral was answered."),
    )


class AdvanceReferralForm(forms.Form):
    status = forms.ChoiceField(choices=ReferralStatus.choices)


class ClosureForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closing"), choices=ClosureReason.choices, widget=forms.RadioSelect)
    summary = forms.CharField(
        label=_("Closing summary"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was done, what was reached, and what continues."),
        max_length=max_length_of(RelationshipPeriod, "closing_summary"),
    )
    reached = forms.CharField(
        label=_("What was reached"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The goals reached, or how far, in a few words."),
        max_length=max_length_of(RelationshipPeriod, "reached"),
    )
    client_view = forms.ChoiceField(
        label=_("Did coordination help, in the client's view?"), choices=ClientView.choices, widget=forms.RadioSelect
    )
    client_view_words = forms.CharField(
        label=_("The client's view in their own words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length_of(RelationshipPeriod, "client_view_words"),
    )
    closed_on = forms.DateField(label=_("Closing date"), widget=date_input())
    confirm = forms.BooleanField(label=_("Yes, close the client relationship"))


class CoordinationReviewForm(forms.Form):
    """The coordination review: is coordination still needed, and did it help?"""

    reviewed_on = forms.DateField(label=_("Review date"), widget=date_input())
    decision = forms.ChoiceField(
        label=_("Is coordination still needed?"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    next_review_on = forms.DateField(
        label=_("Next review point"),
        required=False,
        widget=date_input(),
        help_text=_("When coordination continues: the day to ask again."),
    )
    client_view = forms.ChoiceField(
        label=_("Did coordination help, in the client's view?"), choices=ClientView.choices, widget=forms.RadioSelect
    )
    client_view_words = forms.CharField(
        label=_("The client's view in their own words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length_of(CoordinationReview, "client_view_words"),
    )
    note = forms.CharField(
        label=_("Grounds for the decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length_of(CoordinationReview, "note"),
    )


class ConsultationForm(forms.Form):
    """A one-off consultation of the client's basic details and assessment. The professional is
    validated against ``people`` but chosen among those ``offer`` shows alone (a search's finds):
    a county's 1,500 professionals in one select took over a second to render."""

    professional = PersonChoiceField(
        label=_("Professional"),
        queryset=User.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Search for the professional and choose them."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=max_length_of(Consultation, "reason"), widget=forms.Textarea(attrs={"rows": 2})
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=date_input(),
        help_text=_("Leave empty for the default length. A consultation lasts at most the configured number of days."),
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["professional"].queryset = people  # type: ignore[attr-defined]
        self.offer([])

    def offer(self, shown: Iterable[User]) -> None:
        """The people to choose among (after the queryset, which would offer every one)."""
        self.fields["professional"].widget.choices = [(person.pk, person_label(person)) for person in shown]
