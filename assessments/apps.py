from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Needs assessments")

    def ready(self) -> None:
        from clients.services import register_anonymiser

        from .services import anonymise_clients

        register_anonymiser(anonymise_clients)
