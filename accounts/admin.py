from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "first_name", "last_name", "role", "profession", "is_active")
    list_filter = ("role", "profession", "is_active")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Caseflow", {"fields": ("role", "profession", "language")}))
