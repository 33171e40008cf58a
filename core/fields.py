"""Free text with a maximum length that every layer holds: the model's validation (so a service's
``full_clean()`` refuses it), the ModelForm and ModelSerializer fields built from the model, the
plain form and serializer fields that name the model field's limit, and the database itself."""

from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django_stubs_ext import StrOrPromise

# The usual limits, by what a field holds. A field states its own limit where it is declared;
# forms and serializers read it from there (``max_length_of``), never repeat the number.
SHORT_TEXT = 2_000  # a reason, a note, a decision: a few sentences
MEDIUM_TEXT = 4_000  # a paragraph or two: a need, a wish, a handover note
LONG_TEXT = 10_000  # narrative: a summary, a conclusion, the notes of a meeting


class LimitedTextField(models.TextField[str, str]):
    """A TextField (a textarea in forms) whose ``max_length`` is required and enforced: Django's
    own TextField passes it to forms but neither validates it nor tells the database."""

    def __init__(self, verbose_name: StrOrPromise | None = None, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(verbose_name, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        if cls._meta.abstract:
            return
        # The last guard, in the database: a write that skips validation still cannot store a
        # megabyte. A CHECK of the model (which migrations track only when Meta names
        # constraints) rather than the column's ``db_check``, which Django's ALTER FIELD ignores.
        check = LengthCheck(
            condition=LessThanOrEqual(Length(name), self.max_length),
            name=f"{cls._meta.app_label}_{cls._meta.model_name}_{name}_max_length",
        )
        if any(constraint.name == check.name for constraint in cls._meta.constraints):
            return  # a model rendered from a migration's state names it among its Meta's already
        cls._meta.constraints = [*cls._meta.constraints, check]
        cls._meta.original_attrs["constraints"] = cls._meta.constraints


class LengthCheck(models.CheckConstraint):
    """A LimitedTextField's CHECK. Model validation leaves it to the field's own validator, which
    says the same without the query that a CheckConstraint's validation costs on every save."""

    def validate(self, *args: Any, **kwargs: Any) -> None:
        return


def max_length_of(model: type[models.Model], name: str) -> int:
    """The limit a model field declares, for the plain form or serializer field that fills it."""
    field = model._meta.get_field(name)
    length = field.max_length if isinstance(field, models.Field) else None
    if length is None:
        raise ValueError(f"{model.__name__}.{name} declares no max_length")
    return int(length)
