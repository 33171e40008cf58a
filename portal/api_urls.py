"""The portal's API routes, included under /api/v1/ by the project's urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("portal/home/", api.HomeView.as_view(), name="api-portal-home"),
    path("portal/plan/", api.PlanView.as_view(), name="api-portal-plan"),
    path("portal/who-has-looked/", api.LogView.as_view(), name="api-portal-log"),
]
