"""Strong sign-in through a real OpenID Connect provider started on 127.0.0.1 for the test
(oidc-provider-mock): the relying party, its token exchange, signature check and our claims
rules run as in production; nothing of the client library is mocked."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from oidc_provider_mock import run_server_in_thread

from portal.models import PortalAccount
from tests.conftest import World

CALLBACK = "http://testserver/oma/sign-in/oidc/callback/"
HIGH = "http://ftn.ficora.fi/2017/loa3"
LOW = "http://ftn.ficora.fi/2017/loa1"


@pytest.fixture
def provider() -> Iterator[dict[str, Any]]:
    with run_server_in_thread(port=0) as server:
        base = f"http://localhost:{server.server_port}"
        config = requests.get(f"{base}/.well-known/openid-configuration", timeout=5).json()
        registered = requests.post(
            config["registration_endpoint"],
            json={"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "client_secret_post"},
            timeout=5,
        ).json()
        settings = {
            "OIDC_RP_CLIENT_ID": registered["client_id"],
            "OIDC_RP_CLIENT_SECRET": registered["client_secret"],
            "OIDC_OP_AUTHORIZATION_ENDPOINT": config["authorization_endpoint"],
            "OIDC_OP_TOKEN_ENDPOINT": config["token_endpoint"],
            "OIDC_OP_USER_ENDPOINT": config["userinfo_endpoint"],
            "OIDC_OP_JWKS_ENDPOINT": config["jwks_uri"],
        }
        with override_settings(**settings):
            yield {"base": base}


def identify(provider: dict[str, Any], sub: str, claims: dict[str, str]) -> HttpClient:
    """Goes through the whole code flow as the browser would: our start, the provider's
    authorisation of ``sub`` (with ``claims``), our callback. Returns the browser."""
    requests.put(f"{provider['base']}/users/{sub}", json=claims, timeout=5).raise_for_status()
    browser = HttpClient()
    start = browser.get(reverse("oidc_authentication_init"), {"next": "/oma/"})
    assert start.status_code == 302
    authorised = requests.post(start["Location"], data={"sub": sub}, allow_redirects=False, timeout=5)
    assert authorised.status_code == 302
    back = urlsplit(authorised.headers["Location"])
    assert f"http://testserver{back.path}" == CALLBACK
    browser.get(f"{back.path}?{back.query}")
    return browser


def test_a_client_signs_in_with_substantial_or_high_assurance(world: World, provider: dict[str, Any]) -> None:
    claims = {"acr": HIGH, "urn:oid:1.2.246.21": world.own_client.identity_code}
    browser = identify(provider, "client-1", claims)
    response = browser.get(reverse("portal-home"))
    assert response.status_code == 200
    assert response.wsgi_request.user == world.citizen
    assert PortalAccount.objects.get(client=world.own_client).last_sign_in_at is not None


def test_low_assurance_is_refused(world: World, provider: dict[str, Any]) -> None:
    browser = identify(provider, "client-2", {"acr": LOW, "urn:oid:1.2.246.21": world.own_client.identity_code})
    assert browser.get(reverse("portal-home")).status_code == 302  # still to the sign-in


def test_an_identity_code_that_opens_no_portal_is_refused(world: World, provider: dict[str, Any]) -> None:
    claims = {"acr": HIGH, "urn:oid:1.2.246.21": world.other_client.identity_code}
    browser = identify(provider, "client-3", claims)
    assert browser.get(reverse("portal-home")).status_code == 302


def test_a_representative_signs_in_as_themselves(world: World, provider: dict[str, Any]) -> None:
    code = world.own_client.portal_representatives.get().identity_code
    browser = identify(provider, "rep-1", {"acr": HIGH, "urn:oid:1.2.246.21": code})
    response = browser.get(reverse("portal-home"))
    assert response.status_code == 200
    assert response.wsgi_request.user == world.representative
