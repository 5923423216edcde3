"""The admin's read-only base (records that change only through the product's services) and the periodic jobs' last
runs."""

from __future__ import annotations

from django.contrib import admin

from portal.core.models import JobRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed and opened, never added, changed or deleted in the admin: the product's services (audited) write these."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("name", "started_at", "duration_ms", "ok", "counts", "runs", "failures", "error")
    list_filter = ("ok",)
    readonly_fields = ("name", "started_at", "finished_at", "duration_ms", "ok", "counts", "error", "runs", "failures")
