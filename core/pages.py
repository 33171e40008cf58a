"""What every page view shares: the one flow of a page's POST (the forms, then a service, its
refusals on the forms or as a conflict), and putting a service's errors on the form that has
the field."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

from django import forms
from django.core.exceptions import ValidationError

from .errors import ConflictError, RateLimitedError


@dataclass(frozen=True)
class Done[T]:
    """The service did it; ``result`` is what it returned."""

    result: T
    done: Literal[True] = True


@dataclass(frozen=True)
class Undone:
    """Nothing was done: the page is shown again with ``status`` (400 with the errors on the
    forms and, all of them, in ``problems``; 409 with the ``conflict`` message)."""

    status: int = HTTPStatus.OK
    conflict: str = ""
    problems: tuple[str, ...] = ()
    done: Literal[False] = False


type Outcome[T] = Done[T] | Undone
# A page shown, nothing sent.
NOT_SENT = Undone()


def submit[T](
    action: Callable[[], T],
    *forms_: forms.BaseForm | forms.BaseFormSet[Any],
    rename: Mapping[str, str] | None = None,
    check: Callable[[], object] | None = None,
    sent: bool = True,
) -> Outcome[T]:
    """Runs ``action`` (a service) once every form is valid. ``check`` runs first, so that a
    state that forbids any change (a closed client) answers 409 whatever was typed; for a page
    only shown (not ``sent``), it is all that runs. The service's ``ValidationError`` goes on
    the forms (``add_errors``), its ``ConflictError`` into ``conflict``."""
    try:
        if check is not None:
            check()
        if not sent:
            return NOT_SENT
        # Every form validated, so that each shows its own errors.
        valid = [form.is_valid() for form in forms_]
        if not all(valid):
            return Undone(status=HTTPStatus.BAD_REQUEST)
        return Done(action())
    except ConflictError as error:
        return Undone(status=HTTPStatus.CONFLICT, conflict=error.message)
    except RateLimitedError as error:
        return Undone(status=HTTPStatus.TOO_MANY_REQUESTS, conflict=error.message)
    except ValidationError as error:
        owners = [form for form in forms_ if isinstance(form, forms.BaseForm)]
        if owners:
            add_errors(error, *owners, rename=rename)
        return Undone(status=HTTPStatus.BAD_REQUEST, problems=tuple(error.messages))


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
