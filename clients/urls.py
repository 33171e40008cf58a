from django.urls import path

from . import views

urlpatterns = [
    path("caseload/", views.my_caseload, name="caseload"),
    path("caseload/<int:coordinator_id>/", views.caseload_of, name="caseload-of"),
    path("clients/new/", views.client_create, name="client-create"),
    path("clients/<int:pk>/", views.client_detail, name="client-detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client-edit"),
]
