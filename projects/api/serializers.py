"""Input and output serializers of the projects API. Names are unique across the schema."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from portal.accounts.models import Client, User
from portal.core.api.fields import related_id
from projects.models import Priority, ProjectStatus, ReportState, Risk, Role, Severity, TaskSide, TaskStatus
from projects.services.common import NOT_A_MEMBER


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    email = serializers.EmailField()


@extend_schema_serializer(examples=[OpenApiExample("Project", response_only=True, value={
        "id": 3, "slug": "acme-portal", "name": "Acme portal", "description": "Customer portal relaunch", "client": "Acme",
        "manager": {"id": 1, "name": "Anna Petrova", "email": "pm@example.com"}, "status": "active",
        "start_date": "2026-11-01", "target_launch": "2027-03-01", "archived_at": None, "my_role": "client_lead",
    })])
class ProjectOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    client = serializers.CharField(source="client.name")
    manager = PersonSerializer()
    status = serializers.ChoiceField(choices=ProjectStatus.choices)
    start_date = serializers.DateField(allow_null=True)
    target_launch = serializers.DateField(allow_null=True)
    archived_at = serializers.DateTimeField(allow_null=True)
    my_role = serializers.ChoiceField(choices=Role.choices, allow_null=True, default=None)


class ProjectCreateInputSerializer(serializers.Serializer):
    client = related_id(Client.objects.all(), not_found=_("There is no such client company."))
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=80, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    start_date = serializers.DateField(required=False, allow_null=True)
    target_launch = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)


class ProjectUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    slug = serializers.SlugField(max_length=80, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    start_date = serializers.DateField(required=False, allow_null=True)
    target_launch = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)


class MembershipOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = PersonSerializer()
    role = serializers.ChoiceField(choices=Role.choices)
    created_at = serializers.DateTimeField()


class MembershipCreateInputSerializer(serializers.Serializer):
    user = related_id(User.objects.filter(is_active=True), not_found=_("There is no active account with this id."))
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipUpdateInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    invited_by = PersonSerializer()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    sent_count = serializers.IntegerField()
    is_pending = serializers.BooleanField()


class InvitationCreateInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)


@extend_schema_serializer(examples=[OpenApiExample("Task", response_only=True, value={
        "id": 42, "project": "acme-portal", "title": "Send the brand guidelines", "description": "",
        "owner": {"id": 12, "name": "Boris Client", "email": "bob@acme.example"}, "side": "client",
        "start_date": "2026-11-20", "due_date": "2026-12-04", "status": "in_progress", "priority": "high", "report_cadence_days": 7,
        "last_reported_at": "2026-11-24T09:30:00Z", "last_percent": 60, "last_state": "on_track",
        "completed_at": None, "internal": False, "version": 3,
    })])
class TaskOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.SlugField(source="project.slug")
    title = serializers.CharField()
    description = serializers.CharField()
    owner = PersonSerializer()
    side = serializers.ChoiceField(choices=TaskSide.choices)
    start_date = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    report_cadence_days = serializers.IntegerField()
    last_reported_at = serializers.DateTimeField(allow_null=True, help_text="When the last progress report came in.")
    last_percent = serializers.IntegerField(help_text="Percent complete in the last report.")
    last_state = serializers.CharField(help_text="State in the last report (empty before the first).")
    completed_at = serializers.DateTimeField(allow_null=True)
    internal = serializers.BooleanField()
    version = serializers.IntegerField(help_text="Send it back as `If-Match` (or `version`) when editing.")

    def to_representation(self, task) -> dict:
        # The busiest list of the API: built directly (same fields as declared above), several times
        # faster than field-by-field serialization.
        owner = task.owner
        return {
            "id": task.pk,
            "project": task.project.slug,
            "title": task.title,
            "description": task.description,
            "owner": {"id": owner.pk, "name": owner.display_name, "email": owner.email},
            "side": task.side,
            "start_date": _date(task.start_date),
            "due_date": _date(task.due_date),
            "status": task.status,
            "priority": task.priority,
            "report_cadence_days": task.report_cadence_days,
            "last_reported_at": _datetime(task.last_reported_at),
            "last_percent": task.last_percent,
            "last_state": task.last_state,
            "completed_at": _datetime(task.completed_at),
            "internal": task.internal,
            "version": task.version,
        }


_DATETIME = serializers.DateTimeField()


def _date(value):
    return value.isoformat() if value is not None else None


def _datetime(value):
    return _DATETIME.to_representation(value) if value is not None else None


class TaskCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    owner = related_id(User.objects.filter(is_active=True), not_found=NOT_A_MEMBER)
    start_date = serializers.DateField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    report_cadence_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    internal = serializers.BooleanField(required=False)


class TaskUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    start_date = serializers.DateField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    report_cadence_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    internal = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    version = serializers.IntegerField(required=False, write_only=True, help_text="The version you edited (or `If-Match`).")


class TaskAssignInputSerializer(serializers.Serializer):
    owner = related_id(User.objects.filter(is_active=True), not_found=NOT_A_MEMBER)
    version = serializers.IntegerField(required=False)


class TaskCompleteInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)


class TaskCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(required=False)


@extend_schema_serializer(examples=[OpenApiExample("Report", response_only=True, value={
        "id": 310, "task": 42, "author": {"id": 12, "name": "Boris Client", "email": "bob@acme.example"},
        "created_at": "2026-11-24T09:30:00Z", "percent": 60, "state": "on_track", "note": "Drafts sent for review", "blockers": "",
    })])
class ReportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    task = serializers.IntegerField(source="task_id")
    author = PersonSerializer()
    created_at = serializers.DateTimeField()
    percent = serializers.IntegerField(min_value=0, max_value=100)
    state = serializers.ChoiceField(choices=ReportState.choices)
    note = serializers.CharField()
    blockers = serializers.CharField()


class ReportCreateInputSerializer(serializers.Serializer):
    percent = serializers.IntegerField(min_value=0, max_value=100)
    state = serializers.ChoiceField(choices=ReportState.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    blockers = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class RiskOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Risk.Kind.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    owner = PersonSerializer(allow_null=True)
    status = serializers.ChoiceField(choices=Risk.Status.choices)
    raised_by = PersonSerializer()
    resolution = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    internal = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class RiskCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Risk.Kind.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    description = serializers.CharField(required=False, allow_blank=True)
    owner = related_id(User.objects.filter(is_active=True), not_found=NOT_A_MEMBER, required=False, allow_null=True)
    internal = serializers.BooleanField(required=False)


class RiskUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=Risk.Kind.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    owner = related_id(User.objects.filter(is_active=True), not_found=NOT_A_MEMBER, required=False, allow_null=True)
    status = serializers.ChoiceField(choices=[Risk.Status.OPEN, Risk.Status.MITIGATING], required=False)
    internal = serializers.BooleanField(required=False)
    version = serializers.IntegerField(required=False, write_only=True)


class RiskCloseInputSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=10000)


class AuditEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = PersonSerializer(allow_null=True)
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    object_repr = serializers.CharField()
    changes = serializers.DictField()


FILTERS_HELP = (
    "The filters of `/api/v1/me/tasks/` by name: `project` (a slug), `side` (client/team), `owner` (a person's id), "
    "`status` (a status, `all`, or empty for open tasks), `overdue` (`on`)."
)


class SavedTaskFilterOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    filters = serializers.DictField(child=serializers.CharField(), help_text=FILTERS_HELP)
    is_default = serializers.BooleanField(help_text="Opened first on the My tasks page.")
    created_at = serializers.DateTimeField()


class SavedTaskFilterCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, allow_blank=True)
    filters = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, default=dict, help_text=FILTERS_HELP)
    is_default = serializers.BooleanField(required=False, default=False)


class SavedTaskFilterUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, allow_blank=True, required=False)
    filters = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, help_text=FILTERS_HELP)
    is_default = serializers.BooleanField(required=False)
