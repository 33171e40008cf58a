from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app uses and that knows no domain: calendar, errors, the API base, page
    helpers, template tags, and the worker heartbeat behind /healthz."""

    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import lookups  # noqa: F401  # registers ``__any``
        from .middleware import stamp_session

        user_logged_in.connect(stamp_session, dispatch_uid="core.stamp_session")
