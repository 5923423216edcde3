from django.contrib import admin

from projects.models import AuditEvent, Invitation, Membership, ProgressReport, Project, Risk, Task
from projects.services.counts import project_counts_refresh


class ArchiveNotDeleteMixin:
    """Client-seen records are archived, never hard-deleted (their reports and responses would go with them)."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """For append-only records: visible, never edited or deleted through the admin."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(ArchiveNotDeleteMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "client", "manager", "status", "start_date", "target_launch", "archived_at")
    list_filter = ("status", "client", ("archived_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "slug", "client__name", "manager__email", "manager__full_name")
    list_select_related = ("client", "manager")
    autocomplete_fields = ("client", "manager")
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "created_at"
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "project", "role", "created_at")
    list_filter = ("role", "project")
    search_fields = ("user__email", "user__full_name", "project__name")
    list_select_related = ("user", "project")
    autocomplete_fields = ("user", "project")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "project", "role", "invited_by", "expires_at", "accepted_at", "revoked_at", "sent_count")
    list_filter = ("role", ("accepted_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "project__name")
    list_select_related = ("project", "invited_by")
    readonly_fields = ("nonce", "accepted_at", "accepted_by", "sent_count", "invited_by")


@admin.register(Task)
class TaskAdmin(ArchiveNotDeleteMixin, admin.ModelAdmin):
    list_display = ("title", "project", "owner", "side", "status", "priority", "due_date", "last_reported_at", "internal")
    list_filter = ("status", "side", "priority", "internal", "project")
    search_fields = ("title", "description", "owner__email", "owner__full_name", "project__name")
    list_select_related = ("project", "owner")
    autocomplete_fields = ("project", "owner")
    readonly_fields = ("side", "last_reported_at", "last_percent", "last_state", "completed_at", "created_by", "version")
    date_hierarchy = "due_date"

    def save_model(self, request, obj, form, change):
        """An edit here moves the version like any task write: a form opened before it is then refused (409)
        instead of overwriting it."""
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)
        project_counts_refresh(project_ids={obj.project_id, *([form.initial["project"]] if form.initial.get("project") else [])})


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ("task", "author", "created_at", "percent", "state")
    list_filter = ("state", "task__project")
    search_fields = ("task__title", "author__email", "note", "blockers")
    list_select_related = ("task", "author")
    date_hierarchy = "created_at"


@admin.register(Risk)
class RiskAdmin(ArchiveNotDeleteMixin, admin.ModelAdmin):
    list_display = ("title", "project", "kind", "severity", "status", "owner", "raised_by", "internal", "created_at")
    list_filter = ("kind", "severity", "status", "internal", "project")
    search_fields = ("title", "description", "resolution", "project__name")
    list_select_related = ("project", "owner", "raised_by")
    autocomplete_fields = ("project", "owner", "raised_by")
    readonly_fields = ("closed_at", "version")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "project", "actor", "action", "object_type", "object_id", "object_repr", "internal")
    list_filter = ("action", "object_type", "internal", "project")
    search_fields = ("object_repr", "action", "actor__email", "object_id")
    list_select_related = ("project", "actor")
    date_hierarchy = "at"
