"""Scoped reads of the projects app. Every function's query count is independent of the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects.models import (
    OPEN_TASK_STATUSES,
    STAFF_ROLES,
    AuditEvent,
    Membership,
    ProgressReport,
    Project,
    Risk,
    Task,
    TaskSide,
)
from projects.permissions import ProjectAccess, require


def _count(qs: QuerySet) -> Coalesce:
    """A correlated COUNT(*) subquery; avoids the row multiplication of several joined Counts."""
    sub = qs.order_by().values("project_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def project_list_for_user(user, *, include_archived: bool = False) -> QuerySet[Project]:
    """The person's projects with `my_role` and `overdue_client_tasks` (`open_client_tasks` and `last_client_report`
    are stored on the project)."""
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    today = timezone.localdate()
    client_open = Task.objects.filter(project=OuterRef("pk"), side=TaskSide.CLIENT, status__in=OPEN_TASK_STATUSES)
    role = Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
    qs = (
        Project.objects.filter(memberships__user=user)
        .select_related("client", "manager")
        .annotate(
            my_role=Subquery(role),
            overdue_client_tasks=_count(client_open.filter(due_date__lt=today)),
        )
        .order_by("name", "pk")
    )
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def projects_with_role(user) -> QuerySet[Project]:
    """Every project of the person, archived ones too, with `my_role` and nothing else (the API's project list)."""
    return (
        Project.objects.filter(memberships__user=user)
        .annotate(my_role=F("memberships__role"))
        .select_related("client", "manager")
        .order_by("name", "id")
    )


def _visible_tasks(user) -> QuerySet[Task]:
    memberships = Membership.objects.filter(user=user)
    staff_projects = memberships.filter(role__in=STAFF_ROLES).values("project_id")
    client_projects = memberships.exclude(role__in=STAFF_ROLES).values("project_id")
    return Task.objects.filter(project_id__in=staff_projects) | Task.objects.filter(project_id__in=client_projects).visible_to_clients()


def task_list_for_user(user, project: Project | None = None) -> QuerySet[Task]:
    """Every task the person may see across their projects (client people never get internal ones)."""
    if not getattr(user, "is_authenticated", False):
        return Task.objects.none()
    qs = _visible_tasks(user).select_related("project", "project__client", "owner")
    if project is not None:
        qs = qs.filter(project=project)
    return qs.order_by("due_date", "pk")


def task_list_for_project(
    access: ProjectAccess,
    side: str | None = None,
    owner=None,
    overdue: bool | None = None,
    status: str | list[str] | None = None,
) -> QuerySet[Task]:
    """Filters: `side` client/team, `owner` (user or id), `overdue`, `status` (one, a list, or "open")."""
    qs = Task.objects.filter(project=access.project).visible_to(access).select_related("owner", "project")
    return qs.filtered(side=side, owner=owner, overdue=overdue, status=status).order_by("due_date", "pk")


TASK_COLUMNS = (
    "id", "title", "description", "side", "start_date", "due_date", "status", "priority", "report_cadence_days", "last_reported_at",
    "last_percent", "last_state", "completed_at", "internal", "version", "created_at",
    "project__id", "project__slug", "owner__id", "owner__full_name", "owner__email",
)


def task_rows_for_user(user) -> QuerySet[Task]:
    """`task_list_for_user` narrowed to the columns a task row shows (the API's "my tasks")."""
    return task_list_for_user(user).select_related(None).select_related("project", "owner").only(*TASK_COLUMNS)


def task_rows_for_project(access: ProjectAccess) -> QuerySet[Task]:
    """`task_list_for_project` narrowed to the columns a task row shows, undated tasks last (the API's task list)."""
    return task_list_for_project(access).only(*TASK_COLUMNS).order_by(F("due_date").asc(nulls_last=True), "id")


def report_history(task: Task) -> QuerySet[ProgressReport]:
    """Newest first."""
    return ProgressReport.objects.filter(task=task).select_related("author").order_by("-created_at", "-id")


def risk_list_for_project(access: ProjectAccess, include_closed: bool = True) -> QuerySet[Risk]:
    qs = Risk.objects.filter(project=access.project).visible_to(access).select_related("owner", "raised_by")
    if not include_closed:
        qs = qs.exclude(status=Risk.Status.CLOSED)
    return qs.order_by("status", "-created_at", "-id")


def audit_feed(access: ProjectAccess, limit: int = 100) -> QuerySet[AuditEvent]:
    """Newest first. Staff see everything; client people only events marked non-internal."""
    qs = AuditEvent.objects.filter(project=access.project).visible_to(access).select_related("actor")
    return qs.order_by("-at", "-id")[:limit]


def audit_log(access: ProjectAccess) -> QuerySet[AuditEvent]:
    """The whole audit log of the project, newest first, for the team only (the API pages through it)."""
    require(access.is_staff)
    return AuditEvent.objects.filter(project=access.project).visible_to(access).select_related("actor").order_by("-at", "-id")


@dataclass
class LedgerSide:
    """One side's open, client-visible tasks; `overdue` and `reports_due` are subsets of `open`."""

    open: list[Task] = field(default_factory=list)
    overdue: list[Task] = field(default_factory=list)
    reports_due: list[Task] = field(default_factory=list)


@dataclass
class Ledger:
    """What the team owes the client and what the client owes the team."""

    team: LedgerSide
    client: LedgerSide

    @property
    def we_owe(self) -> list[Task]:
        return self.team.open

    @property
    def they_owe(self) -> list[Task]:
        return self.client.open


def ledger(access: ProjectAccess) -> Ledger:
    """One query: team-side and client-side open tasks that the client can see (internal work is not owed)."""
    sides = {TaskSide.TEAM: LedgerSide(), TaskSide.CLIENT: LedgerSide()}
    qs = (
        Task.objects.filter(project=access.project)
        .visible_to_clients()
        .open()
        .select_related("owner")
        .order_by("due_date", "pk")
    )
    now, today = timezone.now(), timezone.localdate()
    for task in qs:
        side = sides[task.side]
        side.open.append(task)
        if task.due_date is not None and task.due_date < today:
            side.overdue.append(task)
        if task.report_due_at() <= now:
            side.reports_due.append(task)
    return Ledger(team=sides[TaskSide.TEAM], client=sides[TaskSide.CLIENT])
