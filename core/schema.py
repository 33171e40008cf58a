"""The API schema's error answers, documented once for every operation where they can occur, so
that a client (and schemathesis) reads from the schema which 4xx it must handle and their body.

The bodies are those of ``core.api.exception_handler`` and DRF: ``{"detail": "…"}`` for a
refusal, and for invalid input an object of field names (``non_field_errors`` for the whole)
whose values are lists of messages, or for a nested field its own object or list; a body
that cannot be parsed at all is refused with a detail."""

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ComponentRegistry, ResolvedComponent
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny

ERROR = ResolvedComponent(  # type: ignore[no-untyped-call]
    name="Error",
    type=ResolvedComponent.SCHEMA,
    object="core.schema.Error",
    schema={
        "type": "object",
        "description": "A refusal: not signed in, not allowed, not found, a conflict or too many requests.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
)
VALIDATION_ERROR = ResolvedComponent(  # type: ignore[no-untyped-call]
    name="ValidationError",
    type=ResolvedComponent.SCHEMA,
    object="core.schema.ValidationError",
    schema={
        "type": "object",
        "description": "Invalid input: each field's messages (``non_field_errors`` for the whole request); "
        "a nested field has its own object, a list of them a list.",
        "additionalProperties": {"anyOf": [{"type": "array"}, {"type": "object"}]},
    },
)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
DESCRIPTIONS = {
    "400": "The input is invalid; nothing was saved.",
    "401": "Not signed in, or the token is invalid or expired.",
    "403": "Not signed in (session), or not allowed.",
    "404": "No such object, or one the user may not see.",
    "409": "The object's state forbids this now (a closed client, a stale revision).",
    "429": "Too many requests; try again later.",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema that adds to each operation the error answers it can give,
    from what the view is made of: its authentication, permissions and throttles, and whether
    it takes parameters or a body or changes something."""

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: ComponentRegistry
    ) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        registry.register_on_missing(ERROR)
        registry.register_on_missing(VALIDATION_ERROR)
        responses = operation.setdefault("responses", {})
        for code in self._error_codes(operation):
            # A body that is not JSON at all is refused with a detail, like a refusal.
            schema = {"anyOf": [VALIDATION_ERROR.ref, ERROR.ref]} if code == "400" else ERROR.ref
            responses.setdefault(
                code, {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": schema}}}
            )
        return operation

    def _error_codes(self, operation: dict[str, Any]) -> list[str]:
        parameters = operation.get("parameters", [])
        takes_input = bool(parameters) or "requestBody" in operation
        authenticators = list(getattr(self.view, "authentication_classes", []))
        permissions = list(getattr(self.view, "permission_classes", []))
        signed_in_only = any(permission is not AllowAny for permission in permissions)
        codes = []
        if takes_input:
            # Invalid input (the hostile-input middleware refuses any query parameter too).
            codes.append("400")
        if authenticators and _answers_401(authenticators[0]):
            codes.append("401")
        if signed_in_only or authenticators:
            # DRF answers 403 to the unauthenticated where the first authenticator (the session)
            # sends no challenge, and to a role the permission refuses.
            codes.append("403")
        if takes_input:
            # An id in the path, the query or the body that names an object the user may not
            # see (access answers 404 rather than reveal it), or a page past the last.
            codes.append("404")
        if self.method in UNSAFE:
            codes.append("409")
        if getattr(self.view, "throttle_classes", []):
            codes.append("429")
        return codes


def _answers_401(authenticator: type[BaseAuthentication]) -> bool:
    """DRF answers 401 only where the first authenticator sends a challenge header."""
    return authenticator.authenticate_header is not BaseAuthentication.authenticate_header
