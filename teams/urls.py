from django.urls import path

from . import views

urlpatterns = [
    path("team/", views.team_review, name="team-review"),
    path("team/review/", views.review_page, name="team-review-figures"),
    path("team/review/threshold/", views.review_threshold, name="team-review-threshold"),
    path("team/review/digest/", views.review_digest, name="team-review-digest"),
    path("team/review/clients/", views.review_clients, name="team-review-clients"),
    path("team/review/balance/", views.review_balance, name="team-review-balance"),
    path("team/review/export/<str:table>.<str:fmt>", views.review_export, name="team-review-export"),
    path("team/my-clients/", views.my_clients, name="my-clients"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team-detail"),
    path("teams/<int:pk>/members/<int:membership_pk>/end/", views.team_membership_end, name="team-membership-end"),
    path(
        "teams/<int:pk>/members/<int:membership_pk>/deactivate/",
        views.team_member_deactivate,
        name="team-member-deactivate",
    ),
    path("substitutions/", views.substitutions, name="substitutions"),
]
