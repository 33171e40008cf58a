from django.urls import path

from . import views

urlpatterns = [
    path("clients/<int:pk>/network/", views.client_network, name="client-network"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="client-network-consent-withdraw"),
    path("clients/<int:pk>/meetings/", views.client_meetings, name="client-meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("decisions/", views.my_decisions, name="my-decisions"),
]
