"""Staff give a code from an authenticator app after the password where the second factor is
required (production): enrolment on the first sign-in, the code on every later one."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import World


@pytest.fixture(autouse=True)
def required(settings: Any) -> None:
    settings.SECOND_FACTOR_REQUIRED = True


def _code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():0{device.digits}d}"


def _sign_in(world: World) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": "coordinator", "password": "caseflow-demo"})
    assert response.status_code == 302
    return client


def test_the_first_sign_in_enrols_an_authenticator_and_the_next_asks_its_code(world: World) -> None:
    client = _sign_in(world)
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second-factor"))
    page = client.get(response["Location"])
    device = TOTPDevice.objects.get(user=world.coordinator)
    assert not device.confirmed
    assert page.context["enrolling"]
    assert page.context["config_url"].startswith("otpauth://totp/Caseflow")
    wrong = client.post(reverse("second-factor"), {"code": "000000", "next": reverse("caseload")})
    assert wrong.status_code == 400
    assert client.get(reverse("caseload")).status_code == 302
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above slows the next try down
    device.save()
    right = client.post(reverse("second-factor"), {"code": _code(device), "next": reverse("caseload")})
    assert right.status_code == 302
    assert right["Location"] == reverse("caseload")
    assert client.get(reverse("caseload")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    later = _sign_in(world)
    assert later.get(reverse("second-factor")).context["enrolling"] is False


def test_an_unverified_session_gets_nothing_from_the_api(world: World) -> None:
    client = _sign_in(world)
    assert client.get(reverse("api-caseload")).status_code == 403


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "12345", "1234567", "abcdef", "\x00"])
def test_a_code_that_is_not_six_ascii_digits_is_refused(world: World, code: str) -> None:
    client = _sign_in(world)
    assert client.post(reverse("second-factor"), {"code": code}).status_code == 400
    assert client.get(reverse("caseload")).status_code == 302


def test_the_next_address_stays_on_this_site(world: World) -> None:
    client = _sign_in(world)
    client.get(reverse("second-factor"))
    device = TOTPDevice.objects.get(user=world.coordinator)
    response = client.post(reverse("second-factor"), {"code": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")
