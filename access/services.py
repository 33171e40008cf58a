from collections.abc import Iterable

from accounts.models import User
from clients.models import Client

from .models import AccessEvent


def record_access(*, actor: User, client: Client, action: str, what: str, ground: str) -> AccessEvent:
    """Logs one access to a client's data; called by the service or selector that does it."""
    return AccessEvent.objects.create(actor=actor, client=client, action=action, what=what, ground=ground)


def record_list_access(*, actor: User, clients: Iterable[Client], what: str, ground: str | None = None) -> None:
    """Logs that a list showed these clients, in one statement whatever their number; without
    ``ground``, each client's own (as ``access.policy.visible_clients`` annotates it)."""
    AccessEvent.objects.bulk_create(
        AccessEvent(
            actor=actor, client=client, action=AccessEvent.Action.LIST, what=what, ground=ground or client.access_ground
        )
        for client in clients
    )
