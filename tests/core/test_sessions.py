"""A signed-in session ends when idle or old, keeps its pages out of caches, and sign-in
failures lock out the username from that address only; the API is throttled."""

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.conftest import World


def _signed_in(world: World) -> Client:
    client = Client()
    client.force_login(world.coordinator)
    return client


def test_a_signed_in_page_is_not_cached(world: World) -> None:
    response = _signed_in(world).get(reverse("caseload"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_session_idle_for_half_an_hour_ends(world: World) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = _signed_in(world)
        assert client.get(reverse("caseload")).status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("caseload")).status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("caseload"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert client.get(reverse("caseload")).status_code == 302  # signed out, not only turned away once


@override_settings(SESSION_COOKIE_AGE=24 * 60 * 60, SESSION_MAX_SECONDS=8 * 60 * 60)
def test_an_active_session_ends_after_eight_hours(world: World) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = _signed_in(world)
        for _ in range(8 * 3):
            assert client.get(reverse("caseload")).status_code == 200
            clock.shift(datetime.timedelta(minutes=20))
        clock.shift(datetime.timedelta(minutes=1))
        assert client.get(reverse("caseload")).status_code == 302


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_failed_sign_ins_lock_out_the_username_from_that_address_only(world: World) -> None:
    def sign_in(address: str, password: str) -> int:
        data = {"username": "coordinator", "password": password}
        return Client(REMOTE_ADDR=address).post(reverse("login"), data).status_code

    assert [sign_in("10.0.0.66", "wrong") for _ in range(3)] == [200, 200, 429]
    assert sign_in("10.0.0.66", "caseflow-demo") == 429
    assert sign_in("10.0.0.7", "caseflow-demo") == 302


@pytest.fixture
def three_a_minute(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "3/min")
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("three_a_minute")
def test_the_api_is_throttled_per_user(world: World, api: APIClient) -> None:
    api.force_login(world.coordinator)
    assert [api.get(reverse("api-caseload")).status_code for _ in range(4)] == [200, 200, 200, 429]
