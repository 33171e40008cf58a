"""The client's portal pages (/oma/) and the coordinator's page of a client's portal use.
Thin: ``access.portal`` opens the client (and logs the read), selectors read, services write."""

from collections.abc import Callable
from functools import partial, wraps
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import log as access_log
from access import portal as portal_access
from access import selectors as access_selectors
from access.decorators import StaffRequest, staff_required
from access.policy import Ground
from accounts.models import User
from clients.models import Client
from clients.services import ensure_open
from core.pages import NOT_SENT, Outcome, Undone, submit
from core.params import MAX_QUERY_VALUE, query_page, query_text
from networks.selectors import meeting_invitation

from . import selectors, services
from .forms import (
    ConsentForm,
    EndRepresentativeForm,
    HeardForm,
    MessageForm,
    MonthForm,
    PortalSwitchForm,
    RepresentativeForm,
    ViewForm,
)

SESSION_CLIENT = portal_access.SESSION_CLIENT


class PortalRequest(HttpRequest):
    user: User


View = Callable[..., HttpResponse]


def portal_required(view: View) -> View:
    """Sends the anonymous to the portal's sign-in; staff get "not found"; a user who may open
    several clients' portals chooses one first."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('portal-sign-in')}?next={request.path}")
        if not portal_access.is_portal_user(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class ChoiceNeededError(Exception):
    """The user may open more than one client's portal (or none) and has not chosen."""


def _open(request: PortalRequest, what: str) -> Client:
    chosen = request.session.get(SESSION_CLIENT)
    if chosen is None and portal_access.portal_clients(request.user).count() != 1:
        raise ChoiceNeededError
    return portal_access.portal_client_reading(user=request.user, pk=chosen, what=what)


