from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    """Who may see which client and on what ground, and the access log."""

    name = "access"
    verbose_name = _("Access and access log")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
