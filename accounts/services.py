"""Writes about users themselves: their API tokens."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from access import policy

from . import selectors
from .models import User


@transaction.atomic
def issue_api_token(*, user: User) -> tuple[AuthToken, str]:
    """A new token for ``user``, expiring after ``REST_KNOX["TOKEN_TTL"]``; only the hash is
    kept, so the token itself is returned once. Only for the roles that use the API."""
    if not policy.may_use_api(user):
        raise PermissionDenied
    User.objects.select_for_update().get(pk=user.pk)  # two requests at once count the same tokens
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    if selectors.api_tokens_of(user).count() >= settings.API_TOKENS_PER_USER:
        raise ValidationError(_("You hold as many API tokens as one may: revoke one first."))
    issued: tuple[AuthToken, str] = AuthToken.objects.create(user=user)
    return issued


def revoke_api_token(*, user: User, token_key: str) -> bool:
    """Revokes one of ``user``'s own tokens, named by its key (the token's first characters,
    as the list shows it); False if they have none by that key."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    return bool(deleted)


def set_language(*, user: User, language: str) -> None:
    """Saves the interface language ``user`` chose in the switcher (one of ``LANGUAGES``)."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
