"""The app's API routes, included under /api/v1/ by the project's urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("clients/<int:pk>/assessments/", api.ClientAssessmentsView.as_view(), name="api-client-assessments"),
    path("clients/<int:pk>/assessments/compare/", api.CompareView.as_view(), name="api-assessment-compare"),
    path("assessments/due/", api.DueAssessmentsView.as_view(), name="api-assessments-due"),
    path("assessments/<int:pk>/", api.AssessmentDetailView.as_view(), name="api-assessment-detail"),
    path("assessments/<int:pk>/conclusion/", api.ConclusionView.as_view(), name="api-assessment-conclusion"),
    path("assessments/<int:pk>/needs/<slug:domain>/", api.NeedView.as_view(), name="api-assessment-need"),
    path(
        "assessments/<int:pk>/complete/",
        api.AssessmentCompleteView.as_view(),
        name="api-assessment-complete",
    ),
    path(
        "assessments/<int:pk>/network-views/",
        api.NetworkViewsView.as_view(),
        name="api-assessment-network-views",
    ),
    path("assessment-configuration/", api.ConfigurationView.as_view(), name="api-assessment-config"),
]
