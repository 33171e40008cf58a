from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import obtain_auth_token

from budgets import api as budgets_api
from care_plans import api as care_plans_api
from care_plans import plan_api
from caseflow.reminders import api as reminders_api
from clients import api as clients_api
from networks import api as networks_api

from . import views

api_v1 = [
    path("caseload/", clients_api.CaseloadView.as_view(), name="api-caseload"),
    path("clients/", clients_api.ClientCreateView.as_view(), name="api-client-create"),
    path("clients/search/", clients_api.ClientSearchView.as_view(), name="api-client-search"),
    path("clients/<int:pk>/", clients_api.ClientDetailView.as_view(), name="api-client-detail"),
    path("clients/<int:pk>/contacts/", clients_api.ClientContactsView.as_view(), name="api-client-contacts"),
    path("clients/<int:pk>/named-worker/", clients_api.ClientNamedWorkerView.as_view(), name="api-client-named-worker"),
    path("clients/<int:pk>/referrals/", clients_api.ClientReferralsView.as_view(), name="api-client-referrals"),
    path("clients/<int:pk>/closure/", clients_api.ClientClosureView.as_view(), name="api-client-closure"),
    path("clients/<int:pk>/reopen/", clients_api.ClientReopenView.as_view(), name="api-client-reopen"),
    path("intake/", clients_api.IntakeView.as_view(), name="api-intake"),
    path("handovers/", clients_api.HandoverView.as_view(), name="api-handover"),
    path("referrals/overdue/", clients_api.OverdueReferralsView.as_view(), name="api-referrals-overdue"),
    path("referrals/<int:pk>/", clients_api.ReferralDetailView.as_view(), name="api-referral-detail"),
    path("substitutions/", clients_api.SubstitutionsView.as_view(), name="api-substitutions"),
    path("team/coordinators/", networks_api.TeamReviewView.as_view(), name="api-team-review"),
    path("teams/", networks_api.TeamListView.as_view(), name="api-teams"),
    path("teams/<int:pk>/members/", networks_api.TeamMembersView.as_view(), name="api-team-members"),
    path("clients/<int:pk>/care-team/", networks_api.CareTeamView.as_view(), name="api-client-care-team"),
    path("clients/<int:pk>/network/", networks_api.NetworkView.as_view(), name="api-client-network"),
    path("clients/<int:pk>/consents/", networks_api.ConsentsView.as_view(), name="api-client-consents"),
    path("clients/<int:pk>/meetings/", networks_api.MeetingsView.as_view(), name="api-client-meetings"),
    path("clients/<int:pk>/decisions/", networks_api.ClientDecisionsView.as_view(), name="api-client-decisions"),
    path("clients/<int:pk>/consultations/", networks_api.ConsultationView.as_view(), name="api-client-consultation"),
    path("consents/<int:pk>/withdraw/", networks_api.ConsentWithdrawView.as_view(), name="api-consent-withdraw"),
    path("meetings/<int:pk>/", networks_api.MeetingDetailView.as_view(), name="api-meeting-detail"),
    path("meetings/<int:pk>/invitation.ics", networks_api.MeetingInvitationView.as_view(), name="api-meeting-ics"),
    path("decisions/mine/", networks_api.MyDecisionsView.as_view(), name="api-my-decisions"),
    path(
        "clients/<int:pk>/assessments/", care_plans_api.ClientAssessmentsView.as_view(), name="api-client-assessments"
    ),
    path("clients/<int:pk>/assessments/compare/", care_plans_api.CompareView.as_view(), name="api-assessment-compare"),
    path("assessments/due/", care_plans_api.DueAssessmentsView.as_view(), name="api-assessments-due"),
    path("assessments/<int:pk>/", care_plans_api.AssessmentDetailView.as_view(), name="api-assessment-detail"),
    path("assessments/<int:pk>/needs/<slug:domain>/", care_plans_api.NeedView.as_view(), name="api-assessment-need"),
    path(
        "assessments/<int:pk>/complete/",
        care_plans_api.AssessmentCompleteView.as_view(),
        name="api-assessment-complete",
    ),
    path("assessment-configuration/", care_plans_api.ConfigurationView.as_view(), name="api-assessment-config"),
    path("clients/<int:pk>/care-plan/", plan_api.ClientPlanView.as_view(), name="api-client-care-plan"),
    path("clients/<int:pk>/care-plan/compare/", plan_api.PlanCompareView.as_view(), name="api-care-plan-compare"),
    path("plan-versions/<int:pk>/", plan_api.VersionDetailView.as_view(), name="api-plan-version"),
    path("plan-versions/<int:pk>/publish/", plan_api.PublishView.as_view(), name="api-plan-version-publish"),
    path("plan-versions/<int:pk>/pdf/", plan_api.PdfView.as_view(), name="api-plan-version-pdf"),
    path(
        "plan-versions/<int:pk>/pdf/download/",
        plan_api.PdfDownloadView.as_view(),
        name="api-plan-version-pdf-download",
    ),
    path("plan-versions/<int:pk>/reviews/", plan_api.ReviewsView.as_view(), name="api-plan-version-reviews"),
    path("reminders/", reminders_api.ReminderListView.as_view(), name="api-reminders"),
    path("reminders/unread-count/", reminders_api.UnreadCountView.as_view(), name="api-reminders-unread-count"),
    path("reminders/preferences/", reminders_api.PreferencesView.as_view(), name="api-reminder-preferences"),
    path("reminders/<int:pk>/", reminders_api.ReminderDetailView.as_view(), name="api-reminder-detail"),
    path("clients/<int:pk>/budgets/", budgets_api.ClientBudgetsView.as_view(), name="api-client-budgets"),
    path("budgets/<int:pk>/", budgets_api.BudgetDetailView.as_view(), name="api-budget-detail"),
    path("budgets/<int:pk>/decision/", budgets_api.BudgetDecisionView.as_view(), name="api-budget-decision"),
    path("budgets/<int:pk>/calculation/", budgets_api.BudgetCalculationView.as_view(), name="api-budget-calculation"),
    path("budgets/<int:pk>/lines/", budgets_api.BudgetLinesView.as_view(), name="api-budget-lines"),
    path(
        "budgets/<int:pk>/reallocations/",
        budgets_api.BudgetReallocationsView.as_view(),
        name="api-budget-reallocations",
    ),
    path("budget-lines/<int:pk>/", budgets_api.BudgetLineView.as_view(), name="api-budget-line"),
    path("budget-lines/<int:pk>/spending/", budgets_api.LineSpendingView.as_view(), name="api-budget-line-spending"),
    path("providers/", budgets_api.ProvidersView.as_view(), name="api-providers"),
    path("service-types/", budgets_api.ServiceTypesView.as_view(), name="api-service-types"),
    path("auth/token/", obtain_auth_token, name="api-token"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("clients.urls")),
    path("", include("networks.urls")),
    path("", include("budgets.urls")),
    path("", include("care_plans.plan_urls")),
    path("", include("care_plans.urls")),
    path("", include("caseflow.reminders.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
