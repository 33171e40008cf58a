"""The portal's API shows only the fields it names: each response compared with its list."""

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import World

WORKER = {"name", "title", "phone", "email", "reachable"}
ALLOWED: dict[str, set[str]] = {
    "api-portal-home": {"worker", "substitute", "next_meeting", "review_on", "new_message_count"}
    | WORKER
    | {"id", "starts_at", "ends_at", "place"},
    "api-portal-plan": {
        "id",
        "number",
        "published_at",
        "review_on",
        "client_wishes",
        "strengths_client",
        "backup_plan",
        "goals",
        "client_words",
        "actions",
        "text",
        "responsible",
        "due_on",
        "services",
        "service",
        "provider",
        "amount",
        "starts_on",
        "backup",
        "disagreements",
        "client_position",
        "professional_position",
        "reasons",
    },
    "api-portal-log": {"count", "page", "pages", "results", "at", "name", "profession", "action", "what", "why"},
}


def keys(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in keys(value)}
    if isinstance(data, list):
        return {key for item in data for key in keys(item)}
    return set()


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_each_response_shows_only_its_allowed_fields(world: World, name: str) -> None:
    api = APIClient()
    api.force_login(world.citizen)
    response = api.get(reverse(name))
    assert response.status_code == 200
    shown = keys(response.json())
    assert shown <= ALLOWED[name], f"not allowed: {shown - ALLOWED[name]}"
    body = response.content.decode()
    for code in (world.own_client.identity_code, world.own_client.portal_representatives.get().identity_code):
        assert code not in body


def test_no_portal_page_shows_an_identity_code(world: World) -> None:
    api = APIClient()
    api.force_login(world.representative)
    codes = (world.own_client.identity_code, world.own_client.portal_representatives.get().identity_code)
    for name in ("portal-home", "portal-plan", "portal-log", "portal-consents", "portal-messages", "portal-meetings"):
        body = api.get(reverse(name)).content.decode()
        assert all(code not in body for code in codes), name


def test_staff_get_nothing_from_the_portal_api(world: World) -> None:
    api = APIClient()
    api.force_login(world.coordinator)
    assert api.get(reverse("api-portal-home")).status_code == 403


@pytest.mark.parametrize("query", [{"month": "2026-99"}, {"page": "x"}, {"page": "9" * 30}, {"month": "\x00"}])
def test_bad_log_parameters_are_a_400(world: World, query: dict[str, str]) -> None:
    api = APIClient()
    api.force_login(world.citizen)
    assert api.get(reverse("api-portal-log"), query).status_code == 400
