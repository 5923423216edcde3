"""Milestones: the dates a project works towards and the tasks and decisions each one waits on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from engagement.models import Decision, Milestone
from portal.accounts.models import User
from projects.models import Project, Task
from projects.permissions import project_access, require, require_can_mark_internal
from projects.services.audit import audit_record, diff, snapshot
from projects.services.common import check_fields, check_version

TRACKED = ("name", "date", "description", "internal")
EDITABLE = (*TRACKED, "tasks", "decisions")


def _ids(items: Iterable) -> list[int]:
    return sorted({getattr(item, "pk", item) for item in items})


def _check_dependencies(project: Project, tasks: list[int], decisions: list[int]) -> None:
    errors = {}
    if len(tasks) != Task.objects.filter(project=project, pk__in=tasks).count():
        errors["tasks"] = _("Choose tasks of this project.")
    if len(decisions) != Decision.objects.filter(project=project, pk__in=decisions).count():
        errors["decisions"] = _("Choose decisions of this project.")
    if errors:
        raise ValidationError(errors)


def _dependencies(milestone: Milestone) -> dict:
    return {"tasks": _ids(milestone.tasks.all()), "decisions": _ids(milestone.decisions.all())}


@transaction.atomic
def milestone_create(
    *,
    actor: User,
    project: Project,
    name: str,
    date: dt.date,
    description: str = "",
    tasks: Iterable = (),
    decisions: Iterable = (),
    internal: bool = False,
) -> Milestone:
    access = project_access(user=actor, project=project)
    require(access.can_edit_project)
    require_can_mark_internal(access, internal)
    task_ids, decision_ids = _ids(tasks), _ids(decisions)
    _check_dependencies(project, task_ids, decision_ids)
    milestone = Milestone(project=project, name=name, date=date, description=description, internal=internal, created_by=actor)
    milestone.full_clean()
    milestone.save()
    milestone.tasks.set(task_ids)
    milestone.decisions.set(decision_ids)
    changes = {**snapshot(milestone, TRACKED), "tasks": task_ids, "decisions": decision_ids}
    audit_record(actor=actor, action="milestone.create", obj=milestone, changes=changes, internal=internal)
    return milestone


@transaction.atomic
def milestone_update(*, actor: User, milestone: Milestone, expected_version: int | None = None, **fields) -> Milestone:
    """Change any of `EDITABLE`; `tasks` and `decisions` replace the dependencies. Nothing changed, nothing written."""
    check_fields(fields, EDITABLE)
    access = project_access(user=actor, project=milestone.project)
    require(access.can_edit_project)
    milestone = Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
    check_version(milestone, expected_version)
    if "internal" in fields:
        require_can_mark_internal(access, bool(fields["internal"]))
    before = {**snapshot(milestone, TRACKED), **_dependencies(milestone)}
    after_deps = {key: _ids(fields.pop(key)) if key in fields else before[key] for key in ("tasks", "decisions")}
    _check_dependencies(milestone.project, after_deps["tasks"], after_deps["decisions"])
    for name, value in fields.items():
        setattr(milestone, name, value)
    changes = diff(before, {**snapshot(milestone, TRACKED), **after_deps})
    if not changes:
        return milestone
    milestone.version += 1
    milestone.full_clean()
    milestone.save()
    milestone.tasks.set(after_deps["tasks"])
    milestone.decisions.set(after_deps["decisions"])
    audit_record(actor=actor, action="milestone.update", obj=milestone, changes=changes, internal=milestone.internal)
    return milestone


@transaction.atomic
def milestone_delete(*, actor: User, milestone: Milestone) -> None:
    access = project_access(user=actor, project=milestone.project)
    require(access.can_edit_project)
    audit_record(actor=actor, action="milestone.delete", obj=milestone, internal=milestone.internal)
    milestone.delete()
