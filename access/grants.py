"""Grants that widen who sees a client beyond the relations ``policy`` derives: the one place
they are made, checked and logged."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from access.models import AccessEvent
from access.policy import is_staff
from access.services import record_access
from accounts.models import Role, User
from clients.models import Client
from clients.services import ensure_open


@transaction.atomic
def grant_consultation(*, client: Client, professional: User, by: User, ground: str) -> None:
    """A one-off grant to a single client's record (e.g. a consultant asked once): the rare
    per-object permission django-guardian is for."""
    ensure_open(client)
    if not is_staff(professional) or professional.role == Role.ADMINISTRATOR:
        raise ValidationError({"professional": _("Choose a professional.")})
    assign_perm("clients.view_client", professional, client)
    record_access(actor=by, client=client, action=AccessEvent.Action.DISCLOSE, what="consultation", ground=ground)


@transaction.atomic
def revoke_consultation(*, client: Client, professional: User, by: User, ground: str) -> None:
    remove_perm("clients.view_client", professional, client)
    record_access(actor=by, client=client, action=AccessEvent.Action.CHANGE, what="consultation", ground=ground)
