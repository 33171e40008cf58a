"""The inbox pages: the list, the header's unread count (polled with htmx), read / snooze /
done, and the email preferences. htmx requests get the row or the badge; others a redirect."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.decorators import StaffRequest, staff_required
from core.pages import submit
from core.params import query_page
from portal import selectors as portal_selectors

from . import selectors, services
from .forms import PreferencesForm, SnoozeForm
from .models import Reminder

PAGE_SIZE = 50
# The event that makes the header's badge count again.
CHANGED = "remindersChanged"


@staff_required
@require_GET
def inbox(request: StaffRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(request.user), PAGE_SIZE).get_page(query_page(request))
    selectors.log_shown(user=request.user, reminders=list(page.object_list), what="reminders")
    context = {
        "page": page,
        "today": timezone.localdate(),
        "snooze_form": SnoozeForm(),
        # What the worker's clients have sent in the portal (messages, their views).
        "from_clients": portal_selectors.unread_from_clients(request.user),
    }
    return render(request, "reminders/inbox.html", context)


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
