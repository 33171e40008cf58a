"""The referral partners are configuration an administrator edits (history is kept)."""

from django.contrib import admin

from .models import ReferralPartner


@admin.register(ReferralPartner)
class ReferralPartnerAdmin(admin.ModelAdmin[ReferralPartner]):
    list_display = ["organisation", "unit", "kind", "code", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["organisation", "unit", "code", "contact"]
