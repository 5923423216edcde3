"""Progress reports: append-only; each one moves the task's "last report" fields."""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from portal.core.sql import Columns, col, db_value, insert, table
from projects.models import OPEN_TASK_STATUSES, ProgressReport, ReportState, Task, TaskStatus
from projects.permissions import ProjectAccess, project_access, require
from projects.services.audit import audit_record, diff, snapshot

TASK_FIELDS = ("status", "last_percent", "last_state", "completed_at")


def _status_after(state: str) -> str:
    if state == ReportState.DONE:
        return TaskStatus.DONE
    if state == ReportState.BLOCKED:
        return TaskStatus.BLOCKED
    return TaskStatus.IN_PROGRESS


MOVED_FIELDS = (*TASK_FIELDS, "last_reported_at", "version", "updated_at")


@cache
def _task_sql() -> tuple[str, Columns, str, str, str]:
    """The task's statements (names only; every value is a bound parameter): move it if it is still the version the
    caller read and still open; read it whole under a row lock; move it by id; restamp a report.
    NO KEY UPDATE: the key never changes, so reports of other transactions, which reference this row, need not wait."""
    assignments = ", ".join(f"{col(Task, name)} = %s" for name in MOVED_FIELDS)
    marks = ", ".join(["%s"] * len(OPEN_TASK_STATUSES))
    pk, version, status = col(Task, "id"), col(Task, "version"), col(Task, "status")
    move_if_unchanged = (
        f"UPDATE {table(Task)} SET {assignments} WHERE {pk} = %s AND {version} = %s AND {status} IN ({marks})"  # noqa: S608
    )
    lock = " FOR NO KEY UPDATE" if connection.features.has_select_for_no_key_update else ""
    columns = Columns(Task)
    read = f"SELECT {columns.sql} FROM {table(Task)} WHERE {pk} = %s{lock}"  # noqa: S608 — names only
    move = f"UPDATE {table(Task)} SET {assignments} WHERE {pk} = %s"  # noqa: S608 — names only
    stamp = (
        f"UPDATE {table(ProgressReport)} SET {col(ProgressReport, 'created_at')} = %s"  # noqa: S608 — names only
        f" WHERE {col(ProgressReport, 'id')} = %s"
    )
    return move_if_unchanged, columns, read, move, stamp


@transaction.atomic
def report_submit(
    *, actor: User, task: Task, percent: int, state: str, note: str = "", blockers: str = "", access: ProjectAccess | None = None
) -> ProgressReport:
    """Store one report. `done` completes the task, `blocked` blocks it, on track / at risk mark it in progress.
    Refused on done or cancelled tasks. `access`: the actor's access to the task's project when the caller has
    just checked it (the role is then not looked up twice). `task` is updated in place to its new state.

    The portal's hottest write (bench/README.md): its statements are plain SQL built once from the models, and the
    rows every reporter of a task shares (the task, its project) are written last, so their locks are held for
    as short a time as possible. The task moves from the state the caller read when it is still that version
    (every task write moves `version`); otherwise it is read again under its row lock and moved from there."""
    if access is None or access.user is not actor or access.project.pk != task.project_id:
        access = project_access(user=actor, project=task.project)
    require(access.can_report_on(task), _("You can report only on your own tasks."))
    if not task.is_open:  # as read by the caller; checked again in the database below
        raise _closed(task)
    report = ProgressReport(
        task=task, author=actor, created_at=timezone.now(), percent=percent, state=state, note=note, blockers=blockers
    )
    # The foreign keys were just loaded and the CHECK constraints repeat the field validators (the database
    # enforces them again on insert), so skip their per-row SELECTs.
    report.full_clean(exclude=["task", "author"], validate_constraints=False)
    insert(report)  # its foreign key shares the task's row: no wait on other reporters
    before = _move(task, report, access)
    task.project = access.project
    audit_record(
        actor=actor,
        action="report.submit",
        obj=task,
        changes={**diff(before, snapshot(task, TASK_FIELDS)), "report": {"old": None, "new": report.pk}},
        internal=task.internal,
    )
    return report


def _move(task: Task, report: ProgressReport, access: ProjectAccess) -> dict:
    """Move the task's "last report" fields to `report`; returns what they were in the database."""
    move_if_unchanged, columns, read, move, stamp = _task_sql()
    with connection.cursor() as cursor:
        before, as_read = snapshot(task, TASK_FIELDS), {name: getattr(task, name) for name in MOVED_FIELDS}
        _apply(task, report)
        cursor.execute(move_if_unchanged, [*_values(task), task.pk, as_read["version"], *OPEN_TASK_STATUSES])
        if cursor.rowcount == 1:
            return before
        # Changed (or closed) since the caller read it: read it again, whole and under the lock, and decide again.
        cursor.execute(read, [task.pk])
        row = cursor.fetchone()
        if row is None:
            raise ApplicationError(_("This task no longer exists."), code="task_gone")
        stored = columns.load(row)
        for field in columns.fields:  # a changed owner drops the cached one (Django's descriptor does)
            setattr(task, field.attname, getattr(stored, field.attname))
        require(access.can_report_on(task), _("You can report only on your own tasks."))
        if not task.is_open:
            raise _closed(task)
        # A report that commits after another may have been stamped before it: it is restamped now, under the lock,
        # and never before the stored last report, so the task's last report stays the newest of its history.
        report.created_at = timezone.now()
        if task.last_reported_at is not None and task.last_reported_at >= report.created_at:
            report.created_at = task.last_reported_at + dt.timedelta(microseconds=1)
        cursor.execute(stamp, [db_value(ProgressReport, "created_at", report.created_at), report.pk])
        before = snapshot(task, TASK_FIELDS)
        _apply(task, report)
        cursor.execute(move, [*_values(task), task.pk])
        return before


def _apply(task: Task, report: ProgressReport) -> None:
    task.last_reported_at = report.created_at
    task.last_percent = 100 if report.state == ReportState.DONE else report.percent
    task.last_state = report.state
    task.status = _status_after(report.state)
    if task.status == TaskStatus.DONE:
        task.completed_at = report.created_at
    task.version += 1
    task.updated_at = report.created_at


def _values(task: Task) -> list:
    return [db_value(Task, name, getattr(task, name)) for name in MOVED_FIELDS]


def _closed(task: Task) -> ApplicationError:
    return ApplicationError(
        _("This task is %(status)s; it takes no more reports.") % {"status": task.get_status_display()}, code="task_closed"
    )
