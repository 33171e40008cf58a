from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CarePlansConfig(AppConfig):
    name = "care_plans"
    verbose_name = _("Assessments and care plans")

    def ready(self) -> None:
        from clients.services import register_anonymiser

        from .services import anonymise_clients

        register_anonymiser(anonymise_clients)
