"""A team member's or manager's own tasks across their projects ("my tasks") and their saved filters."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet

from projects.models import STAFF_ROLES, Project, SavedTaskFilter, Task, TaskSide

User = get_user_model()


def my_task_projects(user) -> QuerySet[Project]:
    """The projects whose tasks "my tasks" lists: those the person works on as a team member or manager (not archived)."""
    return (
        Project.objects.filter(memberships__user=user, memberships__role__in=STAFF_ROLES, archived_at__isnull=True)
        .order_by("name", "pk")
    )


def _mine(user) -> QuerySet[Task]:
    # Owned by the person, or handed by them to a client person: they chase those until the client reports.
    responsible = Q(owner=user) | Q(created_by=user, side=TaskSide.CLIENT)
    return Task.objects.filter(responsible, project__in=my_task_projects(user).values("pk"))


def my_task_people(user) -> QuerySet:
    """The owners of the person's tasks (themselves and the client people they gave tasks to): the owner filter."""
    return User.objects.filter(pk__in=_mine(user).values("owner_id")).order_by("full_name", "email")


def my_tasks(user, *, project: Project | None = None, **filters) -> QuerySet[Task]:
    """The person's tasks under the tasks pages' filters (`Task.objects.filtered`), `project` narrowing to one;
    due first, undated last."""
    qs = _mine(user)
    if project is not None:
        qs = qs.filter(project=project)
    return (
        qs.filtered(**filters)
        .select_related("project", "project__client", "owner")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )


def saved_task_filters(user) -> QuerySet[SavedTaskFilter]:
    return SavedTaskFilter.objects.filter(user=user).order_by("name", "pk")
