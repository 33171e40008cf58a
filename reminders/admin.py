from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Reminder, ReminderKindSetting

# Not shown as stored: the client (by number only) and the subject (by its model's name).
HIDDEN = ("client", "subject_type", "subject_id")


@admin.register(ReminderKindSetting)
class ReminderKindSettingAdmin(admin.ModelAdmin[ReminderKindSetting]):
    list_display = ("kind", "active", "lead_days", "escalation_days")
    list_editable = ("active", "lead_days", "escalation_days")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin[Reminder]):
    """For looking into a delivery; reminders are made by the sweep, not by hand."""

    # The client by number only: the administrator sees no client data (no names in lists,
    # forms or search).
    list_display = ("kind", "due_on", "recipient", "client_number", "escalation", "delivery", "emailed", "created_at")
    list_filter = ("kind", "delivery", "escalation")
    exclude = HIDDEN
    readonly_fields = [
        *(field.name for field in Reminder._meta.fields if field.name not in HIDDEN),
        "subject",
        "client_number",
    ]

    @admin.display(description=_("about"))
    def subject(self, reminder: Reminder) -> str:
        """The record the reminder is about by its model's name ("referral 12"), not the code."""
        try:
            name = apps.get_model(reminder.subject_type)._meta.verbose_name
        except (LookupError, ValueError):
            name = reminder.subject_type
        return f"{name} {reminder.subject_id}"

    @admin.display(description=_("client number"), ordering="client_id")
    def client_number(self, reminder: Reminder) -> int:
        return reminder.client_id

    def has_add_permission(self, request: object) -> bool:
        return False
