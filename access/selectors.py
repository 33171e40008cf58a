"""The one family of helpers that opens a client, or an object through its client, for a page
or an endpoint: fetch, authorise and log the read in one call, so that none can forget the
check or the log. 404 for what the user may not see; 403 for a part of the record or an
action their ground does not allow."""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from accounts import selectors as account_selectors
from accounts.models import User
from clients.models import Client

from . import log, policy
from .models import AccessEvent, Consultation, ReturningClient, Section
from .services import record_access


def client_for_reading(
    *, user: User, pk: int, what: str, section: str | None = None, may: frozenset[str] | None = None
) -> Client:
    """The client ``pk``, authorised for ``section`` of the record and (with ``may``) for an
    action on one of those grounds, its read logged as ``what``."""
    client = policy.client_for(user, pk)
    if section is not None:
        policy.require_section(user, client, section)
    if may is not None and client.access_ground not in may:
        raise PermissionDenied
    record_access(actor=user, client=client, action=AccessEvent.Action.VIEW, what=what, ground=client.access_ground)
    return client


def client_of(
    model: type[Model],
    pk: int,
    *,
    user: User,
    what: str,
    section: str,
    through: str = "client",
    may: frozenset[str] | None = None,
) -> Client:
    """The client of ``model`` object ``pk`` (reached by the lookup ``through``), opened as
    ``client_for_reading`` does; 404 as well where there is no such object."""
    client_pk = model._default_manager.filter(pk=pk).values_list(through, flat=True).first()
    if client_pk is None:
        raise Http404
    return client_for_reading(user=user, pk=client_pk, what=what, section=section, may=may)


def consultations_of(client: Client) -> QuerySet[Consultation]:
    """The client's consultations, the newest first, with the people named (one query)."""
    return client.consultations.select_related("professional", "granted_by", "revoked_by").order_by("-starts_on", "-pk")


def consultation_candidates(by: User) -> QuerySet[User]:
    """Whom ``by`` may grant a consultation to, as ``grants.grant_consultation`` decides it: an
    active professional whom relations may open a client to (``policy.sees_clients``: no
    administrator, data-protection officer or superuser), never ``by`` themself."""
    return policy.seeing_clients(account_selectors.professionals()).exclude(pk=by.pk)


def consultation_for(*, user: User, pk: int, what: str) -> Consultation:
    """A consultation opened through its client, by someone who manages the client: authorised
    and logged; the consultation's ``client`` carries the ``access_ground``."""
    client = client_of(Consultation, pk, user=user, what=what, section=Section.BASIC, may=policy.Ground.MAY_MANAGE)
    consultation = Consultation.objects.select_related("professional").get(pk=pk)
    consultation.client = client
    return consultation


ACCESS_LOG_PAGE = 200


def access_log_for(*, user: User, client_pk: int) -> tuple[Client, list[AccessEvent]]:
    """The latest events of a client's access log: for the data-protection role, of any
    client; for the client's named worker, of their own client (to answer the client's
    request). 404 for what the user may not see, 403 on another ground; the read is logged."""
    if policy.may_read_access_log(user):
        found = Client.objects.filter(pk=client_pk).first()
        if found is None:
            raise Http404
        client = found
        record_access(
            actor=user,
            client=client,
            action=AccessEvent.Action.VIEW,
            what="access_log",
            ground=policy.Ground.DATA_PROTECTION,
        )
    else:
        client = client_for_reading(
            user=user, pk=client_pk, what="access_log", may=frozenset({policy.Ground.DESIGNATED_COORDINATOR})
        )
    # The rows the client sees in their portal (access.log): staff answer the client's request.
    events = list(log.events_about(client).select_related("grantee")[:ACCESS_LOG_PAGE])
    # What and on which ground, in words: the stored codes ("client.overview", "team_lead")
    # are for the machine.
    for event in events:
        event.what_text = log.staff_what_label(event.what)  # type: ignore[attr-defined]
        event.ground_text = log.ground_label(event.ground)  # type: ignore[attr-defined]
    return client, events


def returning_client_for(*, user: User, pk: int, what: str) -> ReturningClient:
    """A returning-client record, opened through its client by someone who manages the client
    (its team's lead): authorised and logged; its ``client`` carries the ``access_ground``."""
    client = client_of(ReturningClient, pk, user=user, what=what, section=Section.BASIC, may=policy.Ground.MAY_MANAGE)
    returning = ReturningClient.objects.select_related("opened_by", "worker").get(pk=pk)
    returning.client = client
    return returning
