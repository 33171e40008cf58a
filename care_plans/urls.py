from django.urls import path

from . import views

urlpatterns = [
    path("clients/<int:pk>/care-plan/", views.client_plan, name="client-care-plan"),
    path("clients/<int:pk>/care-plan/compare/", views.plan_compare, name="care-plan-compare"),
    path("plan-versions/<int:pk>/", views.plan_version, name="plan-version"),
    path("plan-versions/<int:pk>/review/", views.plan_review, name="plan-version-review"),
    path("plan-reviews/<int:pk>/", views.review_detail, name="plan-review-detail"),
    path("plan-versions/<int:pk>/pdf/", views.plan_pdf, name="plan-version-pdf"),
    path("plan-versions/<int:pk>/pdf/status/", views.plan_pdf_status, name="plan-version-pdf-status"),
    path("plan-versions/<int:pk>/pdf/render/", views.plan_pdf_render, name="plan-version-pdf-render"),
]
