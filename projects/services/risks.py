"""Risks and issues: anyone in the project may raise one; staff or the person who raised it edit it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from projects.models import Project, Risk, Severity
from projects.permissions import ProjectAccess, project_access, require, require_can_mark_internal
from projects.services.audit import audit_record, diff, snapshot
from projects.services.common import check_fields, check_version, require_member

TRACKED = ("kind", "title", "description", "severity", "owner", "status", "resolution", "closed_at", "internal")
EDITABLE = ("kind", "title", "description", "severity", "owner", "status", "internal")


def _check_owner(access: ProjectAccess, owner: User | None, internal: bool) -> None:
    if owner is None:
        return
    require_member(project=access.project, user=owner)
    if internal and owner.kind == User.Kind.CLIENT:
        raise ValidationError({"owner": _("An internal risk cannot be owned by a client person.")})


@transaction.atomic
def risk_raise(
    *,
    actor: User,
    project: Project,
    title: str,
    kind: str = Risk.Kind.RISK,
    severity: str = Severity.MEDIUM,
    description: str = "",
    owner: User | None = None,
    internal: bool = False,
) -> Risk:
    access = project_access(user=actor, project=project)
    require(access.can_raise_risks)
    require_can_mark_internal(access, internal)
    _check_owner(access, owner, internal)
    risk = Risk(
        project=project, title=title, kind=kind, severity=severity, description=description,
        owner=owner, internal=internal, raised_by=actor,
    )
    risk.full_clean()
    risk.save()
    audit_record(actor=actor, action="risk.raise", obj=risk, changes=diff({}, snapshot(risk, TRACKED)), internal=internal)
    return risk


def _locked(risk: Risk) -> Risk:
    return Risk.objects.select_for_update().select_related("project").get(pk=risk.pk)


@transaction.atomic
def risk_update(*, actor: User, risk: Risk, expected_version: int | None = None, **fields) -> Risk:
    """Edit a risk; `status` moves between open and mitigating (close with `risk_close`). Staff may reopen a closed one."""
    check_fields(fields, EDITABLE)
    access = project_access(user=actor, project=risk.project)
    require(access.can_edit_risk(risk))
    risk = _locked(risk)
    check_version(risk, expected_version)
    status = fields.get("status", risk.status)
    if status == Risk.Status.CLOSED and risk.status != Risk.Status.CLOSED:
        raise ApplicationError(_("Close a risk with its resolution."), code="bad_transition")
    if risk.status == Risk.Status.CLOSED:
        if status == Risk.Status.CLOSED:
            raise ApplicationError(_("This risk is closed; reopen it first."), code="risk_closed")
        require(access.is_staff, _("Only the team can reopen a risk."))
    internal = bool(fields.get("internal", risk.internal))
    if internal != risk.internal:
        require_can_mark_internal(access, internal)
    if "owner" in fields or internal != risk.internal:
        _check_owner(access, fields.get("owner", risk.owner), internal)
    before = snapshot(risk, TRACKED)
    for name, value in fields.items():
        setattr(risk, name, value)
    if risk.status != Risk.Status.CLOSED:
        risk.closed_at = None
    changes = diff(before, snapshot(risk, TRACKED))
    if not changes:
        return risk
    risk.version += 1
    risk.full_clean()
    risk.save()
    audit_record(actor=actor, action="risk.update", obj=risk, changes=changes, internal=risk.internal)
    return risk


@transaction.atomic
def risk_close(*, actor: User, risk: Risk, resolution: str, expected_version: int | None = None) -> Risk:
    access = project_access(user=actor, project=risk.project)
    require(access.can_edit_risk(risk))
    risk = _locked(risk)
    check_version(risk, expected_version)
    if risk.status == Risk.Status.CLOSED:
        raise ApplicationError(_("This risk is already closed."), code="risk_closed")
    if not (resolution or "").strip():
        raise ValidationError({"resolution": _("Say how it was resolved.")})
    before = snapshot(risk, TRACKED)
    risk.status = Risk.Status.CLOSED
    risk.resolution = resolution.strip()
    risk.closed_at = timezone.now()
    risk.version += 1
    risk.full_clean()
    risk.save()
    audit_record(actor=actor, action="risk.close", obj=risk, changes=diff(before, snapshot(risk, TRACKED)), internal=risk.internal)
    return risk
