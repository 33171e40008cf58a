from django.urls import path

from . import views

urlpatterns = [
    path("clients/<int:pk>/assessments/", views.client_assessments, name="client-assessments"),
    path("clients/<int:pk>/assessments/compare/", views.assessment_compare, name="assessment-compare"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("assessments/<int:pk>/conclusion/", views.assessment_conclusion, name="assessment-conclusion"),
    path("assessments/<int:pk>/domains/<slug:domain>/", views.assessment_need, name="assessment-need"),
]
