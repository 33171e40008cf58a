from celery import shared_task

from . import notifications


@shared_task(ignore_result=True)
def notify_new_message(message_pk: int) -> None:
    """Thin and idempotent: the notification records that it was sent and sends once."""
    notifications.notify_new_message(message_pk=message_pk)
