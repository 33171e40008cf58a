from django.apps import AppConfig


class CaseflowConfig(AppConfig):
    """The project shell: installed for its seed command only."""

    name = "caseflow"
