"""Every write of client data: one transaction each, validated, audited."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.access import Ground
from caseflow.accounts.models import User
from caseflow.audit.models import AccessEvent
from caseflow.audit.services import record_access

from .identity_code import birth_date
from .models import Assignment, Client

EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "identity_code",
    "municipality",
    "preferred_language",
    "phone",
    "email",
    "address",
)


def _validate(client: Client) -> None:
    client.full_clean()
    if client.identity_code and birth_date(client.identity_code) != client.date_of_birth:
        raise ValidationError({"date_of_birth": _("The date of birth does not match the personal identity code.")})


@transaction.atomic
def create_client(*, by: User, fields: dict[str, Any], started_on: date | None = None) -> Client:
    """Registers a client with ``by`` as their designated coordinator from ``started_on``."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    client = Client(**fields)
    _validate(client)
    client.save()
    assign_coordinator(
        client=client, coordinator=by, started_on=started_on or timezone.localdate(), reason=_("New client")
    )
    record_access(
        actor=by, client=client, action=AccessEvent.Action.CREATE, what="client", ground=Ground.DESIGNATED_COORDINATOR
    )
    return client


@transaction.atomic
def update_client(*, client: Client, by: User, ground: str, fields: dict[str, Any]) -> Client:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(client, name, value)
    _validate(client)
    client.save(update_fields=[*fields, "updated_at"])
    record_access(actor=by, client=client, action=AccessEvent.Action.CHANGE, what="client", ground=ground)
    return client


@transaction.atomic
def assign_coordinator(*, client: Client, coordinator: User, started_on: date, reason: str = "") -> Assignment:
    """Closes the client's open assignment, if any, and opens one for ``coordinator``. The
    database allows one open assignment per client, so two concurrent calls cannot both win."""
    current = Assignment.objects.select_for_update().filter(client=client, ended_on__isnull=True).first()
    if current is not None:
        if current.started_on > started_on:
            raise ValidationError({"started_on": _("The new assignment cannot start before the current one.")})
        current.ended_on = started_on
        current.save(update_fields=["ended_on"])
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                client=client, coordinator=coordinator, started_on=started_on, reason=reason
            )
    except IntegrityError as error:
        raise ValidationError(_("The client was assigned to another coordinator at the same moment.")) from error
