from django import forms

from accounts.models import User
from core.forms import FastSelect, FastSelectMultiple


def person_label(user: User) -> str:
    """A professional named with their profession, so that the right one is chosen."""
    name = user.get_full_name() or user.username
    return f"{name} ({user.get_profession_display()})" if user.profession else name


class PersonChoiceField(forms.ModelChoiceField[User]):
    widget = FastSelect

    def label_from_instance(self, obj: User) -> str:
        return person_label(obj)


class PeopleField(forms.ModelMultipleChoiceField[User]):
    widget = FastSelectMultiple

    def label_from_instance(self, obj: User) -> str:
        return person_label(obj)