def portal_page(view: Callable[..., HttpResponse], what: str) -> View:
    """A portal page: signed in as a portal user, the client opened and the read logged."""

    @portal_required
    @wraps(view)
    def wrapped(request: PortalRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            client = _open(request, what)
        except ChoiceNeededError:
            return redirect("portal-choose")
        return view(request, client, *args, **kwargs)

    return wrapped


def _page(
    request: PortalRequest, client: Client, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {
        "client": client,
        "by_representative": portal_access.is_representative(client),
        "several": request.session.get(SESSION_CLIENT) is not None,
        **context,
    }
    return render(request, template, context, status=status)


# Signing in and out.


@require_GET
def sign_in(request: HttpRequest) -> HttpResponse:
    """The portal's sign-in page: strong identification (OpenID Connect through the
    organisation's identity broker), and in the demo a stand-in for it."""
    if portal_access.is_portal_user(request.user):
        return redirect("portal-home")
    next_page = query_text(request, "next", max_length=MAX_QUERY_VALUE)
    context = {
        "oidc": bool(getattr(settings, "OIDC_RP_CLIENT_ID", "")),
        "demo": settings.PORTAL_DEMO_SIGN_IN,
        "next": next_page if next_page.startswith("/oma/") else "",
    }
    return render(request, "portal/sign_in.html", context)


@require_http_methods(["GET", "POST"])
def demo_sign_in(request: HttpRequest) -> HttpResponse:
    """A stand-in for strong identification, only under the demo settings: lists a few
    seeded portal users to sign in as."""
    if not settings.PORTAL_DEMO_SIGN_IN:
        raise Http404
    people = selectors.demo_people()
    if request.method == "POST":
        chosen = next((person for person in people if str(person.user.pk) == request.POST.get("user")), None)
        if chosen is None:
            return render(request, "portal/demo_sign_in.html", {"people": people, "error": True}, status=400)
        logout(request)
        login(request, chosen.user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("portal-home")
    return render(request, "portal/demo_sign_in.html", {"people": people})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal-sign-in")


@require_http_methods(["GET", "POST"])
@portal_required
def choose(request: PortalRequest) -> HttpResponse:
    """A representative (or a client who also represents someone) chooses whose portal to open."""
    clients = list(portal_access.portal_clients(request.user).order_by("last_name", "first_name", "pk"))
    if request.method == "POST":
        chosen = next((client for client in clients if str(client.pk) == request.POST.get("client")), None)
        if chosen is None:
            return render(request, "portal/choose.html", {"clients": clients, "error": True}, status=400)
        request.session[SESSION_CLIENT] = chosen.pk
        return redirect("portal-home")
    if len(clients) == 1 and SESSION_CLIENT not in request.session:
        return redirect("portal-home")
    return render(request, "portal/choose.html", {"clients": clients})


# The client's pages.


def _home(request: PortalRequest, client: Client) -> HttpResponse:
    return _page(request, client, "portal/home.html", selectors.home(client))


def _plan(request: PortalRequest, client: Client, pk: int | None = None) -> HttpResponse:
    version = selectors.plan_version(client, pk)
    services.record_plan_read(client=client, version=version)
    context = {
        "version": version,
        "changes": selectors.plan_changes(version),
        "versions": selectors.published_versions(client),
        "pdf_ready": selectors.plan_has_pdf(version),
        "latest": selectors.latest_published(client),
    }
    return _page(request, client, "portal/plan.html", context)


def _plan_none(request: PortalRequest, client: Client) -> HttpResponse:
    if selectors.latest_published(client) is None:
        return _page(request, client, "portal/plan.html", {"version": None})
    return _plan(request, client)


def _plan_pdf(request: PortalRequest, client: Client, pk: int) -> HttpResponse:
    pdf = selectors.plan_pdf(client, pk)
    response = HttpResponse(bytes(pdf.content or b""), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="asiakassuunnitelma-{pk}.pdf"'
    return response


def _view(request: PortalRequest, client: Client) -> HttpResponse:
    version = selectors.latest_published(client)
    goals = list(version.goals.order_by("order", "pk")) if version else []
    form = ViewForm(request.POST if request.method == "POST" else None, goals=goals)
    outcome: Outcome[Any] = submit(
        lambda: services.write_view(
            client=client, by=request.user, text=form.cleaned_data["text"], ratings=form.ratings()
        ),
        form,
        check=partial(ensure_open, client),
        sent=request.method == "POST",
    )
    if outcome.done:
        messages.success(request, _("Thank you. Your view was sent to your worker."))
        return redirect("portal-view")
    context = {
        "form": form,
        "outcome": outcome,
        "views": selectors.views_of(client)[:5],
        "reviews": selectors.reviews_to_answer(client),
    }
    return _page(request, client, "portal/view.html", context, status=outcome.status)


def _heard(request: PortalRequest, client: Client, pk: int) -> HttpResponse:
    review = selectors.review_of(client, pk)
    form = HeardForm(request.POST if request.method == "POST" else None)
    outcome: Outcome[Any] = submit(
        lambda: services.answer_heard(client=client, review=review, by=request.user, **form.cleaned_data),
        form,
        sent=request.method == "POST",
    )
    if outcome.done:
        messages.success(request, _("Thank you for your answer."))
        return redirect("portal-view")
    return _page(request, client, "portal/heard.html", {"form": form, "review": review}, status=outcome.status)


def _log(request: PortalRequest, client: Client) -> HttpResponse:
    form = MonthForm(request.GET)
    if not form.is_valid():
        return _page(request, client, "portal/log.html", {"form": form, "rows": []}, status=HTTPStatus.BAD_REQUEST)
    month = form.month_start()
    page, rows = access_log.who_has_looked(client, month=month, page=query_page(request))
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "months": access_log.months_in_look_back(),
        "month": form.cleaned_data.get("month") or "",
    }
    return _page(request, client, "portal/log.html", context)


def _consent_form(client: Client, data: Any = None) -> ConsentForm:
    return ConsentForm(data, members=selectors.network(client), prefix="consent")


def _consents(request: PortalRequest, client: Client) -> HttpResponse:
    form = _consent_form(client, request.POST if request.method == "POST" else None)
    outcome: Outcome[Any] = submit(
        lambda: services.give_consent(
            client=client,
            by=request.user,
            member=form.cleaned_data["member"],
            sections=form.cleaned_data["sections"],
            purpose=form.cleaned_data["purpose"],
            valid_until=form.cleaned_data["valid_until"],
        ),
        form,
        check=partial(ensure_open, client),
        sent=request.method == "POST",
    )
    if outcome.done:
        messages.success(request, _("Your consent is now in force."))
        return redirect("portal-consents")
    return _consents_page(request, client, form, outcome)


def _consents_page(request: PortalRequest, client: Client, form: ConsentForm, outcome: Undone) -> HttpResponse:
    context = {
        "form": form,
        "outcome": outcome,
        "network": selectors.network(client),
        "consents": selectors.consents_in_force(client),
    }
    return _page(request, client, "portal/consents.html", context, status=outcome.status)


def _withdraw_consent(request: PortalRequest, client: Client, pk: int) -> HttpResponse:
    consent = selectors.consent_of(client, pk)
    outcome: Outcome[Any] = submit(lambda: services.withdraw_consent(client=client, consent=consent, by=request.user))
    if outcome.done:
        messages.success(request, _("The consent was withdrawn. It no longer applies from today."))
        return redirect("portal-consents")
    return _consents_page(request, client, _consent_form(client), outcome)


def _messages(request: PortalRequest, client: Client) -> HttpResponse:
    form = MessageForm(request.POST if request.method == "POST" else None)
    outcome: Outcome[Any] = submit(
        lambda: services.send_to_worker(client=client, by=request.user, text=form.cleaned_data["text"]),
        form,
        check=partial(ensure_open, client),
        sent=request.method == "POST",
    )
    if outcome.done:
        messages.success(request, _("Your message was sent to your worker."))
        return redirect("portal-messages")
    context = {
        "form": form,
        "outcome": outcome,
        "received": list(selectors.messages_of(client)[:50]),
        "sent": selectors.sent_messages(client)[:50],
    }
    response = _page(request, client, "portal/messages.html", context, status=outcome.status)
    services.mark_messages_seen(client=client)
    return response


def _assessments(request: PortalRequest, client: Client) -> HttpResponse:
    return _page(request, client, "portal/assessments.html", {"assessments": selectors.completed_assessments(client)})


def _assessment(request: PortalRequest, client: Client, pk: int) -> HttpResponse:
    assessment, grid = selectors.assessment_of(client, pk)
    return _page(request, client, "portal/assessment.html", {"assessment": assessment, "grid": grid})


def _budgets(request: PortalRequest, client: Client) -> HttpResponse:
    budgets = list(selectors.budgets(client))
    if len(budgets) == 1:
        return redirect("portal-budget", pk=budgets[0].pk)
    return _page(request, client, "portal/budgets.html", {"budgets": budgets})


def _budget(request: PortalRequest, client: Client, pk: int) -> HttpResponse:
    return _page(request, client, "portal/budget.html", selectors.budget_of(client, pk))


def _meetings(request: PortalRequest, client: Client) -> HttpResponse:
    upcoming, past = selectors.meetings(client)
    return _page(request, client, "portal/meetings.html", {"upcoming": upcoming, "past": past})


def _meeting_ics(request: PortalRequest, client: Client, pk: int) -> HttpResponse:
    meeting = selectors.upcoming_meeting_of(client, pk)
    response = HttpResponse(meeting_invitation(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="verkostopalaveri-{meeting.pk}.ics"'
    return response


home = require_http_methods(["GET"])(portal_page(_home, "portal.home"))
plan = require_http_methods(["GET"])(portal_page(_plan_none, "portal.care_plan"))
plan_version = require_http_methods(["GET"])(portal_page(_plan, "portal.care_plan"))
plan_pdf = require_http_methods(["GET"])(portal_page(_plan_pdf, "portal.care_plan.pdf"))
view = require_http_methods(["GET", "POST"])(portal_page(_view, "portal.view"))
heard = require_http_methods(["GET", "POST"])(portal_page(_heard, "portal.heard"))
access_log_page = require_http_methods(["GET"])(portal_page(_log, "portal.access_log"))
consents = require_http_methods(["GET", "POST"])(portal_page(_consents, "portal.consents"))
consent_withdraw = require_POST(portal_page(_withdraw_consent, "portal.consent"))
messages_page = require_http_methods(["GET", "POST"])(portal_page(_messages, "portal.messages"))
assessments = require_http_methods(["GET"])(portal_page(_assessments, "portal.assessments"))
assessment = require_http_methods(["GET"])(portal_page(_assessment, "portal.assessment"))
budgets = require_http_methods(["GET"])(portal_page(_budgets, "portal.budget"))
budget = require_http_methods(["GET"])(portal_page(_budget, "portal.budget"))
meetings = require_http_methods(["GET"])(portal_page(_meetings, "portal.meetings"))
meeting_ics = require_http_methods(["GET"])(portal_page(_meeting_ics, "portal.meeting.ics"))


# The coordinator's side.


def _staff_action(request: StaffRequest, client: Client) -> tuple[Outcome[Any], dict[str, Any]]:
    action = request.POST.get("action", "")
    switch = PortalSwitchForm(request.POST if action == "switch" else None, prefix="switch")
    representative = RepresentativeForm(request.POST if action == "representative" else None, prefix="rep")
    end = EndRepresentativeForm(request.POST if action == "end" else None, prefix="end")
    forms = {"switch_form": switch, "representative_form": representative, "end_form": end}
    ground = client.access_ground
    if action == "switch":
        outcome: Outcome[Any] = submit(
            lambda: services.set_portal_enabled(
                client=client, enabled=switch.cleaned_data["enabled"], by=request.user, ground=ground
            ),
            switch,
        )
    elif action == "representative":
        outcome = submit(
            lambda: services.add_representative(
                client=client, by=request.user, ground=ground, **representative.cleaned_data
            ),
            representative,
            check=partial(ensure_open, client),
        )
    elif action == "end":
        target = selectors.representative_of(client, _int(request.POST.get("representative")))
        outcome = submit(
            lambda: services.end_representative(
                representative=target, ends_on=end.cleaned_data["ends_on"], by=request.user, ground=ground
            ),
            end,
        )
    else:
        outcome = NOT_SENT if request.method == "GET" else submit(lambda: None, sent=False)
    return outcome, forms


def _int(value: str | None) -> int:
    if value is None or not value.isdigit() or len(value) > 18:
        raise Http404
    return int(value)


@staff_required
@require_http_methods(["GET", "POST"])
def client_portal(request: StaffRequest, pk: int) -> HttpResponse:
    """The coordinator's page of the client's portal use: on or off, last sign-in, whether the
    latest plan was read, representatives, and what the client has sent (views, messages)."""
    may = Ground.MAY_CHANGE if request.method == "POST" else None
    client = access_selectors.client_for_reading(user=request.user, pk=pk, what="client.portal", may=may)
    outcome, forms = _staff_action(request, client)
    if request.method == "POST" and outcome.done:
        messages.success(request, _("Saved."))
        return redirect("client-portal", pk=client.pk)
    context = {"client": client, "outcome": outcome, **forms, **selectors.staff_side(client)}
    if request.method == "GET" and client.access_ground in Ground.MAY_CHANGE:
        services.mark_views_read(client=client)
        services.mark_worker_messages_read(client=client)
    status = outcome.status if isinstance(outcome, Undone) else HTTPStatus.OK
    if request.method == "POST" and request.POST.get("action") not in {"switch", "representative", "end"}:
        status = HTTPStatus.BAD_REQUEST
    return render(request, "portal/staff_client_portal.html", context, status=status)
