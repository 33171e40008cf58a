"""The Celery app, configured from Django settings under the ``CELERY_`` namespace."""

import os

from celery import Celery

# Before the worker starts: its identity is drawn at start and it answers the sweeps' question.
import core.workers  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseflow.settings.dev")

app = Celery("caseflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
