"""Strong sign-in to the portal: an OpenID Connect relying party (mozilla-django-oidc) of the
organisation's identity broker, which speaks to Suomi.fi e-Identification. The broker's
assurance level must be substantial or high (the accepted ``acr`` values are settings), and
the identity-code claim must open exactly one portal (the client's own, or a representative's)."""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.models import User

from . import services

LOGGER = logging.getLogger(__name__)


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """Signs in a portal user from the broker's claims; never a staff member, never creates
    anyone the coordinator has not given the portal to."""

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        assurance = str(claims.get(settings.PORTAL_OIDC_ACR_CLAIM, ""))
        if assurance not in settings.PORTAL_OIDC_ACCEPTED_ACR:
            LOGGER.warning("portal sign-in refused: assurance level %r is not accepted", assurance)
            raise SuspiciousOperation("assurance level too low")
        code = claims.get(settings.PORTAL_OIDC_IDENTITY_CLAIM)
        if not isinstance(code, str) or not code.strip():
            raise SuspiciousOperation("no identity code claim")
        user = services.portal_user_for_identity(identity_code=code)
        if user is None:
            LOGGER.info("portal sign-in refused: the identity code opens no portal")
        return user
