"""Reads of client data, scoped to what the user may see and logged where they show it."""

from django.db.models import Q, QuerySet

from caseflow import access
from caseflow.accounts.models import User
from caseflow.audit.models import AccessEvent
from caseflow.audit.services import record_access, record_list_access

from .models import Assignment, Client

CASELOAD_ORDERINGS: dict[str, tuple[str, ...]] = {
    "name": ("client__last_name", "client__first_name", "pk"),
    "-name": ("-client__last_name", "-client__first_name", "-pk"),
    "age": ("-client__date_of_birth", "pk"),
    "-age": ("client__date_of_birth", "pk"),
    "since": ("-started_on", "pk"),
    "-since": ("started_on", "pk"),
}


def caseload(*, coordinator: User, search: str = "", order: str = "name") -> QuerySet[Assignment]:
    """The open assignments of ``coordinator`` with their clients, in one query. The caller
    has authorised the viewer through ``access.caseload_owner_for``."""
    assignments = Assignment.objects.filter(coordinator=coordinator, ended_on__isnull=True).select_related("client")
    for word in search.split():
        assignments = assignments.filter(Q(client__last_name__icontains=word) | Q(client__first_name__icontains=word))
    return assignments.order_by(*CASELOAD_ORDERINGS.get(order, CASELOAD_ORDERINGS["name"]))


def log_caseload_shown(*, viewer: User, assignments: list[Assignment], ground: str) -> None:
    record_list_access(actor=viewer, clients=(a.client for a in assignments), what="caseload", ground=ground)


def client_for_reading(*, user: User, pk: int, what: str) -> Client:
    """Fetches, authorises and logs one read of a client's record: the one way a page or an
    endpoint opens a client, so that none can forget the check or the log."""
    client = access.client_for(user, pk)
    record_access(actor=user, client=client, action=AccessEvent.Action.VIEW, what=what, ground=client.access_ground)
    return client


def assignment_history(client: Client) -> QuerySet[Assignment]:
    return client.assignments.select_related("coordinator").order_by("-started_on", "-pk")
