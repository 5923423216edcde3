"""Periodic jobs in the admin: the last run of each, read-only."""

from __future__ import annotations

from django.contrib import admin

from portal.core.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("name", "started_at", "duration_ms", "ok", "counts", "runs", "failures", "error")
    list_filter = ("ok",)
    readonly_fields = ("name", "started_at", "finished_at", "duration_ms", "ok", "counts", "error", "runs", "failures")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
