"""Settings shared by every environment; each value that differs between deployments is
read from the environment (django-environ)."""

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

# Lets the generic classes of django-stubs be subscripted at run time (ModelAdmin[Model]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-only-for-local-use")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "guardian",
    "pgtrigger",
    "pghistory",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "caseflow",
    "core",
    "accounts",
    "teams",
    "access",
    "clients",
    "networks",
    "assessments",
    "care_plans",
    "budgets",
    "reminders",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.second_factor.SecondFactorMiddleware",
    "core.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.params.HostileInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
    # After authentication: restarts a portal session's idle clock and marks responses no-store.
    "portal.middleware.PortalSessionMiddleware",
]

ROOT_URLCONF = "caseflow.urls"
WSGI_APPLICATION = "caseflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Form widgets drawn by Jinja2 (see the class).
FORM_RENDERER = "core.forms.WidgetRenderer"

_DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/caseflow"
DATABASES = {
    "default": env.db("DATABASE_URL", default=_DEFAULT_DATABASE),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A read replica for the team lead's figures and exports (core.db.reading_from_replica); without
# one, a second connection to the primary. The router never sends a write there.
# (Set but empty, as docker-compose.yml passes it through when the host has none: no replica.)
_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="") or env.str("DATABASE_URL", default=_DEFAULT_DATABASE)
DATABASES["replica"] = env.db_url_config(_REPLICA_URL)
DATABASES["replica"]["ATOMIC_REQUESTS"] = False
# The only ``.iterator()`` here is Django's own, for a form's choices (a few dozen people): a
# server-side cursor there is three round trips (DECLARE, FETCH, CLOSE) instead of one.
for _alias in ("default", "replica"):
    DATABASES[_alias]["DISABLE_SERVER_SIDE_CURSORS"] = True
DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
    "portal.auth.PortalOIDCBackend",
]
# django-guardian would otherwise create an "AnonymousUser" account, a coordinator by default
# role, which the pickers of staff then offered; anonymous visitors have no object permissions.
ANONYMOUS_USER_NAME = None
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire: a shared office computer must not stay signed in.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
# A signed-in session ends after this long idle, and after SESSION_MAX_SECONDS in any case.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_MAX_SECONDS = SESSION_COOKIE_AGE
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: throttle and lock out repeated failed sign-ins.
# Staff give a code from an authenticator app after the password (accounts.second_factor).
SECOND_FACTOR_REQUIRED = env.bool("SECOND_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Caseflow"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
# The pair: by username alone, anyone could lock any coordinator out by typing wrong passwords.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / ".static"
STATICFILES_DIRS = [BASE_DIR / "static"]

SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["access.policy.IsStaffUser"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# API tokens expire; a user may hold a few at once (one per tool), each listed and revocable.
API_TOKENS_PER_USER = 10
REST_KNOX = {"TOKEN_TTL": timedelta(hours=10), "TOKEN_LIMIT_PER_USER": API_TOKENS_PER_USER, "AUTO_REFRESH": False}
SPECTACULAR_SETTINGS = {
    "TITLE": "Caseflow API",
    "DESCRIPTION": "Client-centred service coordination (palveluohjaus).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema maps every route with client data: for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files: no CDN, and the content security policy holds.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name for a choice set used by several fields.
    "ENUM_NAME_OVERRIDES": {
        "ClosureReasonEnum": "clients.models.ClosureReason",
        "ContactSourceEnum": "clients.models.ContactSource",
        "ReferralStatusEnum": "clients.models.ReferralStatus",
        "MeetingStatusEnum": "networks.models.NetworkMeeting.Status",
        "AssessmentStatusEnum": "assessments.models.Assessment.Status",
        "ReferralDirectionEnum": "clients.models.Referral.Direction",
        "MembershipKindEnum": "teams.models.TeamMembership.Kind",
        "ChangeDirectionEnum": "assessments.selectors.CHANGE_DIRECTIONS",
        "DueKindEnum": "assessments.selectors.DUE_KINDS",
        "ReminderKindEnum": "reminders.models.Kind",
        "PlanVersionStatusEnum": "care_plans.models.PlanVersion.Status",
        "PlanPdfStatusEnum": "care_plans.models.PlanPdf.Status",
        "PlanChangeKindEnum": "care_plans.selectors.CHANGE_KINDS",
        "PlanChangeAreaEnum": "care_plans.selectors.CHANGE_AREAS",
        "BudgetStatusEnum": "budgets.models.Budget.Status",
        "SpendingKindEnum": "budgets.models.Spending.Kind",
        "PartnerKindEnum": "clients.models.PartnerKind",
        "BounceKindEnum": "clients.models.BounceKind",
    },
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down or hung (accepting connections, never answering) costs a web request
# at most these seconds; the work is saved first and sent again by beat (quality.md).
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 1.0,
    "socket_connect_timeout": 1.0,
    # Longer than the longest task with its retry countdown (a PDF: 300 s), so that a slow task
    # is not delivered twice; a killed worker's tasks are sent again by the sweeps sooner.
    "visibility_timeout": 15 * 60,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.tasks.record_heartbeat", "schedule": 60.0},
    "requeue-pending-plan-pdfs": {"task": "care_plans.tasks.requeue_pending_pdfs", "schedule": 60.0},
    # Creates the reminders due and queues deliveries the broker missed; safe to overlap.
    "sweep-reminders": {
        "task": "reminders.tasks.sweep_reminders",
        "schedule": env.float("REMINDER_SWEEP_SECONDS", default=900.0),
    },
    # The team review: last month's snapshot early on the 1st (a rerun writes only what is
    # missing), and the leads' weekly digest on Monday morning (once per lead and week).
    "team-review-monthly-snapshots": {
        "task": "teams.tasks.write_monthly_snapshots",
        "schedule": crontab(minute=30, hour=2, day_of_month="1"),
    },
    # The access log's partitions: next months' made ahead (a rerun creates nothing), and whole
    # months past ACCESS_LOG_RETENTION_MONTHS dropped once a month.
    "access-log-partitions-ahead": {
        "task": "access.tasks.create_access_log_partitions",
        "schedule": crontab(minute=10, hour=3),
    },
    "access-log-retention": {
        "task": "access.tasks.drop_expired_access_log_partitions",
        "schedule": crontab(minute=40, hour=3, day_of_month="2"),
    },
    # Records past their retention: listed each night; anonymised only with RETENTION_ANONYMISE.
    "client-retention": {
        "task": "clients.tasks.apply_retention",
        "schedule": crontab(minute=20, hour=4),
    },
    "team-review-weekly-digest": {
        "task": "teams.tasks.send_weekly_digests",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
}
# Care plan PDFs render on their own queue, so a burst of them does not hold up other work:
# run a worker with `-Q pdf` (or `-Q celery,pdf`).
# The PDF's sweep goes with the renders: a pdf-worker that starts in place of a killed one
# takes back the renders that died with it itself, whether or not a default worker runs.
CELERY_TASK_ROUTES = {
    "care_plans.tasks.render_plan_pdf": {"queue": "pdf"},
    "care_plans.tasks.requeue_pending_pdfs": {"queue": "pdf"},
}

# The seed may create the well-known demo logins only where this is on; never in production.
DEMO_USERS_ALLOWED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step of every page at INFO: the PDF worker's log would drown.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Practice rules that differ between organisers.
# Start of the needs assessment for clients outside the statutory 7-working-day groups
# ("without undue delay", SHL §36.1), in working days after the contact.
ASSESSMENT_DEFAULT_WORKING_DAYS = env.int("ASSESSMENT_DEFAULT_WORKING_DAYS", default=14)
# Years a closed client's records are kept, by record class, from the closure date.
RETENTION_YEARS = {
    "older_people": env.int("RETENTION_YEARS_OLDER_PEOPLE", default=10),
    "working_age": env.int("RETENTION_YEARS_WORKING_AGE", default=10),
    "children": env.int("RETENTION_YEARS_CHILDREN", default=12),
}
# What the nightly retention job does with a closed client's record once every retention period
# of it has ended: off (the default), it only lists them (a dry run, `manage.py apply_retention`
# shows the same); on, it anonymises them in place (clients.services.apply_retention).
RETENTION_ANONYMISE = env.bool("RETENTION_ANONYMISE", default=False)
# Service coordination is time-limited: the review point a new relationship gets unless the
# coordinator sets one ("is coordination still needed?"), in months from the opening.
COORDINATION_REVIEW_MONTHS = env.int("COORDINATION_REVIEW_MONTHS", default=6)
# The access log (access.partitions): months whose entries are kept, from the organiser's archive
# plan (arkistonmuodostussuunnitelma); whole months older than this are dropped by the monthly
# retention job (`manage.py prune_access_log` shows which first). At least 25: the client sees
# two years of it (access.log). Partitions are created this many months ahead.
ACCESS_LOG_RETENTION_MONTHS = env.int("ACCESS_LOG_RETENTION_MONTHS", default=12 * 12)
ACCESS_LOG_PARTITIONS_AHEAD = env.int("ACCESS_LOG_PARTITIONS_AHEAD", default=3)
# A one-off consultation of a client's record: its default and longest length, in days.
CONSULTATION_DEFAULT_DAYS = env.int("CONSULTATION_DEFAULT_DAYS", default=30)
CONSULTATION_MAX_DAYS = env.int("CONSULTATION_MAX_DAYS", default=90)
# Identity-code lookups at intake, per user and minute (a walk over one birth date's numbers
# would need hundreds).
IDENTITY_LOOKUPS_PER_MINUTE = env.int("IDENTITY_LOOKUPS_PER_MINUTE", default=30)

# Reminders (caseflow/reminders): lead and escalation days per kind are data an administrator
# edits (ReminderKindSetting); these are how the sweep and the delivery run.
# Client ids per transaction. A kind's statement reads some tables whole whatever the batch (a
# hash of every plan service), so the county's 100,000 clients sweep faster in one batch than
# in two (bench/explain/sweep-*.txt).
REMINDER_SWEEP_BATCH = env.int("REMINDER_SWEEP_BATCH", default=100_000)
REMINDER_QUEUE_LIMIT = env.int("REMINDER_QUEUE_LIMIT", default=20_000)  # deliveries queued per sweep
REMINDER_REQUEUE_AFTER_SECONDS = env.int("REMINDER_REQUEUE_AFTER_SECONDS", default=30 * 60)
REMINDER_ATTEMPT_STALE_SECONDS = env.int("REMINDER_ATTEMPT_STALE_SECONDS", default=10 * 60)
REMINDER_DELIVERY_MAX_RETRIES = env.int("REMINDER_DELIVERY_MAX_RETRIES", default=8)
REMINDER_RETRY_SECONDS = env.int("REMINDER_RETRY_SECONDS", default=30)
# Email: the links in it point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / ".email"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Caseflow <noreply@caseflow.invalid>")

# The client portal (/oma/). Portal sessions end after 20 minutes idle.
PORTAL_IDLE_SECONDS = env.int("PORTAL_IDLE_SECONDS", default=20 * 60)
# The demo's stand-in for strong identification; never in production.
PORTAL_DEMO_SIGN_IN = False
# Strong sign-in through the organisation's identity broker (OpenID Connect, mozilla-django-oidc).
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_CREATE_USER = False
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "/oma/sign-in/?failed=1"
# The claims of the broker: the assurance level (substantial or high) and the identity code.
PORTAL_OIDC_ACR_CLAIM = env("PORTAL_OIDC_ACR_CLAIM", default="acr")
PORTAL_OIDC_ACCEPTED_ACR = env.list(
    "PORTAL_OIDC_ACCEPTED_ACR",
    default=[
        "http://ftn.ficora.fi/2017/loa3",
        "http://ftn.ficora.fi/2017/loa2",
        "http://eidas.europa.eu/LoA/substantial",
        "http://eidas.europa.eu/LoA/high",
    ],
)
PORTAL_OIDC_IDENTITY_CLAIM = env("PORTAL_OIDC_IDENTITY_CLAIM", default="urn:oid:1.2.246.21")
