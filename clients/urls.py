from django.urls import path

from . import views

urlpatterns = [
    path("caseload/", views.my_caseload, name="caseload"),
    path("caseload/<int:coordinator_id>/", views.caseload_of, name="caseload-of"),
    path("caseload/handover/", views.caseload_handover, name="caseload-handover"),
    path("intake/", views.intake, name="intake"),
    path("clients/new/", views.client_create, name="client-create"),
    path("clients/search/", views.client_search, name="client-search"),
    path("clients/<int:pk>/", views.client_detail, name="client-detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client-edit"),
    path("clients/<int:pk>/contacts/", views.client_contact_create, name="client-contact-create"),
    path("clients/<int:pk>/named-worker/", views.client_named_worker, name="client-named-worker"),
    path("clients/<int:pk>/referrals/", views.client_referral_create, name="client-referral-create"),
    path("clients/<int:pk>/coordination/", views.client_coordination, name="client-coordination"),
    path("clients/<int:pk>/close/", views.client_close, name="client-close"),
    path("clients/<int:pk>/reopen/", views.client_reopen, name="client-reopen"),
    path("clients/<int:pk>/consultations/new/", views.client_consultation_create, name="client-consultation-create"),
    path("consultations/<int:pk>/revoke/", views.consultation_revoke, name="consultation-revoke"),
    path("returning-clients/<int:pk>/confirm/", views.returning_client_confirm, name="returning-client-confirm"),
    path("assignments/<int:pk>/note-read/", views.assignment_note_read, name="assignment-note-read"),
    path("referrals/<int:pk>/advance/", views.referral_advance, name="referral-advance"),
    path("referrals/<int:pk>/bounce/", views.referral_bounce, name="referral-bounce"),
    path("referrals/overdue/", views.referrals_overdue, name="referrals-overdue"),
    path("referrals/partners/", views.referral_partners, name="referral-partners"),
]
