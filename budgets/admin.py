"""The organiser's budget configuration, edited by an administrator; pghistory keeps every
change of these rows."""

from django.contrib import admin

from .models import BudgetRules, Provider, ServiceType


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin[ServiceType]):
    list_display = ["code", "name_fi", "unit", "unit_cost", "units_morning", "units_midday", "units_evening", "active"]
    list_editable = ["unit_cost", "active"]
    filter_horizontal = ["domains"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin[Provider]):
    list_display = ["name", "business_id", "active"]
    list_filter = ["active", "service_types"]
    search_fields = ["name", "business_id"]
    filter_horizontal = ["service_types"]


@admin.register(BudgetRules)
class BudgetRulesAdmin(admin.ModelAdmin[BudgetRules]):
    list_display = ["valid_from", "threshold_percent", "period_months"]
