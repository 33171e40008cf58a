"""Every route of the access matrix, sent hostile values in every parameter and field it takes,
as a user allowed to use it: never a 500, and a refused request saves nothing (quality.md).

The routes and their requests come from the matrix (tests/authz), so a new route is covered as
soon as it has its row; the query parameters of API operations come from the OpenAPI schema,
those of pages from the names pages read. A megabyte in each one field alone, with valid values
in the others, is tests/hostile/test_megabyte.py's."""

import functools
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.authz.test_access_matrix import MATRIX, ROLES, Row
from tests.conftest import World

TEXT = ["a\x00b", "²", "١٢", "-1", "9" * 30, "x" * 200_000, "' OR 1=1 --", "2026-02-30"]
# JSON bodies may carry any type, not only text.
JSON_ONLY: list[Any] = [None, True, [], {"a": 1}, 10**30, -1.5]
# The query parameters that pages read.
PAGE_PARAMETERS = {"q", "page", "month", "ordering", "coordinator", "assessment", "older", "newer", "status", "team"}
# A few tables that every write touches one of: a refused request must leave their counts alone.
COUNTED = [
    "clients_client",
    "clients_assignment",
    "clients_contact",
    "networks_networkmember",
    "networks_networkmeeting",
    "assessments_assessment",
    "care_plans_planversion",
    "care_plans_plangoal",
    "budgets_budget",
    "budgets_spending",
    "teams_teammembership",
    "teams_substitution",
]


def _counts() -> tuple[int, ...]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT count(*) FROM {table})" for table in COUNTED))  # noqa: S608
        return tuple(cursor.fetchone() or ())


@functools.cache
def _operations() -> tuple[dict[str, Any], dict[tuple[str, str], dict[str, Any]]]:
    """The OpenAPI schema, and each operation by URL name and method: made once, as it takes a
    second or more."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    resolver = get_resolver()
    operations: dict[tuple[str, str], dict[str, Any]] = {}
    for path, path_operations in schema["paths"].items():
        name = resolver.resolve(re.sub(r"\{\w+\}", "1", path)).url_name
        for method, operation in path_operations.items():
            operations[(str(name), method.upper())] = operation
    return schema, operations


def _schema_parameters() -> dict[tuple[str, str], set[str]]:
    return {
        key: {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        for key, operation in _operations()[1].items()
    }


def _user_for(row: Row) -> str | None:
    """A role the row lets in (a 2xx or a redirect), the coordinator first; None for none."""
    allowed = [role for role in ROLES if role != "anonymous" and row.expected.get(role, 404) < 400]
    return ("coordinator" if "coordinator" in allowed else allowed[0]) if allowed else None


def _requests(name: str, row: Row, world: World, query_names: set[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, request arguments) for each hostile value in each of the row's inputs."""
    url = reverse(name, kwargs=row.kwargs(world))
    is_api = name.startswith("api-")
    base_query, base_data = row.query(world), row.data()
    values: list[Any] = TEXT + (JSON_ONLY if is_api and row.method != "GET" else [])
    for value in values:
        if row.method == "GET" or not base_data:
            query = {**base_query, **dict.fromkeys(query_names | set(base_query), value)}
            if isinstance(value, str):
                yield f"query={value[:12]!r}", {"path": f"{url}?{urlencode(query)}", "method": "GET"}
        if row.method != "GET":
            data = dict.fromkeys(base_data, value) or {"unexpected": value}
            if is_api:
                body, kind = json.dumps(data), "application/json"
            elif isinstance(value, str):
                body, kind = urlencode(data), "application/x-www-form-urlencoded"
            else:
                continue
            yield f"{row.method} {value!r:.12}", {"path": url, "method": row.method, "data": body, "content_type": kind}


# One row per route and method: the variants differ in whose object, not in what is parsed.
ROWS = sorted(
    {
        (name, row.method): (name, variant)
        for (name, variant), row in MATRIX.items()
        if _user_for(row) and ":" not in name
    }.values()
)
CHUNKS = 6


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_no_route_answers_500_to_hostile_input_and_a_refusal_saves_nothing(world: World, chunk: int) -> None:
    schema_parameters = _schema_parameters()
    failures = []
    for name, variant in ROWS[chunk::CHUNKS]:
        row = MATRIX[(name, variant)]
        client = APIClient(raise_request_exception=False)
        client.force_login(getattr(world, str(_user_for(row))))
        query_names = schema_parameters.get((name, "GET"), set()) if name.startswith("api-") else PAGE_PARAMETERS
        for label, arguments in _requests(name, row, world, query_names):
            before = _counts()
            response = client.generic(**arguments)
            if response.status_code >= 500:
                failures.append(f"{name}[{variant}] {label}: {response.status_code}")
            elif response.status_code >= 400 and _counts() != before:
                failures.append(f"{name}[{variant}] {label}: {response.status_code} but rows changed")
    assert failures == []
