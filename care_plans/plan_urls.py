from django.urls import path

from . import plan_views

urlpatterns = [
    path("clients/<int:pk>/care-plan/", plan_views.client_plan, name="client-care-plan"),
    path("clients/<int:pk>/care-plan/compare/", plan_views.plan_compare, name="care-plan-compare"),
    path("plan-versions/<int:pk>/", plan_views.plan_version, name="plan-version"),
    path("plan-versions/<int:pk>/review/", plan_views.plan_review, name="plan-version-review"),
    path("plan-versions/<int:pk>/pdf/", plan_views.plan_pdf, name="plan-version-pdf"),
    path("plan-versions/<int:pk>/pdf/status/", plan_views.plan_pdf_status, name="plan-version-pdf-status"),
    path("plan-versions/<int:pk>/pdf/render/", plan_views.plan_pdf_render, name="plan-version-pdf-render"),
]
