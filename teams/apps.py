from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    """The organisation: teams, memberships and leadership, substitutions."""

    name = "teams"
    verbose_name = _("Teams")
