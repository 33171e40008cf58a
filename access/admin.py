from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin[AccessEvent]):
    """Administrators read the log; nobody edits it through the app."""

    list_display = ("at", "actor", "client", "action", "what", "ground")
    list_filter = ("action", "ground")
    search_fields = ("actor__username", "client__last_name")
    list_select_related = ("actor", "client")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
