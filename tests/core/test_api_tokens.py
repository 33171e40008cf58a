"""API tokens: for a correct password, to the roles that use the API, expiring, listed and
revoked by their owner, and kept only as a hash."""

import datetime

import time_machine
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.test import APIClient

from tests.conftest import World


def _token(username: str) -> tuple[int, dict[str, str]]:
    response = APIClient().post(reverse("api-token"), {"username": username, "password": "caseflow-demo"})
    return response.status_code, response.json()


def _with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_coordinator_gets_a_token_that_reads_the_caseload_until_it_expires(world: World) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        status, body = _token("coordinator")
        assert status == 200
        assert not AuthToken.objects.filter(digest__contains=body["token"]).exists()  # only its hash is kept
        assert _with(body["token"]).get(reverse("api-caseload")).status_code == 200
        clock.shift(datetime.timedelta(hours=10, minutes=1))
        assert _with(body["token"]).get(reverse("api-caseload")).status_code == 403


def test_the_administrator_gets_no_token(world: World) -> None:
    assert _token("admin")[0] == 403
    assert not AuthToken.objects.exists()


def test_tokens_are_listed_and_revoked_by_their_owner_only(world: World) -> None:
    _status, first = _token("coordinator")
    _token("coordinator")
    client = _with(first["token"])
    listed = client.get(reverse("api-tokens")).json()
    assert len(listed) == 2
    assert all(set(item) == {"token_key", "created", "expiry"} for item in listed)
    key = first["token"][: CONSTANTS.TOKEN_KEY_LENGTH]
    other = APIClient()
    other.force_login(world.colleague)
    assert other.delete(reverse("api-token-detail", kwargs={"key": key})).status_code == 404
    assert client.delete(reverse("api-token-detail", kwargs={"key": key})).status_code == 204
    assert client.get(reverse("api-caseload")).status_code == 403
    assert AuthToken.objects.filter(user=world.coordinator).count() == 1


def test_a_user_holds_a_bounded_number_of_tokens(world: World, settings: object) -> None:
    settings.API_TOKENS_PER_USER = 2  # type: ignore[attr-defined]
    assert [_token("coordinator")[0] for _ in range(3)] == [200, 200, 400]
