"""Who may open which client's portal: the client themselves (their own record and nothing
else, while the coordinator has turned the portal on) and a representative recorded for the
client, between the representative's dates. Staff have no portal: to them it is "not found".

Every portal read is written into the access log with the reader as actor and, as its ground,
whether the client or a representative read (asiakastietolaki 703/2023 §§ on the log)."""

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from clients.models import Client
from portal.models import PortalAccount, Representative

from .models import AccessEvent
from .services import record_access

# Where the session keeps whose portal a representative opened.
SESSION_CLIENT = "portal_client_pk"
# The grounds of a portal read, written into the access log.
OWN_PORTAL = "portal_client"
REPRESENTATIVE = "portal_representative"
LABELS = {
    OWN_PORTAL: _("the client in their own portal"),
    REPRESENTATIVE: _("the client's representative in the portal"),
}


def is_portal_user(user: object) -> bool:
    """A signed-in, active user of the portal (a client or a representative), never staff."""
    return bool(
        getattr(user, "is_authenticated", False) and getattr(user, "is_active", False) and user.role == Role.CLIENT  # type: ignore[attr-defined]
    )


def active_representations(user: User) -> QuerySet[Representative]:
    today = timezone.localdate()
    return Representative.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), user=user, starts_on__lte=today
    )


def portal_clients(user: User) -> QuerySet[Client]:
    """The clients whose portal ``user`` may open, each annotated with ``access_ground``: their
    own (if turned on) and those they represent today (if turned on)."""
    if not is_portal_user(user):
        return Client.objects.none()
    enabled = PortalAccount.objects.filter(client=OuterRef("pk"), enabled=True)
    represented = Q(Exists(enabled)) & Q(pk__in=active_representations(user).values("client"))
    # The candidates first, each through its index (the user's own account, their
    # representations): the grounds alone were an EXISTS test on every client of the county.
    candidates = (
        PortalAccount.objects.filter(user=user)
        .values("client")
        .union(active_representations(user).order_by().values("client"))
    )
    return (
        Client.objects.filter(pk__in=candidates)
        .annotate(own=Exists(enabled.filter(user=user)))
        .filter(Q(own=True) | represented)
        .annotate(  # type: ignore[no-redef]  # declared on Client for the callers' sake
            access_ground=Case(When(own=True, then=Value(OWN_PORTAL)), default=Value(REPRESENTATIVE))
        )
    )


def portal_client_for(user: User, pk: int | None) -> Client:
    """The client ``pk`` whose portal ``user`` opens, with the ground; 404 for anyone else's.
    Without ``pk``, the only client the user may open (404 when none, or more than one)."""
    clients = list(portal_clients(user))
    if pk is None:
        if len(clients) != 1:
            raise Http404
        return clients[0]
    for client in clients:
        if client.pk == pk:
            return client
    raise Http404


def portal_client_reading(*, user: User, pk: int | None, what: str) -> Client:
    """Opens the client's portal for ``user`` and logs the read as ``what``, recording whether
    the client or their representative read."""
    client = portal_client_for(user, pk)
    record_access(actor=user, client=client, action=AccessEvent.Action.VIEW, what=what, ground=client.access_ground)
    return client


def record_portal_change(*, user: User, client: Client, what: str) -> None:
    """Logs a change the client (or representative) made in the portal."""
    record_access(actor=user, client=client, action=AccessEvent.Action.CHANGE, what=what, ground=client.access_ground)


def is_representative(client: Client) -> bool:
    return client.access_ground == REPRESENTATIVE
