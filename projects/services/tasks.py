"""Tasks: create, update, assign, complete, cancel.

State machine: todo ⇄ in progress ⇄ blocked → done | cancelled. A done or
cancelled task changes only by a staff member reopening it (status back to an
open state through `task_update`).
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from projects import inbox, notifications
from projects.models import OPEN_TASK_STATUSES, Priority, Project, Task, TaskSide, TaskStatus
from projects.permissions import ProjectAccess, project_access, require, require_can_mark_internal
from projects.services.audit import audit_record, diff, snapshot
from projects.services.common import check_fields, check_version, require_member
from projects.services.counts import project_counts_refresh

TRACKED = (
    "title", "description", "owner", "side", "start_date", "due_date", "status", "priority",
    "report_cadence_days", "internal", "completed_at", "last_percent",
)
EDITABLE = ("title", "description", "start_date", "due_date", "priority", "report_cadence_days", "internal", "status")


def side_for(owner: User) -> str:
    return TaskSide.CLIENT if owner.kind == User.Kind.CLIENT else TaskSide.TEAM


def _check_owner(access: ProjectAccess, owner: User) -> None:
    role = require_member(project=access.project, user=owner)
    require(access.can_assign_to(role, owner), _("You can assign tasks only to people of your own company."))


def _check_internal(access: ProjectAccess, internal: bool, side: str) -> None:
    require_can_mark_internal(access, internal)
    if internal and side == TaskSide.CLIENT:
        raise ValidationError({"internal": _("A task owned by a client person cannot be internal.")})


def _locked(task: Task) -> Task:
    return Task.objects.select_for_update().select_related("project", "owner").get(pk=task.pk)


def _save(task: Task, *, actor: User, action: str, before: dict, extra: dict | None = None) -> Task:
    changes = diff(before, snapshot(task, TRACKED))
    task.version += 1
    task.full_clean()
    task.save()
    project_counts_refresh(project_ids=[task.project_id])
    audit_record(actor=actor, action=action, obj=task, changes={**changes, **(extra or {})}, internal=task.internal)
    inbox.tell(inbox.Event(kind="task", actor_id=actor.pk, task_id=task.pk, changed=tuple(changes),
                           people=tuple({before["owner"]} - {task.owner_id, None}), task=task))
    return task


def _tell_new_owner(task: Task, actor: User) -> None:
    """A client owner hears about the task once it is committed (docs/notifications.md: "task assigned")."""
    if task.side == TaskSide.CLIENT and task.owner_id != actor.pk:
        transaction.on_commit(partial(notifications.task_assigned, task.pk, task.owner_id, task.version, actor.pk))


def _require_open(task: Task) -> None:
    if not task.is_open:
        raise ApplicationError(
            _("This task is %(status)s; reopen it first.") % {"status": task.get_status_display()}, code="task_closed"
        )


@transaction.atomic
def task_create(
    *,
    actor: User,
    project: Project,
    title: str,
    owner: User,
    due_date: dt.date | None = None,
    start_date: dt.date | None = None,
    description: str = "",
    priority: str = Priority.NORMAL,
    report_cadence_days: int = 7,
    internal: bool = False,
) -> Task:
    access = project_access(user=actor, project=project)
    require(access.can_create_tasks)
    _check_owner(access, owner)
    side = side_for(owner)
    _check_internal(access, internal, side)
    task = Task(
        project=project,
        title=title,
        description=description,
        owner=owner,
        side=side,
        start_date=start_date,
        due_date=due_date,
        priority=priority,
        report_cadence_days=report_cadence_days,
        internal=internal,
        created_by=actor,
    )
    task.full_clean()
    task.save()
    project_counts_refresh(project_ids=[project.pk])
    audit_record(actor=actor, action="task.create", obj=task, changes=diff({}, snapshot(task, TRACKED)), internal=internal)
    inbox.tell(inbox.Event(kind="task", actor_id=actor.pk, task_id=task.pk, changed=("owner",), task=task))
    _tell_new_owner(task, actor)
    return task


@transaction.atomic
def task_update(*, actor: User, task: Task, expected_version: int | None = None, **fields) -> Task:
    """Edit fields; `status` may move between open states, and staff may reopen a done/cancelled task."""
    check_fields(fields, EDITABLE)
    access = project_access(user=actor, project=task.project)
    require(access.can_edit_task(task))
    task = _locked(task)
    check_version(task, expected_version)
    status = fields.get("status", task.status)
    if status not in OPEN_TASK_STATUSES and status != task.status:
        raise ApplicationError(_("Use complete or cancel to close a task."), code="bad_transition")
    if not task.is_open:
        if status == task.status:
            _require_open(task)
        require(access.is_staff, _("Only the team can reopen a task."))
    if "internal" in fields and bool(fields["internal"]) != task.internal:
        _check_internal(access, bool(fields["internal"]), task.side)
    before = snapshot(task, TRACKED)
    for name, value in fields.items():
        setattr(task, name, value)
    if task.status in OPEN_TASK_STATUSES:
        task.completed_at = None
    if not diff(before, snapshot(task, TRACKED)):
        return task
    return _save(task, actor=actor, action="task.reopen" if before["status"] not in OPEN_TASK_STATUSES else "task.update", before=before)


@transaction.atomic
def task_assign(*, actor: User, task: Task, owner: User, expected_version: int | None = None) -> Task:
    access = project_access(user=actor, project=task.project)
    require(access.can_edit_task(task))
    task = _locked(task)
    check_version(task, expected_version)
    _require_open(task)
    _check_owner(access, owner)
    side = side_for(owner)
    if task.internal and side == TaskSide.CLIENT:
        raise ValidationError({"owner": _("An internal task cannot be given to a client person.")})
    before = snapshot(task, TRACKED)
    changed = task.owner_id != owner.pk
    task.owner = owner
    task.side = side
    task = _save(task, actor=actor, action="task.assign", before=before)
    if changed:
        _tell_new_owner(task, actor)
    return task


@transaction.atomic
def task_complete(*, actor: User, task: Task, expected_version: int | None = None) -> Task:
    """Close the task as done — anyone who may edit it or report on it."""
    access = project_access(user=actor, project=task.project)
    require(access.can_edit_task(task) or access.can_report_on(task))
    task = _locked(task)
    check_version(task, expected_version)
    _require_open(task)
    before = snapshot(task, TRACKED)
    task.status = TaskStatus.DONE
    task.completed_at = timezone.now()
    task.last_percent = 100
    return _save(task, actor=actor, action="task.complete", before=before)


@transaction.atomic
def task_cancel(*, actor: User, task: Task, reason: str = "", expected_version: int | None = None) -> Task:
    access = project_access(user=actor, project=task.project)
    require(access.can_edit_task(task))
    task = _locked(task)
    check_version(task, expected_version)
    _require_open(task)
    before = snapshot(task, TRACKED)
    task.status = TaskStatus.CANCELLED
    return _save(task, actor=actor, action="task.cancel", before=before, extra={"reason": {"old": None, "new": reason}})
