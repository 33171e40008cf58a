from django.urls import path
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import views

urlpatterns = [
    path("oma/", views.home, name="portal-home"),
    path("oma/sign-in/", views.sign_in, name="portal-sign-in"),
    path("oma/sign-in/demo/", views.demo_sign_in, name="portal-demo-sign-in"),
    path("oma/sign-in/oidc/", OIDCAuthenticationRequestView.as_view(), name="oidc_authentication_init"),
    path("oma/sign-in/oidc/callback/", OIDCAuthenticationCallbackView.as_view(), name="oidc_authentication_callback"),
    path("oma/sign-out/", views.sign_out, name="portal-sign-out"),
    path("oma/choose/", views.choose, name="portal-choose"),
    path("oma/plan/", views.plan, name="portal-plan"),
    path("oma/plan/<int:pk>/", views.plan_version, name="portal-plan-version"),
    path("oma/plan/<int:pk>/pdf/", views.plan_pdf, name="portal-plan-pdf"),
    path("oma/my-view/", views.view, name="portal-view"),
    path("oma/reviews/<int:pk>/heard/", views.heard, name="portal-heard"),
    path("oma/who-has-looked/", views.access_log_page, name="portal-log"),
    path("oma/consents/", views.consents, name="portal-consents"),
    path("oma/consents/<int:pk>/withdraw/", views.consent_withdraw, name="portal-consent-withdraw"),
    path("oma/messages/", views.messages_page, name="portal-messages"),
    path("oma/assessments/", views.assessments, name="portal-assessments"),
    path("oma/assessments/<int:pk>/", views.assessment, name="portal-assessment"),
    path("oma/budget/", views.budgets, name="portal-budgets"),
    path("oma/budget/<int:pk>/", views.budget, name="portal-budget"),
    path("oma/meetings/", views.meetings, name="portal-meetings"),
    path("oma/meetings/<int:pk>/calendar.ics", views.meeting_ics, name="portal-meeting-ics"),
    path("clients/<int:pk>/portal/", views.client_portal, name="client-portal"),
]
