"""Progress reports: append-only; each one moves the task's "last report" fields."""

from __future__ import annotations

from functools import cache

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from portal.core.sql import Insert, col, table
from projects.models import ProgressReport, ReportState, Task, TaskStatus
from projects.permissions import ProjectAccess, project_access, require
from projects.services.audit import audit_record, diff, snapshot

TASK_FIELDS = ("status", "last_percent", "last_state", "completed_at")


def _status_after(state: str) -> str:
    if state == ReportState.DONE:
        return TaskStatus.DONE
    if state == ReportState.BLOCKED:
        return TaskStatus.BLOCKED
    return TaskStatus.IN_PROGRESS


CLAIM_FIELDS = (*TASK_FIELDS, "version")
MOVED_FIELDS = (*TASK_FIELDS, "last_reported_at", "version", "updated_at")


@cache
def _task_sql() -> tuple[str, str]:
    """Read the task's state under a row lock, then move it (names only; every value is a bound parameter).
    NO KEY UPDATE: the key never changes, so reports of other transactions, which reference this row, need not wait."""
    lock = " FOR NO KEY UPDATE" if connection.features.has_select_for_no_key_update else ""
    fields = ", ".join(col(Task, name) for name in CLAIM_FIELDS)
    read = f"SELECT {fields} FROM {table(Task)} WHERE {col(Task, 'id')} = %s{lock}"  # noqa: S608 — names only
    assignments = ", ".join(f"{col(Task, name)} = %s" for name in MOVED_FIELDS)
    move = f"UPDATE {table(Task)} SET {assignments} WHERE {col(Task, 'id')} = %s"  # noqa: S608 — names only
    return read, move


@transaction.atomic
def report_submit(
    *, actor: User, task: Task, percent: int, state: str, note: str = "", blockers: str = "", access: ProjectAccess | None = None
) -> ProgressReport:
    """Store one report. `done` completes the task, `blocked` blocks it, on track / at risk mark it in progress.
    Refused on done or cancelled tasks. `access`: the actor's access to the task's project when the caller has
    just checked it (the role is then not looked up twice). `task` is updated in place to its new state.

    The portal's hottest write (bench/README.md), so its statements are plain SQL built once from the models: the
    task's row is read under a lock and moved, the report and the audit row are one INSERT each."""
    if access is None or access.user is not actor or access.project.pk != task.project_id:
        access = project_access(user=actor, project=task.project)
    require(access.can_report_on(task), _("You can report only on your own tasks."))
    report = ProgressReport(
        task=task, author=actor, created_at=timezone.now(), percent=percent, state=state, note=note, blockers=blockers
    )
    # The foreign keys were just loaded and the CHECK constraints repeat the field validators (the database
    # enforces them again on insert), so skip their per-row SELECTs.
    report.full_clean(exclude=["task", "author"], validate_constraints=False)
    read, move = _task_sql()
    with connection.cursor() as cursor:
        cursor.execute(read, [task.pk])
        row = cursor.fetchone()
        if row is None:
            raise ApplicationError(_("This task no longer exists."), code="task_gone")
        for name, value in zip(CLAIM_FIELDS, row, strict=True):
            setattr(task, name, value)
        if not task.is_open:
            raise ApplicationError(
                _("This task is %(status)s; it takes no more reports.") % {"status": task.get_status_display()},
                code="task_closed",
            )
        before = snapshot(task, TASK_FIELDS)
        task.last_reported_at = report.created_at
        task.last_percent = 100 if state == ReportState.DONE else report.percent
        task.last_state = state
        task.status = _status_after(state)
        if task.status == TaskStatus.DONE:
            task.completed_at = report.created_at
        task.version += 1
        task.updated_at = report.created_at
        cursor.execute(move, [*(_prepared(task, name) for name in MOVED_FIELDS), task.pk])
    task.project = access.project
    _report_insert().save(report)
    audit_record(
        actor=actor,
        action="report.submit",
        obj=task,
        changes={**diff(before, snapshot(task, TASK_FIELDS)), "report": {"old": None, "new": report.pk}},
        internal=task.internal,
    )
    return report



@cache
def _report_insert() -> Insert:
    return Insert(ProgressReport)


def _prepared(task: Task, name: str):
    return Task._meta.get_field(name).get_db_prep_save(getattr(task, name), connection)
