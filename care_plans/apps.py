from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CarePlansConfig(AppConfig):
    name = "care_plans"
    verbose_name = _("Assessments and care plans")
