from django.urls import path

from . import views

urlpatterns = [path("team/", views.team_review, name="team-review")]
