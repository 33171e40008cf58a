"""The project's routes: each app's pages and, under /api/v1/, its API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from core import views as core_views

APPS = ["clients", "teams", "networks", "assessments", "care_plans", "budgets", "reminders", "portal"]

api_v1 = [path("", include(f"{app}.api_urls")) for app in ["accounts", *APPS]]

# Under /api/ a path that names no route, or a request Django refuses before any view, answers
# JSON as the API's own errors do.
handler400 = core_views.bad_request
handler404 = core_views.not_found

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-factor/", account_views.second_factor, name="second-factor"),
    path("i18n/setlang/", account_views.choose_language, name="set_language"),
    *[path("", include(f"{app}.urls")) for app in APPS],
    path("", include("access.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
