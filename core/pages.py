"""What every page view shares: refusing the wrong ground, and putting a service's errors on
the form that has the field."""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def add_errors(error: ValidationError, *forms_: forms.BaseForm, rename: Mapping[str, str] | None = None) -> None:
    """Puts a service's errors on the form that has the field (renamed where the service's
    name differs from the form's); the rest on the first form as a whole."""
    if not hasattr(error, "error_dict"):
        forms_[0].add_error(None, error)
        return
    for name, messages_ in error.message_dict.items():
        field = (rename or {}).get(name, name)
        owner = next((form for form in forms_ if field in form.fields), None)
        if owner is None:
            forms_[0].add_error(None, messages_)
        else:
            owner.add_error(field, messages_)
