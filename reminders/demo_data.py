"""The demo's reminders: one sweep over the seeded data, so that the inbox has something in
it. Deliveries are left for the next sweep (``manage.py sweep_reminders``), which prints the
emails in the demo instead of flooding the seed's output."""

import datetime

from . import services


def seed_reminders(*, today: datetime.date) -> services.SweepResult:
    return services.sweep(today=today, queue=False)
