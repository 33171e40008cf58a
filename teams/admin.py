from django.contrib import admin

from .models import DigestSubscription, LoadWeight, MonthlySnapshot, ReviewSettings


@admin.register(LoadWeight)
class LoadWeightAdmin(admin.ModelAdmin[LoadWeight]):
    """The weights of client kinds in the weighted caseload: configuration an administrator edits."""

    list_display = ("kind", "weight")
    list_editable = ("weight",)


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(admin.ModelAdmin[ReviewSettings]):
    list_display = ("team", "load_threshold", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at")


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(admin.ModelAdmin[DigestSubscription]):
    list_display = ("lead", "enabled")


@admin.register(MonthlySnapshot)
class MonthlySnapshotAdmin(admin.ModelAdmin[MonthlySnapshot]):
    """For looking into history; snapshots are written by the monthly task, not by hand."""

    list_display = ("team", "coordinator", "month", "written_at")
    list_filter = ("team",)
    readonly_fields = ("team", "coordinator", "month", "figures", "written_at")

    def has_add_permission(self, request: object) -> bool:
        return False
