"""API tokens: handed for a correct password to the roles that use the API, expiring, listed
and revocable by their owner."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.decorators import staff_user
from core.fields import max_length_of

from . import selectors, services
from .models import User

# Django's own former cap on a password's length (1.4–1.6): longer than any passphrase.
PASSWORD_MAX_LENGTH = 4096


class TokenRequestSerializer(AuthTokenSerializer):
    """DRF's username and password, each with a length no real one exceeds."""

    username = serializers.CharField(write_only=True, max_length=max_length_of(User, "username"))
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}, max_length=PASSWORD_MAX_LENGTH
    )


TokenSerializer = inline_serializer(
    "IssuedToken", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
)


class TokenListSerializer(serializers.Serializer[Any]):
    token_key = serializers.CharField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()


class TokenView(APIView):
    """A new token for a username and password (403 for a role that does not use the API)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        instance, token = services.issue_api_token(user=serializer.validated_data["user"])
        return Response({"token": token, "expiry": instance.expiry})


class TokensView(APIView):
    """The signed-in user's tokens in force (their keys only: the tokens are kept hashed)."""

    @extend_schema(responses=TokenListSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(TokenListSerializer(selectors.api_tokens_of(staff_user(request)), many=True).data)


class TokenDetailView(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, key: str) -> Response:
        if not services.revoke_api_token(user=staff_user(request), token_key=key):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
