"""Progress reports: append-only; each one moves the task's "last report" fields."""

from __future__ import annotations

import datetime as dt
from functools import cache, partial

from django.db import connection, transaction
from django.db.models import DateTimeField
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from portal.core.sql import Columns, InsertSelect, col, db_value, insert, table
from projects import notifications
from projects.models import OPEN_TASK_STATUSES, AuditEvent, ProgressReport, Project, ReportState, Task, TaskStatus
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
ACTION = "report.submit"


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


def report_submit(
    *, actor: User, task: Task, percent: int, state: str, note: str = "", blockers: str = "", access: ProjectAccess | None = None
) -> ProgressReport:
    """Store one report. `done` completes the task, `blocked` blocks it, on track / at risk mark it in progress.
    Refused on done or cancelled tasks. `access`: the actor's access to the task's project when the caller has
    just checked it (the role is then not looked up twice). `task` is updated in place to its new state.

    The portal's hottest write (bench/README.md). On PostgreSQL it is one statement (`_in_one_statement`): the task is
    locked and moved from what is stored, provided it is still open, with the same owner and side as the caller
    read (so the caller's access check still holds), and the report, the audit row and the project's version are
    written with it. When that condition fails, or on other databases, `_in_steps` does the same in a transaction
    and says precisely why a report is refused."""
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
    task.project = access.project
    if not (connection.vendor == "postgresql" and _in_one_statement(task, report)):
        _in_steps(actor, task, report, access)
    if state == ReportState.BLOCKED:
        transaction.on_commit(partial(notifications.task_blocked, report.pk))
    return report


@transaction.atomic
def _in_steps(actor: User, task: Task, report: ProgressReport, access: ProjectAccess) -> None:
    """The report INSERT first (its foreign key shares the task's row: no wait on other reporters), then the task,
    the audit row and the project, so the rows every reporter of a task shares are locked as briefly as possible.
    The task moves from the state the caller read when it is still that version (every task write moves `version`);
    otherwise it is read again under its row lock and moved from there."""
    insert(report)
    before = _move(task, report, access)
    audit_record(
        actor=actor,
        action=ACTION,
        obj=task,
        changes={**diff(before, snapshot(task, TASK_FIELDS)), "report": {"old": None, "new": report.pk}},
        internal=task.internal,
    )



def _json_sql(model: type, name: str, expression: str) -> str:
    """`expression` (a column of `model`'s field `name`) as the JSON value `audit.json_safe` makes of it in Python:
    date-times as `datetime.isoformat()` writes an aware UTC value (microseconds only when there are any)."""
    if isinstance(model._meta.get_field(name), DateTimeField):
        utc = f"({expression}) AT TIME ZONE 'UTC'"
        return (
            f"to_jsonb(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN extract(microseconds FROM {utc})::bigint"
            f" %% 1000000 <> 0 THEN to_char({utc}, '.US') ELSE '' END || '+00:00')"
        )
    return f"to_jsonb({expression})"


