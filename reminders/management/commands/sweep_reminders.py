import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reminders import services


class Command(BaseCommand):
    help = "Create the reminders due today and queue their delivery (what beat runs periodically)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="sweep as on this day (YYYY-MM-DD)")
        parser.add_argument("--no-queue", action="store_true", help="create the rows only; do not queue deliveries")

    def handle(self, *args: Any, today: datetime.date | None, no_queue: bool, **options: Any) -> None:
        started = time.perf_counter()
        result = services.sweep(today=today, queue=not no_queue)
        elapsed = time.perf_counter() - started
        for kind, count in sorted(result.created.items()):
            escalated = result.escalated.get(kind)
            self.stdout.write(f"{kind}: {count}" + (f" (+{escalated} escalated)" if escalated else ""))
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.total_created} reminders in {result.batches} batches, cancelled "
                f"{result.cancelled}, queued {result.queued} deliveries ({result.not_queued} left for the next "
                f"sweep) in {elapsed:.2f} s."
            )
        )
