from django import forms

from accounts.models import Profession, User
from core.forms import FastSelect, FastSelectMultiple


def person_label(user: User) -> str:
    """A professional named with their profession, so that the right one is chosen."""
    name = user.get_full_name() or user.username
    if not user.profession:
        return name
    # The label by its enum member: ``get_profession_display`` hashed every (lazy) choice of
    # the field on each call, a millisecond an option in a picker of 1,500 people.
    label = Profession(user.profession).label if user.profession in Profession.values else user.profession
    return f"{name} ({label})"


class PersonChoiceField(forms.ModelChoiceField[User]):
    widget = FastSelect

    def label_from_instance(self, obj: User) -> str:
        return person_label(obj)


class PeopleField(forms.ModelMultipleChoiceField[User]):
    widget = FastSelectMultiple

    def label_from_instance(self, obj: User) -> str:
        return person_label(obj)
