"""Durations read the same way everywhere: "4 v 2 kk", not "1929 päivää" beside "5 vuotta,
3 kuukautta" (issue 19, part 4)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core.templatetags.caseflow_tags import span
from tests.conftest import World


# The spans are counted between the dates given, not from today; pinned all the same.
@pytest.mark.today(datetime.date(2026, 11, 27))
@pytest.mark.parametrize(
    ("start", "end", "fi", "en"),
    [
        (datetime.date(2021, 9, 15), datetime.date(2026, 11, 27), "5 v 2 kk", "5 y 2 mo"),
        (datetime.date(2024, 11, 27), datetime.date(2026, 11, 27), "2 v", "2 y"),
        (datetime.date(2026, 9, 1), datetime.date(2026, 11, 27), "2 kk", "2 mo"),
        (datetime.date(2026, 11, 15), datetime.date(2026, 11, 27), "12 pv", "12 d"),
        (None, datetime.date(2026, 11, 27), "–", "–"),
    ],
)
def test_one_humane_format(start: datetime.date | None, end: datetime.date, fi: str, en: str) -> None:
    with translation.override("fi"):
        assert span(start, end) == fi
    with translation.override("en"):
        assert span(start, end) == en


def test_the_caseload_shows_durations_in_that_format(world: World) -> None:
    browser = Client()
    browser.force_login(world.coordinator)
    page = browser.get(reverse("caseload")).content.decode()
    since = span(world.relationships_since, timezone.localdate())
    assert since.endswith("kk") or " v" in since
    assert f">{since}</td>" in page
    assert "päivää</td>" not in page
