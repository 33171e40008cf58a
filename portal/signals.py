"""The e-mail that tells a client a new message is waiting in the portal. ``ClientMessage`` is
written by the clients app's services (handover, substitution, closure); the portal listens
for new rows rather than each of those services knowing about the portal."""

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from access.portal import is_portal_user
from clients.models import ClientMessage

from . import services, tasks


@receiver(post_save, sender=ClientMessage, dispatch_uid="portal-new-message-email")
def message_created(sender: type[ClientMessage], instance: ClientMessage, created: bool, **kwargs: Any) -> None:
    if created:
        message_pk = instance.pk
        transaction.on_commit(lambda: tasks.notify_new_message.delay(message_pk))


@receiver(user_logged_in, dispatch_uid="portal-sign-in")
def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A portal sign-in: the time for the coordinator to see, and the short idle timeout."""
    if is_portal_user(user):
        services.record_sign_in(user=user)
        if request is not None and hasattr(request, "session"):
            request.session.set_expiry(settings.PORTAL_IDLE_SECONDS)
