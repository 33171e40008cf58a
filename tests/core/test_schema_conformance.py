"""Schemathesis against the API as its schema describes it: every operation, as a signed-in
coordinator, sent valid and invalid input generated from the schema, answers a status code the
schema documents, with the documented content type and body, and never a server error.

Bounded for `make test`: a fixed seed, derandomized, a few examples per operation and mode, no
shrinking. Each operation runs twice: with the ids in its path generated (mostly objects that
do not exist or the coordinator may not see) and with those of the access matrix's row the
coordinator may use (real objects, so the writes reach the services)."""

import re
from collections.abc import Callable, Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from django.urls import get_resolver, reverse
from hypothesis import HealthCheck, Phase
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WerkzeugClient

from tests.authz.test_access_matrix import MATRIX
from tests.conftest import World

SCHEMA_URL = "/api/schema/?format=json"
EXAMPLES = 2
SEED = 20
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _url_name(path: str) -> str:
    return str(get_resolver().resolve(re.sub(r"\{\w+\}", "1", path)).url_name)


def _coordinators_kwargs(world: World) -> dict[tuple[str, str], dict[str, Any]]:
    """The path parameters of a real object the coordinator may use, per (route, method)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for (name, _variant), row in MATRIX.items():
        if name.startswith("api-") and row.expected.get("coordinator", 404) < 400:
            found.setdefault((name, row.method), row.kwargs(world))
    return found


def _run(
    operation: APIOperation[Any, Any, Any, Any],
    mode: GenerationMode,
    call: Callable[[Any], None],
    path_parameters: dict[str, Any] | None,
) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @hypothesis.seed(SEED)
    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def test(case: Any) -> None:
        call(case)

    try:
        test()
    except hypothesis.errors.Unsatisfiable:
        # Input that takes any value (a free-text query parameter) has nothing to make invalid.
        assert mode is GenerationMode.NEGATIVE, operation.label


def _negatable(operation: APIOperation[Any, Any, Any, Any], *, fixed_path: bool) -> bool:
    """Whether there is input to make invalid (without, hypothesis searches in vain)."""
    return bool(operation.query.items or operation.body.items or (operation.path_parameters.items and not fixed_path))


@pytest.fixture
def application() -> Iterator[WSGIHandler]:
    """The project's WSGI application, in this process and this test's transaction: like
    Django's test client, it keeps the connection open between requests."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_every_operation_answers_as_the_schema_documents(world: World, application: WSGIHandler) -> None:
    _instance, token = AuthToken.objects.create(user=world.coordinator)
    headers = {"Authorization": f"Token {token}"}
    # The schema as the application serves it, to the signed-in only.
    assert WerkzeugClient(application).get(SCHEMA_URL).status_code == 403
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, application, headers=headers)
    real = _coordinators_kwargs(world)
    cases: list[str] = []
    failures: dict[str, str] = {}  # the first of each kind per operation

    def call(case: Any) -> None:
        cases.append(case.operation.label)
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, FailureGroup) as error:
            kind = re.findall(r"- (ST\d+|[A-Z][\w ]+)", str(error))
            failures.setdefault(f"{case.operation.label} {kind}", f"{error}"[:3000])

    loaded = list(schema.get_all_operations())
    operations = [result.ok() for result in loaded if isinstance(result, Ok)]
    assert len(operations) == len(loaded), [result for result in loaded if not isinstance(result, Ok)]
    for operation in operations:
        parameters = real.get((_url_name(operation.path), operation.method.upper()))
        for path_parameters in [None, parameters] if parameters else [None]:
            _run(operation, GenerationMode.POSITIVE, call, path_parameters)
            if _negatable(operation, fixed_path=path_parameters is not None):
                _run(operation, GenerationMode.NEGATIVE, call, path_parameters)
    print(f"schemathesis: {len(operations)} operations, {len(cases)} cases")  # noqa: T201
    assert len(cases) > 4 * len(operations)
    assert failures == {}, "\n\n".join(f"{label}\n{message}" for label, message in failures.items())


def test_a_path_that_names_no_route_answers_json_under_the_api_and_a_page_elsewhere(world: World) -> None:
    client = Client()
    client.force_login(world.coordinator)
    api = client.get("/api/v1/clients/not-a-number/")
    assert (api.status_code, api["Content-Type"], set(api.json())) == (404, "application/json", {"detail"})
    page = client.get("/clients/not-a-number/")
    assert (page.status_code, page["Content-Type"]) == (404, "text/html; charset=utf-8")


def test_a_request_refused_before_any_view_answers_json_under_the_api(world: World, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = Client()
    client.force_login(world.coordinator)
    fields = {f"field{n}": "x" for n in range(11)}
    api = client.post("/api/v1/handovers/", fields)
    assert (api.status_code, api["Content-Type"], set(api.json())) == (400, "application/json", {"detail"})
    page = client.post(reverse("caseload-handover"), fields)
    assert (page.status_code, page["Content-Type"]) == (400, "text/html; charset=utf-8")
