import os

from .base import *  # noqa: F403
from .base import env

DEMO_USERS_ALLOWED = True
PORTAL_DEMO_SIGN_IN = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests sign in many times from one address; a test of the lockout sets its own limit.
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)
# A Redis database per test process (pytest-xdist's gw0, gw1 …), so that a real worker started by
# one process consumes the project's own queues without taking the other's tasks.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw-1")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=f"redis://127.0.0.1:6379/{14 - int(_XDIST_WORKER[2:])}")
# The replica is the test database itself, on a connection of its own: reads routed there see
# what a transactional test committed. Read-only, as a real replica is, so that a write sent
# there would fail. (Not so in production: PgBouncer refuses the ``options`` startup parameter.)
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # noqa: F405
DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c default_transaction_read_only=on"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the source folders, as in development, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The tests send many requests a minute from one address; a test of throttling sets its own rate.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"}}  # noqa: F405
# Off for the tests that sign in by password; its own tests turn it on.
SECOND_FACTOR_REQUIRED = False
# The test that kills a worker mid-render starts it with this set: the render then waits for
# that file to exist (tests/worker_hooks.py), so that the kill comes while it runs.
if env("PDF_RENDER_HOLD_FILE", default=""):
    CELERY_IMPORTS = ["tests.worker_hooks"]
