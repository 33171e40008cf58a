from django.contrib import admin

from .models import Reminder, ReminderKindSetting


@admin.register(ReminderKindSetting)
class ReminderKindSettingAdmin(admin.ModelAdmin[ReminderKindSetting]):
    list_display = ("kind", "active", "lead_days", "escalation_days")
    list_editable = ("active", "lead_days", "escalation_days")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin[Reminder]):
    """For looking into a delivery; reminders are made by the sweep, not by hand."""

    # The client by number only: the administrator sees no client data (no names in lists,
    # forms or search).
    list_display = ("kind", "due_on", "recipient", "client_id", "escalation", "delivery", "emailed", "created_at")
    list_filter = ("kind", "delivery", "escalation")
    exclude = ("client",)
    readonly_fields = [*(field.name for field in Reminder._meta.fields if field.name != "client"), "client_id"]

    def has_add_permission(self, request: object) -> bool:
        return False