@cache
def _one_statement_sql() -> tuple[str, InsertSelect, InsertSelect]:
    """The report as one statement (PostgreSQL: data-modifying CTEs). `old` locks the task as stored
    (FOR NO KEY UPDATE waits for a concurrent reporter and then reads what it committed); `moved` moves it, stamped
    no earlier than its stored last report; the report, the audit row (its changes computed from `old` and `moved`
    as `audit.diff` would) and the project's version follow. Names only are formatted; every value is bound."""
    t = {name: col(Task, name) for name in ("id", "project", "owner", "side", "title", "internal", "version", *MOVED_FIELDS)}
    opens = ", ".join(f"%(open{i})s" for i in range(len(OPEN_TASK_STATUSES)))
    read = ", ".join(t[name] for name in ("id", "project", "title", "internal", *TASK_FIELDS, "last_reported_at"))
    report = InsertSelect(ProgressReport, computed={"task": "moved.id", "created_at": "moved.at"}, prefix="r_")
    changes = " || ".join(
        [
            "jsonb_build_object(%(report_key)s::text, jsonb_build_object('old', NULL, 'new', report.id))",
            *(
                f"CASE WHEN old.{t[name]} IS DISTINCT FROM moved.{t[name]} THEN jsonb_build_object(%(key_{name})s::text,"
                f" jsonb_build_object('old', {_json_sql(Task, name, f'old.{t[name]}')},"
                f" 'new', {_json_sql(Task, name, f'moved.{t[name]}')})) ELSE '{{}}'::jsonb END"
                for name in TASK_FIELDS
            ),
        ]
    )
    audit = InsertSelect(
        AuditEvent,
        computed={"project": f"old.{t['project']}", "object_repr": f"left(old.{t['title']}, 200)", "changes": changes,
                  "internal": f"old.{t['internal']}"},
        prefix="a_",
    )
    moved_returning = ", ".join(f"t.{t[name]}" for name in MOVED_FIELDS)
    sql = f"""WITH old AS (
  SELECT {read} FROM {table(Task)}
  WHERE {t["id"]} = %(task)s AND {t["owner"]} = %(owner)s AND {t["side"]} = %(side)s AND {t["status"]} IN ({opens})
  FOR NO KEY UPDATE
), moved AS (
  UPDATE {table(Task)} AS t SET {t["last_reported_at"]} = s.at, {t["last_percent"]} = %(last_percent)s,
    {t["last_state"]} = %(state)s, {t["status"]} = %(status)s,
    {t["completed_at"]} = CASE WHEN %(completes)s THEN s.at ELSE t.{t["completed_at"]} END,
    {t["version"]} = t.{t["version"]} + 1, {t["updated_at"]} = s.at
  FROM (SELECT {t["id"]} AS id, GREATEST(%(now)s, {t["last_reported_at"]} + interval '1 microsecond') AS at FROM old) AS s
  WHERE t.{t["id"]} = s.id
  RETURNING t.{t["id"]} AS id, t.{t["project"]} AS project_id, s.at AS at, {moved_returning}
), report AS (
  {report.sql} FROM moved RETURNING {col(ProgressReport, "id")} AS id
), audit AS (
  {audit.sql} FROM old, moved, report
), project AS (
  UPDATE {table(Project)} SET {col(Project, "data_version")} = {col(Project, "data_version")} + 1
  WHERE {col(Project, "id")} = (SELECT project_id FROM moved)
)
SELECT report.id, {", ".join(f"moved.{t[name]}" for name in MOVED_FIELDS)} FROM moved, report"""  # noqa: S608 — names only
    return sql, report, audit


def _in_one_statement(task: Task, report: ProgressReport) -> bool:
    """Store the report in one statement; False (nothing written) when the task is no longer open or has another
    owner or side than `task` says."""
    sql, report_insert, audit_insert = _one_statement_sql()
    completes = report.state == ReportState.DONE
    audit = AuditEvent(
        actor=report.author, at=report.created_at, action=ACTION, object_type=Task._meta.model_name, object_id=str(task.pk)
    )
    params = {
        "task": task.pk, "owner": task.owner_id, "side": task.side,
        **{f"open{i}": status for i, status in enumerate(OPEN_TASK_STATUSES)},
        "now": db_value(ProgressReport, "created_at", report.created_at),
        "last_percent": 100 if completes else report.percent, "state": report.state,
        "status": _status_after(report.state), "completes": completes,
        "report_key": "report", **{f"key_{name}": name for name in TASK_FIELDS},
        **report_insert.params(report), **audit_insert.params(audit),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    report.pk = row[0]
    report._state.adding, report._state.db = False, connection.alias
    for name, value in zip(MOVED_FIELDS, row[1:], strict=True):
        setattr(task, name, value)
    report.created_at = task.last_reported_at
    return True


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
