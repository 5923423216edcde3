"""The report page: a task with its report history."""

from __future__ import annotations

from projects.models import ProgressReport, Task

MAX_ROWS = 50


def report_page(*, task: Task, access) -> dict:
    """The task with its report history (newest first) for the report page."""
    history = list(
        ProgressReport.objects.filter(task=task).select_related("author").order_by("-created_at", "-id")[:MAX_ROWS]
    )
    return {"task": task, "project": access.project, "access": access, "history": history}
