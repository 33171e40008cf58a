from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from caseflow.accounts.models import Role
from caseflow.decorators import StaffRequest, staff_required

from . import selectors


@staff_required
def team_review(request: StaffRequest) -> HttpResponse:
    """The team lead's list of their teams' coordinators with caseload sizes."""
    if request.user.role != Role.TEAM_LEAD:
        raise PermissionDenied
    memberships = list(selectors.led_team_members(request.user))
    return render(request, "networks/team_review.html", {"memberships": memberships})
