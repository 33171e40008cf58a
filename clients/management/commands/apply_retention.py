import re
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clients import services


class Command(BaseCommand):
    help = (
        "List the closed clients whose records are past retention; anonymise them when "
        "RETENTION_ANONYMISE is on (or with --anonymise), unless --dry-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Run as of this day (YYYY-MM-DD), e.g. to see what a date would do.")
        parser.add_argument("--dry-run", action="store_true", help="Only list, whatever the setting.")
        parser.add_argument("--anonymise", action="store_true", help="Anonymise even if the setting is off.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            # ASCII digits only: a year in other digits is not a date this command takes.
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", options["today"], flags=re.ASCII):
                raise CommandError("--today takes a date as YYYY-MM-DD.")
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today takes a date as YYYY-MM-DD.") from error
        anonymise = False if options["dry_run"] else (options["anonymise"] or settings.RETENTION_ANONYMISE)
        result = services.apply_retention(today=today, anonymise=anonymise)
        for client in result.listed:
            self.stdout.write(
                f"client {client.pk}\t{client.record_class}\t"  # type: ignore[attr-defined]
                f"kept until {client.retention_ended_on}"  # type: ignore[attr-defined]
            )
        verb = "anonymised" if anonymise else "past retention (dry run: nothing changed)"
        self.stdout.write(f"{len(result.listed)} client records {verb}.")
