"""The app's API routes, included under /api/v1/ by the project's urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("clients/<int:pk>/care-team/", api.CareTeamView.as_view(), name="api-client-care-team"),
    path("clients/<int:pk>/network/", api.NetworkView.as_view(), name="api-client-network"),
    path("clients/<int:pk>/consents/", api.ConsentsView.as_view(), name="api-client-consents"),
    path("clients/<int:pk>/meetings/", api.MeetingsView.as_view(), name="api-client-meetings"),
    path("clients/<int:pk>/decisions/", api.ClientDecisionsView.as_view(), name="api-client-decisions"),
    path("clients/<int:pk>/consultations/", api.ConsultationView.as_view(), name="api-client-consultation"),
    path("consultations/<int:pk>/revoke/", api.ConsultationRevokeView.as_view(), name="api-consultation-revoke"),
    path("consents/<int:pk>/withdraw/", api.ConsentWithdrawView.as_view(), name="api-consent-withdraw"),
    path("meetings/<int:pk>/", api.MeetingDetailView.as_view(), name="api-meeting-detail"),
    path("meetings/<int:pk>/invitation.ics", api.MeetingInvitationView.as_view(), name="api-meeting-ics"),
    path("decisions/mine/", api.MyDecisionsView.as_view(), name="api-my-decisions"),
]
