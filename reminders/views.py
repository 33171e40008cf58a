"""The inbox pages: the list, the header's unread count (polled with htmx), read / snooze /
done, and the email preferences. htmx requests get the row or the badge; others a redirect."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.decorators import StaffRequest, staff_required
from core.pages import submit
from core.params import query_page
from portal import selectors as portal_selectors

from . import selectors, services
from .forms import PreferencesForm, SnoozeForm, inbox_filter, show_labels
from .models import Kind, Reminder
from .selectors import InboxFilter, Show

# Clients a page of the inbox lists (each with all its open reminders).
CLIENTS_PER_PAGE = 25
# The event that makes the header's badge count again.
CHANGED = "remindersChanged"


@staff_required
@require_GET
def inbox(request: StaffRequest) -> HttpResponse:
    """The inbox by client, then by kind, a page of clients at a time, with its filters; an
    htmx request (the filters changed) gets the list alone."""
    user = request.user
    today = timezone.localdate()
    filters = inbox_filter(request)
    page = Paginator(selectors.inbox_clients(user, today=today, filters=filters), CLIENTS_PER_PAGE).get_page(
        query_page(request)
    )
    client_ids = [row["client_id"] for row in page.object_list]
    groups = selectors.inbox_groups(user, client_ids, today=today, filters=filters)
    selectors.log_shown(
        user=user, reminders=[r for group in groups for kind in group.kinds for r in kind.reminders], what="reminders"
    )
    context = {
        "page": page,
        "groups": groups,
        "filters": filters,
        "kind_choices": Kind.choices,
        "show_choices": show_labels(),
        "filter_query": _filter_query(filters),
        "today": today,
        "snooze_form": SnoozeForm(),
    }
    if request.htmx:
        return render(request, "reminders/_inbox_list.html", context)
    context |= {
        "on_due_list": selectors.on_own_due_list(user, today=today),
        # What the worker's clients have sent in the portal (messages, their views).
        "from_clients": portal_selectors.unread_from_clients(user),
    }
    return render(request, "reminders/inbox.html", context)


def _filter_query(filters: InboxFilter) -> str:
    """The filters as a query string, for the pages' links."""
    values = {"kind": filters.kind, "client": filters.client_id or "", "show": filters.show}
    return urlencode({name: value for name, value in values.items() if value and value != Show.ALL})


@staff_required
@require_GET
def unread_count(request: StaffRequest) -> HttpResponse:
    return render(request, "reminders/_unread_badge.html", {"unread": selectors.unread_count(request.user)})


def _after_change(request: StaffRequest, reminder: Reminder, *, gone: bool) -> HttpResponse:
    if not request.htmx:
        return redirect("reminders")
    context = {"reminder": reminder, "today": timezone.localdate(), "snooze_form": SnoozeForm()}
    response = HttpResponse("") if gone else render(request, "reminders/_reminder.html", context)
    response["HX-Trigger"] = CHANGED
    return response


@staff_required
@require_POST
def mark_read(request: StaffRequest, pk: int) -> HttpResponse:
    reminder = selectors.reminder_with_client(request.user, pk, what="reminder")
    services.mark_read(reminder=reminder)
    return _after_change(request, reminder, gone=False)


@staff_required
@require_POST
def mark_done(request: StaffRequest, pk: int) -> HttpResponse:
    reminder = selectors.reminder_with_client(request.user, pk, what="reminder")
    services.mark_done(reminder=reminder)
    return _after_change(request, reminder, gone=True)


@staff_required
@require_POST
def snooze(request: StaffRequest, pk: int) -> HttpResponse:
    reminder = selectors.reminder_with_client(request.user, pk, what="reminder")
    form = SnoozeForm(request.POST)
    outcome = submit(lambda: services.snooze(reminder=reminder, until=form.cleaned_data["snoozed_until"]), form)
    if not outcome.done:
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        if request.htmx:
            response = HttpResponse(message, status=outcome.status)
            response["HX-Reswap"] = "none"
            return response
        messages.error(request, message)
        return redirect("reminders")
    return _after_change(request, reminder, gone=True)


@staff_required
@require_http_methods(["GET", "POST"])
def preferences(request: StaffRequest) -> HttpResponse:
    sent = request.method == "POST"
    form = PreferencesForm(request.POST if sent else None, current=selectors.email_preferences(request.user))
    outcome = submit(
        lambda: services.set_email_preferences(user=request.user, by_email=form.cleaned_data), form, sent=sent
    )
    if outcome.done:
        messages.success(request, _("Your reminder settings were saved."))
        return redirect("reminder-preferences")
    return render(request, "reminders/preferences.html", {"form": form}, status=outcome.status)
