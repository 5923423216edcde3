"""Progress reports: append-only; each one moves the task's "last report" fields."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from projects.models import ProgressReport, ReportState, Task, TaskStatus
from projects.permissions import ProjectAccess, project_access, require
from projects.services.audit import audit_record, diff, snapshot

TASK_FIELDS = ("status", "last_percent", "last_state", "completed_at")


def _status_after(task: Task, state: str) -> str:
    if state == ReportState.DONE:
        return TaskStatus.DONE
    if state == ReportState.BLOCKED:
        return TaskStatus.BLOCKED
    return TaskStatus.IN_PROGRESS


@transaction.atomic
def report_submit(
    *, actor: User, task: Task, percent: int, state: str, note: str = "", blockers: str = "", access: ProjectAccess | None = None
) -> ProgressReport:
    """Store one report. `done` completes the task, `blocked` blocks it, on track / at risk mark it in progress.
    Refused on done or cancelled tasks. `access`: the actor's access to the task's project when the caller has
    just checked it (the role is then not looked up twice)."""
    if access is None or access.user is not actor or access.project.pk != task.project_id:
        access = project_access(user=actor, project=task.project)
    require(access.can_report_on(task), _("You can report only on your own tasks."))
    # NO KEY UPDATE: the key never changes, and other transactions' reports (foreign keys to this row) need not wait.
    task = Task.objects.select_for_update(no_key=True).get(pk=task.pk)
    task.project = access.project
    if not task.is_open:
        raise ApplicationError(
            _("This task is %(status)s; it takes no more reports.") % {"status": task.get_status_display()}, code="task_closed"
        )
    report = ProgressReport(
        task=task, author=actor, created_at=timezone.now(), percent=percent, state=state, note=note, blockers=blockers
    )
    # The hot path of the portal: the foreign keys were just loaded and the CHECK constraints repeat the field
    # validators (the database enforces them again on insert), so skip their per-row SELECTs.
    report.full_clean(exclude=["task", "author"], validate_constraints=False)
    report.save()
    before = snapshot(task, TASK_FIELDS)
    task.last_reported_at = report.created_at
    task.last_percent = 100 if state == ReportState.DONE else report.percent
    task.last_state = state
    task.status = _status_after(task, state)
    if task.status == TaskStatus.DONE:
        task.completed_at = report.created_at
    task.version += 1
    task.save(update_fields=[*TASK_FIELDS, "last_reported_at", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="report.submit",
        obj=task,
        changes={**diff(before, snapshot(task, TASK_FIELDS)), "report": {"old": None, "new": report.pk}},
        internal=task.internal,
    )
    return report
