"""The app's API routes, included under /api/v1/ by the project's urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("caseload/", api.CaseloadView.as_view(), name="api-caseload"),
    path("clients/", api.ClientCreateView.as_view(), name="api-client-create"),
    path("clients/search/", api.ClientSearchView.as_view(), name="api-client-search"),
    path("clients/<int:pk>/", api.ClientDetailView.as_view(), name="api-client-detail"),
    path("clients/<int:pk>/contacts/", api.ClientContactsView.as_view(), name="api-client-contacts"),
    path("clients/<int:pk>/named-worker/", api.ClientNamedWorkerView.as_view(), name="api-client-named-worker"),
    path("clients/<int:pk>/referrals/", api.ClientReferralsView.as_view(), name="api-client-referrals"),
    path("clients/<int:pk>/coordination/", api.ClientCoordinationView.as_view(), name="api-client-coordination"),
    path("clients/<int:pk>/closure/", api.ClientClosureView.as_view(), name="api-client-closure"),
    path("clients/<int:pk>/reopen/", api.ClientReopenView.as_view(), name="api-client-reopen"),
    path("intake/", api.IntakeView.as_view(), name="api-intake"),
    path(
        "returning-clients/<int:pk>/confirm/",
        api.ReturningClientConfirmView.as_view(),
        name="api-returning-client-confirm",
    ),
    path("intake/lookup/", api.IntakeLookupView.as_view(), name="api-intake-lookup"),
    path("handovers/", api.HandoverView.as_view(), name="api-handover"),
    path("referrals/overdue/", api.OverdueReferralsView.as_view(), name="api-referrals-overdue"),
    path("referrals/<int:pk>/", api.ReferralDetailView.as_view(), name="api-referral-detail"),
    path("referrals/<int:pk>/bounce/", api.ReferralBounceView.as_view(), name="api-referral-bounce"),
    path("referral-partners/", api.ReferralPartnersView.as_view(), name="api-referral-partners"),
    path("referral-partners/figures/", api.PartnerFiguresView.as_view(), name="api-referral-partner-figures"),
]
