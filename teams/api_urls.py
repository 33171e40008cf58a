"""The app's API routes, included under /api/v1/ by the project's urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("substitutions/", api.SubstitutionsView.as_view(), name="api-substitutions"),
    path("team/coordinators/", api.TeamReviewView.as_view(), name="api-team-review"),
    path("team/review/", api.ReviewFiguresView.as_view(), name="api-team-review-figures"),
    path("team/review/endings/", api.ReviewEndingsView.as_view(), name="api-team-review-endings"),
    path("team/review/clients/", api.ReviewClientsView.as_view(), name="api-team-review-clients"),
    path("teams/", api.TeamListView.as_view(), name="api-teams"),
    path("teams/<int:pk>/members/", api.TeamMembersView.as_view(), name="api-team-members"),
    path("teams/<int:pk>/members/<int:membership_pk>/end/", api.MembershipEndView.as_view(), name="api-membership-end"),
    path(
        "teams/<int:pk>/members/<int:membership_pk>/deactivate/",
        api.MemberDeactivateView.as_view(),
        name="api-member-deactivate",
    ),
]
