from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Kind


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
