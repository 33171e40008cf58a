"""The interface language of a signed-in user is their own saved one, not the browser's."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from .models import User


class UserLanguageMiddleware:
    """After ``LocaleMiddleware`` (which reads the browser's choice, used before sign-in):
    a signed-in user gets the language saved on their account; the switcher saves it there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
