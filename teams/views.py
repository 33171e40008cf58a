from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy
from access.decorators import StaffRequest, staff_required
from access.models import Section
from accounts import selectors as account_selectors
from accounts.models import Role, User
from clients import selectors as client_selectors
from core.db import reading_from_replica
from core.pages import submit
from reminders import selectors as reminder_selectors

from . import export, review, selectors, services
from .forms import (
    BalanceForm,
    DigestForm,
    DrillDownForm,
    MyClientsSearchForm,
    ReassignForm,
    ReviewFilterForm,
    ReviewSettingsForm,
    SubstitutionForm,
    TeamMembershipForm,
)
from .models import ClientKind, Team, TeamMembership


@staff_required
@require_GET
def team_review(request: StaffRequest) -> HttpResponse:
    """The team lead's list of their teams' coordinators with caseload sizes."""
    if not policy.may_review_teams(request.user):
        raise PermissionDenied
    memberships = list(selectors.led_team_members(request.user))
    return render(request, "teams/team_review.html", {"memberships": memberships})


@staff_required
@require_GET
def teams(request: StaffRequest) -> HttpResponse:
    """The user's teams (all for an administrator) with their current sizes."""
    context = {"teams": list(selectors.teams_for(request.user))}
    return render(request, "teams/teams.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def team_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """A team's members over time; its lead or an administrator adds members."""
    user = request.user
    team = get_object_or_404(selectors.teams_for(user), pk=pk)
    may_manage = policy.may_manage_team(user, team)
    sent = request.method == "POST"
    if sent and not may_manage:
        raise PermissionDenied
    today = timezone.localdate()
    form = TeamMembershipForm(
        request.POST if sent else None, people=account_selectors.staff_people(), initial={"started_on": today}
    )
    outcome = submit(lambda: services.add_team_membership(team=team, by=user, **form.cleaned_data), form, sent=sent)
    if outcome.done:
        messages.success(request, _("The member was added to the team."))
        return redirect("team-detail", pk=team.pk)
    return _team_page(request, team, form=form if may_manage else None, status=outcome.status)


def _team_page(
    request: StaffRequest,
    team: Team,
    *,
    form: forms.Form | None = None,
    refusal: services.WorkLeftError | None = None,
    status: int = 200,
) -> HttpResponse:
    """A team's page; after a refused removal, with what the person still carries."""
    user = request.user
    context = {
        "team": team,
        "memberships": list(selectors.team_members(team)),
        "form": form,
        "today": timezone.localdate(),
        "may_manage": policy.may_manage_team(user, team),
        "may_deactivate": user.role == Role.ADMINISTRATOR,
        "refusal": refusal,
    }
    return render(request, "teams/team_detail.html", context, status=status)


def _membership(request: StaffRequest, pk: int, membership_pk: int) -> TeamMembership:
    team = get_object_or_404(selectors.teams_for(request.user), pk=pk)
    return get_object_or_404(selectors.team_members(team), pk=membership_pk)


def _refused_or_done(request: StaffRequest, membership: TeamMembership, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except services.WorkLeftError as refusal:
        return _team_page(request, membership.team, refusal=refusal, status=400)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _team_page(request, membership.team, status=400)
    messages.success(request, done)
    return redirect("team-detail", pk=membership.team.pk)


@staff_required
@require_POST
def team_membership_end(request: StaffRequest, pk: int, membership_pk: int) -> HttpResponse:
    """The team's lead (or an administrator) ends a membership today; a coordinator's only once
    nothing is left with them."""
    membership = _membership(request, pk, membership_pk)
    if not policy.may_manage_team(request.user, membership.team):
        raise PermissionDenied
    return _refused_or_done(
        request,
        membership,
        lambda: services.end_team_membership(membership=membership, ended_on=timezone.localdate(), by=request.user),
        _("The membership was ended."),
    )


@staff_required
@require_POST
def team_member_deactivate(request: StaffRequest, pk: int, membership_pk: int) -> HttpResponse:
    """An administrator deactivates a member, once nothing is left with them."""
    membership = _membership(request, pk, membership_pk)
    if request.user.role != Role.ADMINISTRATOR:
        raise PermissionDenied
    return _refused_or_done(
        request,
        membership,
        lambda: services.deactivate_staff(person=membership.user, by=request.user),
        _("The person was deactivated."),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def substitutions(request: StaffRequest) -> HttpResponse:
    """Substitutions (sijaisuus) the user takes part in or arranged, and a form to arrange one:
    a coordinator for themselves, a team lead for the coordinators of their teams; for anyone
    else there is no one to choose, and the service refuses."""
    user = request.user
    sent = request.method == "POST"
    absent, substitutes = policy.substitution_choices(user)
    form = SubstitutionForm(
        request.POST if sent else None,
        absent=absent,
        substitutes=substitutes,
        initial={
            "absent": user.pk if policy.arranges_own_substitution(user) else None,
            "starts_on": timezone.localdate(),
        },
    )
    outcome = submit(lambda: services.create_substitution(by=user, **form.cleaned_data), form, sent=sent)
    if outcome.done:
        messages.success(request, _("The substitution was arranged."))
        return redirect("substitutions")
    context = {
        "form": form,
        "may_arrange": policy.works_caseloads(user) or form.is_bound,
        "substitutions": selectors.substitutions_for(user),
        "today": timezone.localdate(),
    }
    return render(request, "teams/substitutions.html", context, status=outcome.status)


# The team lead's review (knowledge-based management).


def _lead_only(user: User) -> None:
    if not policy.may_review_teams(user):
        raise PermissionDenied


def _review_context(user: User, filters: ReviewFilterForm) -> dict[str, Any]:
    team_id = filters.cleaned_data.get("team") if filters.is_valid() else None
    trend = (filters.cleaned_data.get("trend") if filters.is_valid() else None) or DEFAULT_TREND
    teams = review.reviewed_teams(user, team_id)
    result = review.build_review(teams)
    led = list(review.reviewed_teams(user))
    return {
        "review": result,
        "chart": review.load_chart(result),
        "summary": review.summary(result),
        "team_id": team_id,
        # The team filter in force, to append to each drill-down link.
        "team_q": f"&team={team_id}" if team_id else "",
        "filters": filters,
        "work_kinds": list(reminder_selectors.work_kind_labels().items()),
        "client_kinds": ClientKind.choices,
        "end_reasons": client_selectors.assignment_end_reasons(),
        "endings": review.endings(teams),
        "settings_form": ReviewSettingsForm(teams=led, initial={"team": team_id or (led[0].pk if led else None)}),
        "digest_form": DigestForm(initial={"enabled": selectors.digest_enabled(user)}),
        **_trends_context(teams, trend),
    }


# The figure the per-coordinator trend shows until the lead chooses another.
DEFAULT_TREND = "weighted_load"


def _trends_context(teams: QuerySet[Team], trend: str) -> dict[str, Any]:
    """The teams' trends (every figure the snapshots keep, a row each) and the coordinators'
    trend of one figure."""
    months = selectors.trends(teams)
    coordinator_months, coordinators = selectors.coordinator_trends(teams)
    return {
        "trends": months,
        "trend_rows": selectors.trend_table(months),
        "trend": trend,
        "trend_label": dict(selectors.coordinator_trend_choices())[trend],
        "coordinator_months": coordinator_months,
        "coordinator_trends": [
            (row, [selectors.trend_value(figures, trend) for figures in row.months]) for row in coordinators
        ],
    }


@staff_required
@require_GET
@reading_from_replica()
def review_page(request: StaffRequest) -> HttpResponse:
    """The lead's review of the teams they lead, together or one team alone."""
    user = request.user
    _lead_only(user)
    filters = ReviewFilterForm(request.GET or None, teams=list(review.reviewed_teams(user)))
    if request.GET and not filters.is_valid():
        return render(request, "teams/review.html", {"filters": filters, "review": None}, status=400)
    return render(request, "teams/review.html", _review_context(user, filters))


def _review_again(request: StaffRequest, status: int, **forms_sent: forms.Form) -> HttpResponse:
    """The review page with a settings form sent back with its errors."""
    context = _review_context(request.user, ReviewFilterForm(teams=list(review.reviewed_teams(request.user))))
    context.update(forms_sent)
    return render(request, "teams/review.html", context, status=status)


@staff_required
@require_POST
def review_threshold(request: StaffRequest) -> HttpResponse:
    """The lead sets the weighted load threshold of one of their teams."""
    user = request.user
    _lead_only(user)
    led = {team.pk: team for team in review.reviewed_teams(user)}
    form = ReviewSettingsForm(request.POST, teams=list(led.values()))

    def save() -> object:
        data = form.cleaned_data
        return services.set_load_threshold(team=led[data["team"]], by=user, load_threshold=data["load_threshold"])

    outcome = submit(save, form)
    if not outcome.done:
        return _review_again(request, outcome.status, settings_form=form)
    messages.success(request, _("The threshold was saved."))
    return redirect("team-review-figures")


@staff_required
@require_POST
def review_digest(request: StaffRequest) -> HttpResponse:
    """The lead turns their weekly review digest on or off."""
    user = request.user
    _lead_only(user)
    form = DigestForm(request.POST)
    outcome = submit(lambda: services.set_digest(lead=user, enabled=form.cleaned_data["enabled"]), form)
    if not outcome.done:
        return _review_again(request, outcome.status, digest_form=form)
    messages.success(request, _("Your digest setting was saved."))
    return redirect("team-review-figures")


@staff_required
@require_http_methods(["GET", "POST"])
def review_clients(request: StaffRequest) -> HttpResponse:
    """The clients behind one number of the review, only those the lead may see (logged);
    the lead reassigns one or many through the handover service."""
    user = request.user
    _lead_only(user)
    drill = DrillDownForm(request.GET)
    if not drill.is_valid():
        return render(request, "teams/review_clients.html", {"drill": drill, "clients": []}, status=400)
    params = drill.cleaned_data
    teams = review.reviewed_teams(user, params["team"])
    sent = request.method == "POST"
    form = ReassignForm(request.POST if sent else None, targets=client_selectors.handover_targets(user))

    def reassign() -> list[Any]:
        data = form.cleaned_data
        return services.reassign_clients(by=user, client_ids=data["clients"], to=[data["to"]], note=data["note"])

    outcome = submit(reassign, form, sent=sent)
    if outcome.done:
        count = len(outcome.result)
        messages.success(
            request,
            ngettext("%(count)d client reassigned.", "%(count)d clients reassigned.", count) % {"count": count},
        )
        return redirect(f"{reverse('team-review-clients')}?{request.GET.urlencode()}")
    figure = drill.figure()
    clients = review.clients_behind(user, teams, figure)
    described = review.describe_figure(figure)
    context = {
        "drill": drill,
        "params": params,
        "clients": clients,
        "form": form,
        "figure_label": described[0][1],
        "narrowed_by": described[1:],
    }
    return render(request, "teams/review_clients.html", context, status=outcome.status)


@staff_required
@require_http_methods(["GET", "POST"])
def review_balance(request: StaffRequest) -> HttpResponse:
    """Moves that even out the weighted load, proposed; the lead confirms or edits them and
    the handover service carries them out."""
    user = request.user
    _lead_only(user)
    filters = ReviewFilterForm(request.GET or None, teams=list(review.reviewed_teams(user)))
    if request.GET and not filters.is_valid():
        return render(request, "teams/review_balance.html", {"filters": filters, "moves": []}, status=400)
    team_id = filters.cleaned_data.get("team") if filters.is_bound else None
    teams = review.reviewed_teams(user, team_id)
    moves = review.proposed_moves_for(user, teams)
    sent = request.method == "POST"
    form = BalanceForm(request.POST if sent else None, moves=moves, targets=client_selectors.handover_targets(user))
    outcome = submit(
        lambda: services.rebalance(by=user, moves=form.chosen_moves(), note=form.cleaned_data["note"]), form, sent=sent
    )
    if outcome.done:
        count = len(outcome.result)
        messages.success(
            request,
            ngettext("%(count)d client reassigned.", "%(count)d clients reassigned.", count) % {"count": count},
        )
        return redirect(f"{reverse('team-review-balance')}?{request.GET.urlencode()}")
    context = {"filters": filters, "moves": moves, "form": form, "rows": form.rows()}
    return render(request, "teams/review_balance.html", context, status=outcome.status)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@staff_required
@require_GET
@reading_from_replica()
def review_export(request: StaffRequest, table: str, fmt: str) -> HttpResponse:
    """One table of the review (or the clients behind a number) as CSV or XLSX, with the
    filters in force written at the top of the file."""
    user = request.user
    _lead_only(user)
    if table not in export.TABLES or fmt not in export.FORMATS:
        raise Http404
    led = list(review.reviewed_teams(user))
    if table == "clients":
        drill = DrillDownForm(request.GET)
        if not drill.is_valid():
            return HttpResponse(status=400)
        params = drill.cleaned_data
        teams = review.reviewed_teams(user, params["team"])
        figure = drill.figure()
        data = export.clients(review.clients_behind(user, teams, figure))
        filters = _filters_in_force(led, params["team"]) + review.describe_figure(figure)
    else:
        chosen = ReviewFilterForm(request.GET or None, teams=led)
        if request.GET and not chosen.is_valid():
            return HttpResponse(status=400)
        team_id = chosen.cleaned_data.get("team") if chosen.is_bound else None
        teams = review.reviewed_teams(user, team_id)
        filters = _filters_in_force(led, team_id)
        if table == "endings":
            data = export.endings(review.endings(teams))
        elif table == "trends":
            data = export.trends(selectors.trends(teams))
        elif table == "coordinator_trends":
            trend = (chosen.cleaned_data.get("trend") if chosen.is_bound else None) or DEFAULT_TREND
            data = export.coordinator_trends(*selectors.coordinator_trends(teams), trend)
            filters.append((_("Figure"), dict(selectors.coordinator_trend_choices())[trend]))
        else:
            data = export.BUILDERS[table](review.build_review(teams))
    content = (export.to_csv if fmt == "csv" else export.to_xlsx)(data, filters, user)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="team-review-{table}-{stamp}.{fmt}"'
    return response


def _filters_in_force(led: list[Any], team_id: int | None) -> list[tuple[str, str]]:
    names = [team.name for team in led if team_id is None or team.pk == team_id]
    return [(_("Teams"), ", ".join(names)), (_("Date"), timezone.localdate().isoformat())]


# The page of each section a team member may open, in the order of the record.
SECTION_PAGES = (
    (Section.BASIC, "client-detail"),
    (Section.NETWORK, "client-network"),
    (Section.MEETINGS, "client-meetings"),
    (Section.ASSESSMENT, "client-assessments"),
    (Section.PLAN, "client-care-plan"),
    (Section.BUDGET, "client-budgets"),
)


@staff_required
@require_GET
def my_clients(request: StaffRequest) -> HttpResponse:
    """A team member's clients: those on whose care team they are, with the next meeting and
    a link to each part of the record their profession may open; the search stays within them."""
    form = MyClientsSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "teams/my_clients.html", {"form": form, "clients": []}, status=400)
    clients = selectors.my_clients(request.user, search=form.cleaned_data["q"])
    labels = dict(Section.choices)
    rows = [
        (
            client,
            [
                (labels[section], reverse(name, args=[client.pk]))
                for section, name in SECTION_PAGES
                if section in client.sections  # type: ignore[attr-defined]
            ],
        )
        for client in clients
    ]
    return render(request, "teams/my_clients.html", {"form": form, "rows": rows, "clients": clients})
