from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import User

# What only a superuser (the setup account) changes: who is a superuser or on the admin site and
# with which permissions. The day-to-day administrator cannot raise anyone, themselves included.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "first_name", "last_name", "role", "profession", "is_active")
    list_filter = ("role", "profession", "is_active")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Caseflow", {"fields": ("role", "profession", "language")}))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        # Nobody changes their own role: a new role is given by someone else.
        own = ("role",) if obj is not None and obj.pk == request.user.pk else ()
        return (*fields, *SUPERUSER_ONLY_FIELDS, *own)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Only the setup superuser (who opens no client) sets another's password: a day-to-day
        administrator who could would sign in as any coordinator and read their clients. People
        change their own password themselves."""
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)
