from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The client's own pages (oma asiointi): its own audience, sign-in and access function."""

    name = "portal"
    verbose_name = _("Client portal")

    def ready(self) -> None:
        from clients.services import register_anonymiser

        from . import signals  # noqa: F401  (connects the "a new message is waiting" e-mail)
        from .services import anonymise_clients

        register_anonymiser(anonymise_clients)
