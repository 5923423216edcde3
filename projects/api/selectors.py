"""Lean, access-scoped querysets for the API lists (query count does not grow with the rows)."""

from __future__ import annotations

from django.db.models import F, QuerySet

from projects.models import AuditEvent, Invitation, Membership, ProgressReport, Project, Risk, Task
from projects.permissions import ProjectAccess, require
from projects.selectors.core import task_list_for_user


def api_projects(*, user) -> QuerySet[Project]:
    return (
        Project.objects.filter(memberships__user=user)
        .annotate(my_role=F("memberships__role"))
        .select_related("client", "manager")
        .order_by("name", "id")
    )


def api_memberships(*, access: ProjectAccess) -> QuerySet[Membership]:
    return Membership.objects.filter(project=access.project).select_related("user").order_by("role", "user__full_name", "id")


def api_invitations(*, access: ProjectAccess) -> QuerySet[Invitation]:
    require(access.can_manage_people)
    return Invitation.objects.filter(project=access.project).select_related("invited_by").order_by("-created_at", "-id")


TASK_COLUMNS = (
    "id", "title", "description", "side", "due_date", "status", "priority", "report_cadence_days", "last_reported_at",
    "last_percent", "last_state", "completed_at", "internal", "version", "created_at",
    "project__id", "project__slug", "owner__id", "owner__full_name", "owner__email",
)


def api_my_tasks(*, user) -> QuerySet[Task]:
    """The HTML views' `task_list_for_user`, narrowed to the columns the API shows."""
    return task_list_for_user(user).select_related(None).select_related("project", "owner").only(*TASK_COLUMNS)


def api_tasks(*, access: ProjectAccess) -> QuerySet[Task]:
    tasks = Task.objects.filter(project=access.project).select_related("owner", "project").only(*TASK_COLUMNS)
    if not access.can_see_internal:
        tasks = tasks.filter(internal=False)
    return tasks.order_by(F("due_date").asc(nulls_last=True), "id")


def api_reports(*, task: Task) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(task=task).select_related("author").order_by("-created_at", "-id")


def api_risks(*, access: ProjectAccess) -> QuerySet[Risk]:
    risks = Risk.objects.filter(project=access.project).select_related("owner", "raised_by")
    if not access.can_see_internal:
        risks = risks.filter(internal=False)
    return risks.order_by("status", "-created_at", "-id")


def api_audit(*, access: ProjectAccess) -> QuerySet[AuditEvent]:
    require(access.is_staff)
    return AuditEvent.objects.filter(project=access.project).select_related("actor").order_by("-at", "-id")
