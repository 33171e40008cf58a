"""What no parameter may carry is refused with a 400 before any view, pages and API alike, and
ids are read as ASCII digits only."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from clients.models import Assignment
from core.params import (
    BadParameterError,
    as_pk,
    query_choice,
    query_date,
    query_page,
    query_pk,
    query_text,
)
from tests.conftest import World
from tests.hostile.test_text_limits import _project_apps

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
    assert list(response.json()) == ["coordinator"]


def test_a_calculation_for_an_assessment_that_is_no_number_is_a_400_that_names_it(world: World) -> None:
    page = Client()
    page.force_login(world.coordinator)
    response = page.get(reverse("budget-calculation", kwargs={"pk": world.budget.pk}), {"assessment": "abc"})
    assert response.status_code == 400
    assert b"assessment: " in response.content


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("caseload", {"page": "²"}),
        ("caseload", {"sort": "nonsense"}),
        ("caseload", {"q": "x" * 101}),
        ("client-search", {"pick": "yes"}),
        ("reminders", {"page": "-1"}),
        ("referrals-overdue", {"page": "١٢"}),
        ("portal-sign-in", {"next": "/oma/\x7f"}),
    ],
)
def test_a_malformed_query_parameter_of_a_page_is_a_400_that_names_it(
    world: World, name: str, query: dict[str, str]
) -> None:
    page = Client()
    page.force_login(world.coordinator)
    response = page.get(reverse(name), query)
    assert response.status_code == 400
    assert f"{next(iter(query))}".encode() in response.content


def test_a_superscript_page_of_the_portal_log_is_a_400_not_a_500(world: World) -> None:
    page = Client()
    page.force_login(world.citizen)
    response = page.get(reverse("portal-log"), {"page": "²"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("api-caseload", {"ordering": "nonsense"}),
        ("api-caseload", {"q": "x" * 101}),
        ("api-client-search", {"q": "x" * 101}),
        ("api-providers", {"service_type": "x" * 41}),
    ],
)
def test_a_malformed_query_parameter_of_the_api_is_a_400_that_names_it(
    world: World, api: APIClient, name: str, query: dict[str, str]
) -> None:
    api.force_login(world.coordinator)
    response = api.get(reverse(name), query)
    assert response.status_code == 400
    assert list(response.json()) == list(query)


def _request(**query: str) -> HttpRequest:
    return RequestFactory().get("/", query)


def test_the_query_readers_take_what_is_well_formed_and_default_what_is_absent() -> None:
    today = timezone.localdate()
    request = _request(id="12", page="3", day=today.isoformat(), sort="name", q="  Virtanen ", empty="")
    assert query_pk(request, "id") == 12
    assert query_pk(request, "empty", default=5) == 5
    assert query_page(request) == 3
    assert query_page(_request()) == 1
    assert query_date(request, "day") == today
    assert query_date(request, "missing") is None
    assert query_choice(request, "sort", {"name", "deadline"}, "deadline") == "name"
    assert query_choice(request, "missing", {"name"}, "name") == "name"
    assert query_text(request, "q") == "Virtanen"
    assert query_text(request, "missing") == ""


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (lambda r: query_pk(r, "v"), "²"),
        (lambda r: query_pk(r, "v"), "1" * 19),
        (lambda r: query_page(r, "v"), "0"),
        (lambda r: query_date(r, "v"), "2026-02-30"),
        (lambda r: query_date(r, "v"), "２０２６-01-01"),
        (lambda r: query_date(r, "v"), "20260101"),
        (lambda r: query_choice(r, "v", {"name"}, "name"), "Name"),
        (lambda r: query_text(r, "v"), "x" * 101),
        (lambda r: query_text(r, "v"), "a\x00b"),
    ],
)
def test_the_query_readers_refuse_what_is_malformed_naming_the_parameter(
    reader: Callable[[HttpRequest], object], value: str
) -> None:
    with pytest.raises(BadParameterError) as refusal:
        reader(_request(v=value))
    assert refusal.value.name == "v"


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


# A view reading a query parameter by hand: ``request.GET.get("page")``, ``query_params["q"]``.
BY_HAND = re.compile(r"\b(GET|query_params)(\.get\(|\.getlist\(|\[)")


def test_no_view_reads_a_query_parameter_by_hand() -> None:
    """core.params (or a Form given the whole query) is the one way: a value read by hand is
    where a superscript digit or a NUL once reached ``int()`` or PostgreSQL."""
    root = Path(settings.BASE_DIR)
    by_hand = [
        f"{path.relative_to(root)}:{number}"
        for config in _project_apps()
        for path in sorted(Path(config.path).rglob("*.py"))
        if path != root / "core" / "params.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if BY_HAND.search(line)
    ]
    assert by_hand == []
