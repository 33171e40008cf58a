from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from .log import LOOK_BACK_DAYS

# Whole months that cover the client's look-back (access.log) from any day of a month.
SHORTEST_RETENTION_MONTHS = LOOK_BACK_DAYS // 365 * 12 + 1


@register()
def retention_covers_the_look_back(**kwargs: Any) -> list[CheckMessage]:
    months = settings.ACCESS_LOG_RETENTION_MONTHS
    if months >= SHORTEST_RETENTION_MONTHS:
        return []
    return [
        Error(
            f"ACCESS_LOG_RETENTION_MONTHS is {months}: the client sees {LOOK_BACK_DAYS} days of the "
            "access log, which the retention job would drop.",
            hint=f"Set it from the archive plan, at least {SHORTEST_RETENTION_MONTHS}.",
            id="access.E001",
        )
    ]
