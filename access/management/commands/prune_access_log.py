import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from access import partitions


class Command(BaseCommand):
    help = (
        "Drop the access log's whole months past the retention period (ACCESS_LOG_RETENTION_MONTHS). "
        "A dry run unless --apply: it prints what it would drop."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="drop them (without it, only say which)")
        parser.add_argument("--months", type=int, help="this retention period instead of the setting's")
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="as on this day (YYYY-MM-DD)")

    def handle(self, *args: Any, apply: bool, months: int | None, today: datetime.date | None, **options: Any) -> None:
        months = settings.ACCESS_LOG_RETENTION_MONTHS if months is None else months
        if months < 1:
            raise CommandError("The retention period is at least one month.")
        since = partitions.kept_since(months, today=today)
        self.stdout.write(f"Retention {months} months: entries from {since:%Y-%m-%d} on are kept.")
        waiting = partitions.rows_in_default()
        if waiting:
            self.stdout.write(
                self.style.WARNING(
                    f"{waiting} entries wait in the DEFAULT partition; the daily partition job moves them "
                    "into their months, after which their months can be dropped."
                )
            )
        found = partitions.expired(months, today=today)
        if not found:
            self.stdout.write("No month is wholly past the retention period: nothing to drop.")
            return
        verb = "Dropping" if apply else "Would drop"
        for partition in found:
            self.stdout.write(f"{verb} {partition.name} ({partition.month:%Y-%m}, {partition.rows} entries)")
        if not apply:
            self.stdout.write(self.style.NOTICE("Dry run: nothing was dropped. Run again with --apply to drop them."))
            return
        dropped = partitions.drop(found)
        self.stdout.write(self.style.SUCCESS(f"Dropped {len(dropped)} months of the access log."))
