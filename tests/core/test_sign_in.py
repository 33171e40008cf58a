import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import World


def _sign_in(client: Client, password: str) -> int:
    return client.post(reverse("login"), {"username": "coordinator", "password": password}).status_code


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_repeated_failed_sign_ins_lock_the_account_out(world: World) -> None:
    client = Client()
    assert [_sign_in(client, "wrong") for _ in range(2)] == [200, 200]
    assert _sign_in(client, "wrong") == 429
    # Locked out: even the right password is refused for the cool-off time.
    assert _sign_in(client, "caseflow-demo") == 429


@override_settings(AXES_ENABLED=True)
def test_a_correct_sign_in_goes_to_the_caseload(world: World) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "coordinator", "password": "caseflow-demo"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("caseload")


@pytest.mark.django_db
def test_sessions_expire() -> None:
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
