from datetime import date

import pytest

from core.calendar import add_working_days, is_working_day


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 23), True),  # Monday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 1, 1), False),  # New Year's Day
        (date(2026, 1, 6), False),  # Epiphany
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 5, 1), False),  # May Day
        (date(2026, 5, 14), False),  # Ascension Day
        (date(2026, 6, 19), False),  # Midsummer Eve
        (date(2025, 6, 20), False),  # Midsummer Eve, another year
        (date(2025, 12, 6), False),  # Independence Day (a Saturday anyway)
        (date(2027, 12, 6), False),  # Independence Day on a Monday
        (date(2026, 12, 24), False),  # Christmas Eve
        (date(2026, 12, 25), False),
        (date(2026, 12, 26), False),
        (date(2026, 12, 31), True),  # New Year's Eve is a working day
        (date(2026, 4, 2), True),  # Maundy Thursday is a working day
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_the_domain_example_across_christmas_and_the_year_boundary() -> None:
    # Contact on Thursday 18 December 2025: 19, 22, 23, 29, 30, 31 December and 2 January.
    assert add_working_days(date(2025, 12, 18), 7) == date(2026, 1, 2)


def test_easter_is_skipped() -> None:
    # Thursday 2 April 2026: Good Friday and Easter Monday are holidays.
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert add_working_days(date(2026, 4, 2), 7) == date(2026, 4, 15)


def test_midsummer_is_skipped() -> None:
    # Thursday 18 June 2026: Midsummer Eve on Friday, then the weekend.
    assert add_working_days(date(2026, 6, 18), 1) == date(2026, 6, 22)


def test_the_event_day_never_counts() -> None:
    assert add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 24)
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 11, 23), -1)
