from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access import policy
from access.decorators import StaffRequest, staff_required
from accounts import selectors as account_selectors
from core.pages import submit

from . import selectors, services
from .forms import (
    SubstitutionForm,
    TeamMembershipForm,
)


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
    may_manage = services.may_manage_team(user, team)
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
    context = {
        "team": team,
        "memberships": list(selectors.team_members(team)),
        "form": form if may_manage else None,
        "today": today,
    }
    return render(request, "teams/team_detail.html", context, status=outcome.status)


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
