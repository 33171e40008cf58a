from datetime import timedelta
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request

from core.params import query_choice, query_pk

from .models import Kind
from .selectors import InboxFilter, Show


class SnoozeForm(forms.Form):
    snoozed_until = forms.DateField(label=_("Snooze until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["snoozed_until"].initial = timezone.localdate() + timedelta(days=7)


class PreferencesForm(forms.Form):
    """A checkbox per kind: whether it comes by email too."""

    def __init__(self, *args: Any, current: dict[str, bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, by_email in current.items():
            self.fields[kind] = forms.BooleanField(label=Kind(kind).label, required=False, initial=by_email)


def inbox_filter(request: HttpRequest | Request) -> InboxFilter:
    """The inbox's filters from the query, page and API alike: ``kind`` (one of the kinds),
    ``client`` (a client's id), ``show`` (``all``, ``escalated`` or ``own``); a bad one is a 400."""
    return InboxFilter(
        kind=query_choice(request, "kind", Kind.values, ""),
        client_id=query_pk(request, "client"),
        show=query_choice(request, "show", Show.CHOICES, Show.ALL),
    )


def show_labels() -> list[tuple[str, str | Promise]]:
    return [
        (Show.ALL, _("All")),
        (Show.ESCALATED, _("Escalated to me")),
        (Show.OWN, _("My own deadlines")),
    ]
