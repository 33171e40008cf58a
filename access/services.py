from collections.abc import Iterable
from datetime import date

from django.db import connections, router
from django.utils import timezone

from accounts.models import User
from clients.models import Client
from core.lookups import int_array

from .models import AccessEvent


def record_access(*, actor: User, client: Client, action: str, what: str, ground: str, reason: str = "") -> AccessEvent:
    """Logs one access to a client's data (with its purpose, where it is not the ground's
    own); called by the service or selector that does it."""
    return AccessEvent.objects.create(
        actor=actor, client=client, action=action, what=what, ground=ground, reason=reason
    )


def record_list_access(*, actor: User, clients: Iterable[Client], what: str, ground: str | None = None) -> None:
    """Logs that a list showed these clients, in one statement whatever their number; without
    ``ground``, each client's own (as ``access.policy.visible_clients`` annotates it).

    Every caseload page and API page writes one row per client shown: the rows go as two arrays
    unnested by PostgreSQL, not as a model instance and seven parameters per row
    (``bulk_create``), which cost these pages more time than their SQL."""
    shown = [(client.pk, ground or client.access_ground) for client in clients]
    if not shown:
        return
    connection = connections[router.db_for_write(AccessEvent)]
    names = ("at", "actor", "client", "action", "what", "ground", "reason")
    column = {field.name: str(field.column) for field in AccessEvent._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(column[name]) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(AccessEvent._meta.db_table)} ({columns})"  # noqa: S608 (names from the model)
            " SELECT %s, %s, shown.client, %s, %s, shown.ground, ''"
            " FROM unnest(%s::bigint[], %s::text[]) AS shown (client, ground)",
            [
                timezone.now(),
                actor.pk,
                AccessEvent.Action.LIST,
                what,
                int_array(pk for pk, _ground in shown),
                [client_ground for _pk, client_ground in shown],
            ],
        )


def _record_changes(
    *,
    action: str,
    by: User,
    grants: Iterable[tuple[User | None, Client | int]],
    what: str,
    ground: str,
    reason: str,
    until: date | None,
) -> list[AccessEvent]:
    return AccessEvent.objects.bulk_create(
        AccessEvent(
            actor=by,
            grantee=grantee,
            client_id=client if isinstance(client, int) else client.pk,
            action=action,
            what=what,
            ground=ground,
            reason=reason,
            until=until,
        )
        for grantee, client in grants
    )


def record_grant(
    *,
    by: User,
    grants: Iterable[tuple[User | None, Client | int]],
    what: str,
    ground: str,
    reason: str = "",
    until: date | None = None,
) -> list[AccessEvent]:
    """Logs that ``by`` widened access: each grantee now sees the client (a ``Client`` or its
    primary key) paired with them, on ``ground`` (the actor's), for ``what`` and ``reason``,
    until ``until`` where the access ends by itself. One insert whatever the number. A grantee
    of None is a person with no account yet (a portal representative before their first
    sign-in)."""
    return _record_changes(
        action=AccessEvent.Action.GRANT, by=by, grants=grants, what=what, ground=ground, reason=reason, until=until
    )


def record_revoke(
    *, by: User, grants: Iterable[tuple[User | None, Client | int]], what: str, ground: str, reason: str = ""
) -> list[AccessEvent]:
    """Logs that each grantee no longer sees the client paired with them, by ``by``'s act."""
    return _record_changes(
        action=AccessEvent.Action.REVOKE, by=by, grants=grants, what=what, ground=ground, reason=reason, until=None
    )
