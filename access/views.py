"""The access log page of the data-protection role."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.params import BadParameterError, query_pk

from . import policy, selectors
from .decorators import StaffRequest, staff_required


@staff_required
@require_GET
def access_log(request: StaffRequest) -> HttpResponse:
    """A client's access log by the client's number: the data-protection role's, of any client;
    a named worker's, of their own client (from the client's page). Every read is itself
    logged. The page names no client: the number is what the request gives."""
    try:
        client_pk, invalid = query_pk(request, "client"), False
    except BadParameterError:
        client_pk, invalid = None, True
    if client_pk is None and not policy.may_read_access_log(request.user):
        return render(request, "403.html", status=403)
    events = None
    if client_pk is not None:
        _client, events = selectors.access_log_for(user=request.user, client_pk=client_pk)
    context = {"client_pk": client_pk, "events": events, "invalid": invalid}
    return render(request, "access/access_log.html", context, status=400 if context["invalid"] else 200)
