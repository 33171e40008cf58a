from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

# The admin's sections and models of the libraries Caseflow installs, named in the user's
# language: their own names are English only (or translated into no Finnish or Swedish). Only
# what the admin shows is set here; the migrations read the models' own Meta, which stays.
LIBRARY_SECTIONS: dict[str, StrPromise] = {
    "axes": _("Sign-in lockouts"),
    "knox": _("API tokens"),
    "otp_totp": _("Second factor"),
    "django_celery_beat": _("Scheduled tasks"),
}
LIBRARY_MODELS: dict[str, tuple[StrPromise, StrPromise]] = {
    "axes.AccessAttempt": (_("failed sign-in attempt"), _("failed sign-in attempts")),
    "axes.AccessFailureLog": (_("failed sign-in"), _("failed sign-ins")),
    "axes.AccessLog": (_("sign-in record"), _("sign-in records")),
    "knox.AuthToken": (_("API token"), _("API tokens")),
    "otp_totp.TOTPDevice": (_("authenticator app"), _("authenticator apps")),
    "django_celery_beat.PeriodicTask": (_("scheduled task"), _("scheduled tasks")),
    "django_celery_beat.CrontabSchedule": (_("crontab schedule"), _("crontab schedules")),
    "django_celery_beat.IntervalSchedule": (_("interval"), _("intervals")),
    "django_celery_beat.SolarSchedule": (_("solar event"), _("solar events")),
    "django_celery_beat.ClockedSchedule": (_("one-off time"), _("one-off times")),
}


class CaseflowConfig(AppConfig):
    """The project shell: installed for its seed command, and to name the libraries' admin
    sections in the user's language."""

    name = "caseflow"

    def ready(self) -> None:
        for label, title in LIBRARY_SECTIONS.items():
            apps.get_app_config(label).verbose_name = title
        for name, (singular, plural) in LIBRARY_MODELS.items():
            options = apps.get_model(name)._meta
            options.verbose_name, options.verbose_name_plural = singular, plural
