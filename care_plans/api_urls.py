"""The app's API routes, included under /api/v1/ by the project's urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("clients/<int:pk>/care-plan/", api.ClientPlanView.as_view(), name="api-client-care-plan"),
    path("clients/<int:pk>/care-plan/compare/", api.PlanCompareView.as_view(), name="api-care-plan-compare"),
    path("plan-versions/<int:pk>/", api.VersionDetailView.as_view(), name="api-plan-version"),
    path("plan-versions/<int:pk>/publish/", api.PublishView.as_view(), name="api-plan-version-publish"),
    path("plan-versions/<int:pk>/pdf/", api.PdfView.as_view(), name="api-plan-version-pdf"),
    path(
        "plan-versions/<int:pk>/pdf/download/",
        api.PdfDownloadView.as_view(),
        name="api-plan-version-pdf-download",
    ),
    path("plan-versions/<int:pk>/reviews/", api.ReviewsView.as_view(), name="api-plan-version-reviews"),
    path(
        "plan-reviews/<int:pk>/network-views/",
        api.NetworkReviewViewsView.as_view(),
        name="api-plan-review-network-views",
    ),
]
