"""Cross-cutting API parts: errors as JSON with field errors, and strict input."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ConflictError, RateLimitedError
from .params import BadParameterError


class ConflictAPIError(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class RateLimitedAPIError(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limited"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """A domain rule broken in a service (Django's ValidationError) is a 400 with field errors,
    like a serializer's, and so is a malformed query parameter; a state conflict is a 409; too
    many lookups a 429."""
    if isinstance(exc, ConflictError):
        exc = ConflictAPIError(exc.message)
    elif isinstance(exc, RateLimitedError):
        exc = RateLimitedAPIError(exc.message)
    elif isinstance(exc, BadParameterError):
        exc = ValidationError({exc.name: [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail)
    return drf_exception_handler(exc, context)


class StrictSerializer(serializers.Serializer[Any]):
    """Refuses fields it does not know, so that a typo is an error rather than silently lost."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer[Any]):
    pass
