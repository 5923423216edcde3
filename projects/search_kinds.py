"""The searchable kinds of `projects`: tasks (by their own text and by their reports' notes) and risks."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects.models import ProgressReport, Risk, Task
from projects.search import SearchSource, register


def _task_url(task) -> str:
    return reverse("projects:task", kwargs={"slug": task.project.slug, "pk": task.pk})


def register_kinds() -> None:
    register(
        SearchSource(
            kind="tasks", label=_("Tasks"), model=Task, fields=("title", "description"), title="title", order=10,
            scoped=lambda rows, scope: scope.rows(rows, client_visible=Q(internal=False)),
            url=_task_url,
        )
    )
    register(
        SearchSource(
            kind="tasks", label=_("Tasks"), model=ProgressReport, fields=("note",), title="task__title", order=11,
            scoped=lambda rows, scope: scope.rows(rows, project="task__project", client_visible=Q(task__internal=False)),
            url=lambda report: _task_url(report.task),
            project=lambda report: report.task.project,
            related=("task__project",),
        )
    )
    register(
        SearchSource(
            kind="risks", label=_("Risks and issues"), model=Risk, fields=("title", "description"), title="title",
            order=40,
            scoped=lambda rows, scope: scope.rows(rows, client_visible=Q(internal=False)),
            url=lambda risk: reverse("projects:risk", kwargs={"slug": risk.project.slug, "pk": risk.pk}),
        )
    )
