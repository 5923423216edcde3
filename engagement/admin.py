"""Admin for the engagement models: lists, filters and search for operators. Domain writes still go through services."""

from __future__ import annotations

from django.contrib import admin

from engagement.models import (
    Absence,
    ActionLink,
    Attendance,
    CommunicationPlan,
    Decision,
    DecisionResponse,
    Digest,
    HealthOverride,
    HealthSnapshot,
    HealthWarning,
    Meeting,
    MeetingSeries,
    PlanVersion,
    QuietPeriod,
    Stakeholder,
)
from portal.core.admin import ReadOnlyAdmin
from projects.admin import ArchiveNotDeleteMixin


class StakeholderInline(admin.TabularInline):
    model = Stakeholder
    fk_name = "plan"
    extra = 0
    fields = ("user", "external_name", "external_email", "side", "raci", "is_primary", "backup_for", "channel")
    raw_id_fields = ("user", "backup_for")


class PlanVersionInline(admin.TabularInline):
    model = PlanVersion
    extra = 0
    can_delete = False
    fields = ("version", "created_at", "created_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CommunicationPlan)
class CommunicationPlanAdmin(admin.ModelAdmin):
    list_display = ("project", "version", "signed_off_version", "signed_off_by", "signed_off_at", "updated_at")
    list_filter = ("digest_weekday",)
    search_fields = ("project__name", "project__slug")
    list_select_related = ("project", "signed_off_by")
    raw_id_fields = ("project", "signed_off_by")
    readonly_fields = ("version", "signed_off_by", "signed_off_at", "signed_off_version", "sign_off_requested_at")
    inlines = (StakeholderInline, PlanVersionInline)


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ("plan", "version", "created_at", "created_by")
    search_fields = ("plan__project__name",)
    list_select_related = ("plan__project", "created_by")
    readonly_fields = ("plan", "version", "content", "created_at", "created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Stakeholder)
class StakeholderAdmin(admin.ModelAdmin):
    list_display = ("__str__", "plan", "side", "raci", "is_primary", "backup_for", "channel")
    list_filter = ("side", "is_primary", "raci", "channel")
    search_fields = ("user__email", "user__full_name", "external_name", "external_email", "plan__project__name")
    list_select_related = ("user", "plan__project", "backup_for__user")
    raw_id_fields = ("plan", "user", "backup_for")


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = ("title", "project", "rrule", "time_zone", "first_start", "duration_minutes", "ended_at")
    list_filter = ("time_zone",)
    search_fields = ("title", "project__name")
    list_select_related = ("project",)
    raw_id_fields = ("project", "organiser")
    filter_horizontal = ("attendees",)
    readonly_fields = ("materialised_until",)


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ("user", "rsvp", "rsvp_at", "attended")
    raw_id_fields = ("user",)


@admin.register(Meeting)
class MeetingAdmin(ArchiveNotDeleteMixin, admin.ModelAdmin):
    list_display = ("title", "project", "starts_at", "status", "rescheduled_from", "sequence", "series")
    list_filter = ("status",)
    search_fields = ("title", "project__name", "cancel_reason", "uid")
    date_hierarchy = "starts_at"
    list_select_related = ("project", "series")
    raw_id_fields = ("project", "series", "outcome_tasks")
    readonly_fields = ("uid", "sequence", "version", "original_start", "rescheduled_from", "cancelled_at", "held_at")
    inlines = (AttendanceInline,)


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("meeting", "user", "rsvp", "rsvp_at", "attended")
    list_filter = ("rsvp", "attended")
    search_fields = ("user__email", "user__full_name", "meeting__title")
    list_select_related = ("meeting", "user")
    raw_id_fields = ("meeting", "user")


class DecisionResponseInline(admin.TabularInline):
    model = DecisionResponse
    extra = 0
    can_delete = False
    fields = ("user", "kind", "comment", "at", "via")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ArchiveNotDeleteMixin, admin.ModelAdmin):
    list_display = ("title", "project", "status", "involvement", "impact", "decided_on", "requested_at", "internal")
    list_filter = ("status", "involvement", "impact", "internal")
    search_fields = ("title", "decision", "project__name")
    list_select_related = ("project",)
    raw_id_fields = ("project", "decided_by", "recorded_by", "superseded_by", "task", "meeting")
    readonly_fields = ("version", "requested_at")
    inlines = (DecisionResponseInline,)


@admin.register(DecisionResponse)
class DecisionResponseAdmin(ReadOnlyAdmin):
    list_display = ("decision", "user", "kind", "at", "via")
    list_filter = ("kind", "via")
    search_fields = ("decision__title", "user__email", "comment")
    list_select_related = ("decision", "user")
    readonly_fields = ("decision", "user", "kind", "comment", "at", "via")


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "iso_week", "subject", "message", "created_at")
    list_filter = ("kind", "iso_week")
    search_fields = ("recipient__email", "subject")
    list_select_related = ("recipient", "message")
    readonly_fields = ("recipient", "kind", "iso_week", "subject", "body_text", "body_html", "content", "message")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("message")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HealthSnapshot)
class HealthSnapshotAdmin(admin.ModelAdmin):
    list_display = ("project", "person", "iso_year", "iso_week", "score", "level", "coverage", "is_final", "algo_version")
    list_filter = ("level", "is_final", "algo_version", "iso_year")
    search_fields = ("project__name", "person__email")
    list_select_related = ("project", "person")
    raw_id_fields = ("project", "person")


@admin.register(HealthWarning)
class HealthWarningAdmin(admin.ModelAdmin):
    list_display = ("project", "person", "severity", "opened_at", "closed_at", "acknowledged_at")
    list_filter = ("severity", ("closed_at", admin.EmptyFieldListFilter))
    search_fields = ("project__name", "person__email")
    list_select_related = ("project", "person")
    raw_id_fields = ("project", "person", "acknowledged_by")


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ("user", "project", "starts_on", "ends_on", "note")
    search_fields = ("user__email", "user__full_name", "note")
    list_select_related = ("user", "project")
    raw_id_fields = ("user", "project", "created_by")


@admin.register(QuietPeriod)
class QuietPeriodAdmin(admin.ModelAdmin):
    list_display = ("project", "starts_on", "ends_on", "reason")
    search_fields = ("project__name", "reason")
    list_select_related = ("project",)
    raw_id_fields = ("project",)


@admin.register(HealthOverride)
class HealthOverrideAdmin(admin.ModelAdmin):
    list_display = ("project", "person", "level", "set_by", "set_at", "expires_at")
    list_filter = ("level",)
    search_fields = ("project__name", "note")
    list_select_related = ("project", "person", "set_by")
    raw_id_fields = ("project", "person", "set_by")


@admin.register(ActionLink)
class ActionLinkAdmin(ReadOnlyAdmin):
    list_display = ("id", "person", "action", "object_ct", "object_id", "created_at", "expires_at", "used_at", "revoked_at")
    list_filter = ("action", ("used_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("person__email", "object_id")
    list_select_related = ("person", "object_ct")
    readonly_fields = (
        "id", "person", "action", "object_ct", "object_id", "created_at", "expires_at", "used_at", "used_ip", "used_ua",
        "revoked_at", "created_for",
    )
