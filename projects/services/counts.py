"""The per-project counts the dashboard and the project list show, stored on the project.

`open_client_tasks` (open tasks on the client's side) and `last_client_report` (the newest report on one of them)
are worked out again from the project's tasks by `project_counts_refresh`, which every service that writes a task
calls once, in its transaction: creating, editing, assigning, completing and cancelling a task, and submitting a
report (the admin's task form too). Lists read the stored values instead of aggregating every task per row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from projects.models import OPEN_TASK_STATUSES, Project, Task, TaskSide


def _counts() -> dict:
    """The stored counts as expressions over a project's tasks (`OuterRef("pk")` is the project)."""
    client_tasks = Task.objects.filter(project=OuterRef("pk"), side=TaskSide.CLIENT).order_by().values("project_id")
    open_tasks = client_tasks.filter(status__in=OPEN_TASK_STATUSES).annotate(n=Count("pk")).values("n")[:1]
    return {
        "open_client_tasks": Coalesce(Subquery(open_tasks, output_field=IntegerField()), Value(0)),
        "last_client_report": Subquery(client_tasks.annotate(latest=Max("last_reported_at")).values("latest")[:1]),
    }


def computed_counts(projects: QuerySet[Project]) -> QuerySet[Project]:
    """`projects` with the counts worked out from their tasks now, as `computed_<name>`."""
    return projects.annotate(**{f"computed_{name}": expression for name, expression in _counts().items()})


def project_counts_refresh(*, project_ids: Iterable[int]) -> None:
    """Store the counts of these projects as their tasks are now (one UPDATE)."""
    Project.objects.filter(pk__in=list(project_ids)).update(**_counts())
