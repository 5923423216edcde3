"""Progress reports: append-only; each one moves the task's "last report" fields."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from projects import inbox, notifications
from projects.models import ProgressReport, ReportState, Task, TaskStatus
from projects.permissions import ProjectAccess, project_access, require
from projects.services.audit import audit_record, diff, snapshot
from projects.services.counts import project_counts_refresh

TASK_FIELDS = ("status", "last_percent", "last_state", "completed_at")
STATUS_AFTER = {ReportState.DONE: TaskStatus.DONE, ReportState.BLOCKED: TaskStatus.BLOCKED}
REFERENCES_CHECKED_BY_THE_SERVICE = ("task", "author")  # see report_submit


def report_submit(
    *, actor: User, task: Task, percent: int, state: str, note: str = "", blockers: str = "", access: ProjectAccess | None = None
) -> ProgressReport:
    """Store one report. `done` completes the task, `blocked` blocks it, on track / at risk mark it in progress.
    Refused on done or cancelled tasks. `access`: the actor's access to the task's project when the caller has just
    checked it (the role is then not looked up again). `task` is updated in place to its new state.

    The report is fully validated first; then, in one transaction, the task is read again under its row lock, so
    concurrent reporters take turns: each one decides on, and moves, the state the previous one committed, and the
    lock is held only for the writes. The report is stamped no earlier than the task's stored last report.

    The report's two references are validated by the objects themselves rather than by a lookup each: the author is
    the person making the request, and the task must still be there when it is read under its lock (a deleted task
    is refused there, as `task_gone`), which is later and stricter than an existence check before the lock."""
    if access is None or access.user != actor or access.project.pk != task.project_id:
        access = project_access(user=actor, project=task.project)
    report = ProgressReport(task=task, author=actor, created_at=timezone.now(), percent=percent, state=state, note=note,
                            blockers=blockers)
    report.full_clean(exclude=REFERENCES_CHECKED_BY_THE_SERVICE)
    with transaction.atomic():
        return _store(actor=actor, task=task, report=report, access=access)


def _store(*, actor: User, task: Task, report: ProgressReport, access: ProjectAccess) -> ProgressReport:
    # Only the task row is locked (not its owner's): NO KEY UPDATE, because reports inserted meanwhile reference it.
    locked = Task.objects.select_for_update(no_key=True, of=("self",)).select_related("owner").filter(pk=task.pk).first()
    if locked is None:
        raise ApplicationError(_("This task no longer exists."), code="task_gone")
    locked.project = access.project
    require(access.can_report_on(locked), _("You can report only on your own tasks."))
    if not locked.is_open:
        raise ApplicationError(
            _("This task is %(status)s; it takes no more reports.") % {"status": locked.get_status_display()},
            code="task_closed",
        )
    now = timezone.now()
    if locked.last_reported_at is not None and locked.last_reported_at >= now:
        now = locked.last_reported_at + dt.timedelta(microseconds=1)
    state, percent = report.state, report.percent
    report.task, report.created_at = locked, now
    report.save()

    before = snapshot(locked, TASK_FIELDS)
    locked.last_reported_at = now
    locked.last_percent = 100 if state == ReportState.DONE else percent
    locked.last_state = state
    locked.status = STATUS_AFTER.get(state, TaskStatus.IN_PROGRESS)
    if locked.status == TaskStatus.DONE:
        locked.completed_at = now
    locked.version += 1
    locked.save(update_fields=[*TASK_FIELDS, "last_reported_at", "version", "updated_at"])
    project_counts_refresh(project_ids=[locked.project_id])
    audit_record(
        actor=actor,
        action="report.submit",
        obj=locked,
        changes={**diff(before, snapshot(locked, TASK_FIELDS)), "report": {"old": None, "new": report.pk}},
        internal=locked.internal,
    )
    inbox.tell(inbox.Event(kind="task", actor_id=actor.pk, task_id=locked.pk,
                           changed=tuple(diff(before, snapshot(locked, TASK_FIELDS))), task=locked))
    for field in Task._meta.concrete_fields:  # the caller's copy, as stored now
        setattr(task, field.attname, getattr(locked, field.attname))
    if state == ReportState.BLOCKED:
        transaction.on_commit(partial(notifications.task_blocked, report.pk))
    return report
