"""The "a new message is waiting" e-mail: no content of the message, only that one waits and
where to read it (the e-mail is not a secure channel)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from clients.models import ClientMessage

from .models import MessageEmail, PortalAccount


def notify_new_message(*, message_pk: int) -> bool:
    """Sends the e-mail once for the message, to a client whose portal is on and who has an
    e-mail address; True if it was sent now."""
    message = ClientMessage.objects.filter(pk=message_pk).select_related("client").first()
    if message is None:
        return False
    client = message.client
    if not client.email or not PortalAccount.objects.filter(client=client, enabled=True).exists():
        return False
    with transaction.atomic():
        _row, created = MessageEmail.objects.get_or_create(message=message)
        if not created:
            return False
        with translation.override(client.preferred_language or settings.LANGUAGE_CODE):
            send_mail(
                subject=_("A new message is waiting for you"),
                message=_(
                    "You have a new message in your client portal. Sign in to read it: %(url)s\n\n"
                    "This e-mail contains no details of your matters."
                )
                % {"url": settings.SITE_URL.rstrip("/") + reverse("portal-messages")},
                from_email=None,
                recipient_list=[client.email],
            )
    return True
