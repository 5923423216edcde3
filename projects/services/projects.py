"""Project create / update / archive."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal.accounts.models import Client, User
from portal.core.exceptions import ApplicationError
from projects.models import Membership, Project, ProjectStatus, Role
from projects.permissions import project_access, require
from projects.services.audit import audit_record, diff, snapshot
from projects.services.common import check_fields

PROJECT_FIELDS = ("client", "name", "slug", "description", "start_date", "target_launch", "status")
EDITABLE_FIELDS = ("name", "slug", "description", "start_date", "target_launch", "status")


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "project")[:70]
    slug, n = base, 2
    while Project.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def project_create(
    *,
    actor: User,
    client: Client,
    name: str,
    slug: str | None = None,
    description: str = "",
    start_date: dt.date | None = None,
    target_launch: dt.date | None = None,
    status: str = ProjectStatus.PLANNING,
) -> Project:
    """Staff only. The actor becomes the project's manager and its first manager member."""
    if not actor.is_authenticated or actor.kind != User.Kind.STAFF:
        raise PermissionDenied(_("Only staff can create projects."))
    project = Project(
        client=client,
        name=name,
        slug=slug or _unique_slug(name),
        description=description,
        start_date=start_date,
        target_launch=target_launch,
        status=status,
        manager=actor,
    )
    project.full_clean()
    project.save()
    membership = Membership(project=project, user=actor, role=Role.MANAGER)
    membership.full_clean()
    membership.save()
    audit_record(actor=actor, action="project.create", obj=project, project=project, changes=diff({}, snapshot(project, PROJECT_FIELDS)))
    return project


@transaction.atomic
def project_update(*, actor: User, project: Project, **fields) -> Project:
    check_fields(fields, EDITABLE_FIELDS)
    access = project_access(user=actor, project=project)
    require(access.can_edit_project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = snapshot(project, EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(project, name, value)
    changes = diff(before, snapshot(project, EDITABLE_FIELDS))
    if not changes:
        return project
    project.full_clean()
    project.save()
    audit_record(actor=actor, action="project.update", obj=project, project=project, changes=changes)
    return project


@transaction.atomic
def project_archive(*, actor: User, project: Project) -> Project:
    """Hide a project from the active lists; nothing is deleted. Archiving twice is refused."""
    access = project_access(user=actor, project=project)
    require(access.can_edit_project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.archived_at is not None:
        raise ApplicationError(_("This project is already archived."), code="already_archived")
    before = snapshot(project, ("archived_at",))
    project.archived_at = timezone.now()
    project.full_clean()
    project.save()
    audit_record(actor=actor, action="project.archive", obj=project, project=project, changes=diff(before, snapshot(project, ("archived_at",))))
    return project
