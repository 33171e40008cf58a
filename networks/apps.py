from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    name = "networks"
    verbose_name = _("Networks and meetings")

    def ready(self) -> None:
        from clients.services import register_anonymiser

        from .services import anonymise_clients

        register_anonymiser(anonymise_clients)
