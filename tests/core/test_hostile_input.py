"""What no parameter may carry is refused with a 400 before any view, pages and API alike, and
ids are read as ASCII digits only."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from clients.models import Assignment
from core.params import as_pk
from tests.conftest import World

SEARCHES = ["caseload", "client-search", "intake", "api-caseload", "api-client-search"]


@pytest.mark.parametrize("name", SEARCHES)
@pytest.mark.parametrize("value", ["Virta\x00nen", "a\x1bb", "x" * 1_000_000])
def test_a_nul_a_control_character_or_a_megabyte_in_a_query_is_a_400(world: World, name: str, value: str) -> None:
    page = Client()
    page.force_login(world.coordinator)
    response = page.get(reverse(name), {"q": value})
    assert response.status_code == 400
    assert b"q" in response.content


def test_a_nul_in_the_providers_service_type_is_a_400(world: World, api: APIClient) -> None:
    api.force_login(world.coordinator)
    response = api.get(reverse("api-providers"), {"service_type": "koti\x00hoito"})
    assert response.status_code == 400
    assert "service_type" in response.json()


def test_a_nul_in_a_form_is_a_400_and_nothing_is_saved(world: World) -> None:
    page = Client()
    page.force_login(world.coordinator)
    before = Assignment.objects.count()
    response = page.post(reverse("caseload-handover"), {"owner": "1\x00", "clients": [world.own_client.pk]})
    assert response.status_code == 400
    assert Assignment.objects.count() == before


def test_a_superscript_digit_is_not_an_id(world: World, api: APIClient) -> None:
    api.force_login(world.coordinator)
    response = api.get(reverse("api-caseload"), {"coordinator": "²"})
    assert response.status_code == 400
    assert response.json() == {"coordinator": ["A valid integer is required."]}


def test_a_calculation_for_an_assessment_that_is_no_number_shows_the_latest(world: World) -> None:
    page = Client()
    page.force_login(world.coordinator)
    response = page.get(reverse("budget-calculation", kwargs={"pk": world.budget.pk}), {"assessment": "abc"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (12, 12),
        ("²", None),
        ("١٢", None),
        ("0", None),
        ("-1", None),
        ("1" * 19, None),
        (True, None),
        ("", None),
        (None, None),
    ],
)
def test_an_id_is_ascii_digits_and_positive(value: object, expected: int | None) -> None:
    assert as_pk(value) == expected
