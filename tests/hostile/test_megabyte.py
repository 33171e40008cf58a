"""A megabyte in one field of an otherwise valid request, for every field of every page form and
API operation that writes: a 400 that names the field, and nothing saved (issue 20, item 1).

tests/hostile/test_every_route.py sends each hostile value to all of a request's fields at
once, so a long value there can be refused for the body's size before a field sees it; here
each field gets its megabyte alone, with the row's valid values in the others, so the refusal
is the field's own limit. The API's fields are the string properties of each operation's
request body in the OpenAPI schema, the pages' those of the access matrix's valid form."""

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django import forms
from django.urls import reverse
from rest_framework.test import APIClient

from tests.authz.test_access_matrix import MATRIX, Row
from tests.conftest import World
from tests.hostile.test_every_route import ROWS, _counts, _operations, _user_for
from tests.hostile.test_text_limits import _classes, _form_text_fields

MEGABYTE = "x" * 1_000_000
# The names of the text fields of every project form: a page field by one of these names
# (after its form's prefix) must be refused with its own message; any other (a date, a choice)
# with a 400 or a refusal the page shows its own way, and nothing saved.
PAGE_TEXT_FIELDS = {name for form_class in _classes(forms.BaseForm) for name, _field in _form_text_fields(form_class)}
# Page fields that steer the view rather than carry data: a megabyte there is no valid choice,
# refused or ignored like any unknown one, with no field of a form to name it.
STEERING = {"action", "next", "mode", "direction", "language"}


def _api_text_fields(operation: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    body = content.get("schema", {})
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return sorted(
        name
        for name, spec in body.get("properties", {}).items()
        if spec.get("type") == "string" and "format" not in spec and "enum" not in spec and not spec.get("readOnly")
    )


def _requests(name: str, row: Row, world: World) -> Iterator[tuple[str, dict[str, Any]]]:
    """(field, request arguments): the row's valid body with a megabyte in that one field."""
    url = reverse(name, kwargs=row.kwargs(world))
    query = row.query(world)
    if query:
        url += "?" + urlencode(query)
    base = row.data()
    if name.startswith("api-"):
        schema, operations = _operations()
        operation = operations.get((name, row.method))
        for field in _api_text_fields(operation or {}, schema):
            body = json.dumps({**base, field: MEGABYTE})
            yield field, {"path": url, "method": row.method, "data": body, "content_type": "application/json"}
        return
    # A checkbox is ticked by any value: a megabyte there is a tick, not an input to refuse.
    for field in sorted(
        name for name, value in base.items() if name not in STEERING and not (value is True or value == "on")
    ):
        body = urlencode({**base, field: MEGABYTE}, doseq=True)
        yield (
            field,
            {
                "path": url,
                "method": row.method,
                "data": body,
                "content_type": "application/x-www-form-urlencoded",
            },
        )


def _names_the_field(response: Any, field: str, is_api: bool) -> bool:
    if is_api:
        return field in response.json()
    # The page shows the form again with the field's error under it (templates/_field.html),
    # or at least the length the field refused (Django's message gives it).
    html = response.content.decode()
    return f'id="id_{field}_error"' in html or str(len(MEGABYTE)) in html


WRITES = [(name, variant) for name, variant in ROWS if MATRIX[(name, variant)].method != "GET"]
CHUNKS = 2


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_a_megabyte_in_any_one_field_is_a_400_that_names_it_and_saves_nothing(world: World, chunk: int) -> None:
    failures = []
    for name, variant in WRITES[chunk::CHUNKS]:
        row = MATRIX[(name, variant)]
        client = APIClient(raise_request_exception=False)
        client.force_login(getattr(world, str(_user_for(row))))
        for field, arguments in _requests(name, row, world):
            before = _counts()
            response = client.generic(**arguments)
            label = f"{name}[{variant}] {field}"
            is_api = name.startswith("api-")
            if is_api or field.rsplit("-", 1)[-1] in PAGE_TEXT_FIELDS:
                if response.status_code != 400:
                    failures.append(f"{label}: {response.status_code}")
                elif not _names_the_field(response, field, is_api):
                    failures.append(f"{label}: 400 without the field's message")
            elif response.status_code >= 500 or response.status_code < 300:
                failures.append(f"{label}: {response.status_code}")
            if _counts() != before:
                failures.append(f"{label}: rows changed")
    assert not failures, "\n".join(failures)
