from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import User

# The default permissions in words the translations hold: their stored names are English,
# written once by ``migrate`` ("Can add user"), and would show so in every language.
PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """A permission as "section | model | what it allows", in the user's language."""
    model = permission.content_type.model_class()
    if model is None:
        return gettext(permission.name)
    action, _sep, model_name = permission.codename.partition("_")
    template = PERMISSION_ACTIONS.get(action) if model_name == model._meta.model_name else None
    allows = str(template) % {"model": model._meta.verbose_name} if template else gettext(permission.name)
    return f"{model._meta.app_config.verbose_name} | {model._meta.verbose_name} | {allows}"


def with_permission_labels(
    field: forms.ModelMultipleChoiceField[Any] | None,
) -> forms.ModelMultipleChoiceField[Any] | None:
    if field is not None and field.queryset is not None and field.queryset.model is Permission:
        field.label_from_instance = permission_label  # type: ignore[assignment]
    return field


# What only a superuser (the setup account) changes: who is a superuser or on the admin site and
# with which permissions. The day-to-day administrator cannot raise anyone, themselves included.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "first_name", "last_name", "role", "profession", "is_active")
    list_filter = ("role", "profession", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Work in Caseflow"), {"fields": ("role", "profession", "language")}),
    )

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        return with_permission_labels(super().formfield_for_manytomany(db_field, request, **kwargs))

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


# Django's own, with the permissions named in the user's language.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        return with_permission_labels(super().formfield_for_manytomany(db_field, request, **kwargs))
