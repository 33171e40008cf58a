"""Email backends that fail as an SMTP server does, for the delivery tests."""

import smtplib
from collections.abc import Sequence

from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend


class FailOnceBackend(EmailBackend):
    """Refuses the first message with a temporary SMTP error, then delivers to the outbox."""

    failures = 0

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        if FailOnceBackend.failures == 0:
            FailOnceBackend.failures += 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def outbox() -> list[EmailMessage]:
    return list(getattr(mail, "outbox", []))


class BrokenMessageBackend(EmailBackend):
    """Refuses every message as malformed: not something a retry mends."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        raise ValueError("Header values may not contain linefeed or carriage return characters")
