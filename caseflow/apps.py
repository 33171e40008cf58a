from django.apps import AppConfig


class CaseflowConfig(AppConfig):
    """Cross-cutting parts: the UI shell, health, worker heartbeat, seed and demo commands."""

    name = "caseflow"
    default_auto_field = "django.db.models.BigAutoField"
