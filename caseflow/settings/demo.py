"""The demo: an embedded PostgreSQL (DATABASE_URL set by `manage.py demo`) and Celery tasks
run in-process, so that it needs no services."""

from .dev import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Reminder emails are printed by the demo, not sent.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The demo users sign in with a password alone; production requires the second factor.
SECOND_FACTOR_REQUIRED = False
# gunicorn serves the demo: WhiteNoise serves the static files from their source folders, as
# runserver did, with no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# gunicorn's threads keep their connection to the embedded PostgreSQL from one request to the
# next, checked before reuse, instead of opening one per request.
DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
