from django.urls import path

from . import views

urlpatterns = [
    path("team/", views.team_review, name="team-review"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team-detail"),
    path("substitutions/", views.substitutions, name="substitutions"),
]
