"""Working days for statutory deadlines: Monday to Friday, less Finnish public holidays.

The ``holidays`` package's Finland calendar lists Midsummer Eve (juhannusaatto) and Christmas
Eve (jouluaatto) too; both are non-working days in social services' deadline practice.
Deadlines count from the day after the event: the event day itself never counts (SHL §36).
"""

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _finnish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FI", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _finnish_holidays(day.year)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself not counted); ``start`` for 0."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
