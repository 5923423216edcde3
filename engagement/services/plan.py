"""The communication plan: versioned content, stakeholders, the client's sign-off and the completeness checklist.

Every content change — plan fields or stakeholders — raises `version` and stores a `PlanVersion`
snapshot, so a sign-off always names exactly what it covered and a later change shows as
"changed since sign-off".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engagement import notifications
from engagement.models import CommunicationPlan, PlanVersion, Stakeholder
from portal.accounts.models import User
from portal.core.exceptions import ApplicationError, ConflictError
from projects.models import Project, TaskSide
from projects.permissions import project_access, require
from projects.services.audit import audit_record, diff, snapshot
from projects.services.common import NOT_A_MEMBER, check_fields, member_role

PLAN_FIELDS = (
    "expectations", "status_update_cadence_days", "digest_weekday", "digest_hour",
    "client_response_hours", "team_response_hours", "escalation_path", "channels",
)
STAKEHOLDER_FIELDS = (
    "user", "external_name", "external_email", "side", "responsibility", "raci", "is_primary",
    "backup_for", "channel", "phone",
)


def _content(plan: CommunicationPlan) -> dict:
    stakeholders = [
        {**snapshot(s, STAKEHOLDER_FIELDS), "id": s.pk, "name": s.name}
        for s in plan.stakeholders.select_related("user").order_by("side", "-is_primary", "id")
    ] if plan.pk else []
    return {**snapshot(plan, PLAN_FIELDS), "stakeholders": stakeholders}


def _store_version(plan: CommunicationPlan, actor: User | None) -> None:
    PlanVersion.objects.create(plan=plan, version=plan.version, content=_content(plan), created_by=actor if getattr(actor, "pk", None) else None)


def _locked(plan: CommunicationPlan) -> CommunicationPlan:
    return CommunicationPlan.objects.select_for_update().select_related("project").get(pk=plan.pk)


def _new_version(plan: CommunicationPlan, actor: User) -> None:
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])
    _store_version(plan, actor)


@transaction.atomic
def plan_get_or_create(*, project: Project) -> CommunicationPlan:
    """The project's plan; a new plan starts at version 1 with its snapshot stored."""
    plan, created = CommunicationPlan.objects.get_or_create(project=project)
    if created:
        _store_version(plan, None)
    return plan


@transaction.atomic
def plan_update(*, actor: User, project: Project, expected_version: int | None = None, **fields) -> CommunicationPlan:
    """Change plan fields (manager). A real change raises the version; no change leaves everything as it was."""
    check_fields(fields, PLAN_FIELDS)
    access = project_access(user=actor, project=project)
    require(access.can_edit_plan)
    plan = _locked(plan_get_or_create(project=project))
    if expected_version is not None and int(expected_version) != plan.version:
        raise ConflictError(
            _("The plan changed since you read it. Reload and try again."), extra={"current_version": plan.version}
        )
    before = snapshot(plan, PLAN_FIELDS)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.full_clean()
    changes = diff(before, snapshot(plan, PLAN_FIELDS))
    if not changes:
        return plan
    plan.version += 1
    plan.save()
    _store_version(plan, actor)
    audit_record(actor=actor, action="plan.update", obj=plan, project=project, internal=False,
                 changes={**changes, "version": {"old": plan.version - 1, "new": plan.version}})
    return plan


@transaction.atomic
def plan_request_sign_off(*, actor: User, plan: CommunicationPlan) -> CommunicationPlan:
    """The manager asks the client leads to sign the current version off."""
    plan = _locked(plan)
    access = project_access(user=actor, project=plan.project)
    require(access.can_edit_plan)
    if plan.is_signed_off and not plan.changed_since_sign_off:
        raise ApplicationError(_("This version of the plan is already signed off."), code="already_signed")
    old = plan.sign_off_requested_at
    plan.sign_off_requested_at = timezone.now()
    plan.save(update_fields=["sign_off_requested_at", "updated_at"])
    audit_record(actor=actor, action="plan.request_sign_off", obj=plan, project=plan.project, internal=False,
                 changes={"sign_off_requested_at": {"old": old.isoformat() if old else None,
                                                    "new": plan.sign_off_requested_at.isoformat()},
                          "version": plan.version})
    transaction.on_commit(partial(notifications.plan_sign_off_requested, plan.pk))
    return plan


@transaction.atomic
def plan_sign_off(*, actor: User, plan: CommunicationPlan, version: int) -> CommunicationPlan:
    """A client lead signs off `version` — the version they read. An older one is refused."""
    plan = _locked(plan)
    access = project_access(user=actor, project=plan.project)
    if not access.can_sign_off_plan:
        raise PermissionDenied(_("Only a client lead can sign the plan off."))
    if int(version) != plan.version:
        raise ApplicationError(
            _("The plan changed since you read it. Read version %(version)s and sign that off.") % {"version": plan.version},
            code="plan_outdated", extra={"current_version": plan.version},
        )
    if plan.signed_off_version == plan.version:
        raise ApplicationError(_("This version of the plan is already signed off."), code="already_signed")
    before = snapshot(plan, ("signed_off_by", "signed_off_at", "signed_off_version"))
    plan.signed_off_by, plan.signed_off_at, plan.signed_off_version = actor, timezone.now(), plan.version
    plan.full_clean()
    plan.save()
    PlanVersion.objects.filter(plan=plan, version=plan.version).update(signed_off_by=actor, signed_off_at=plan.signed_off_at)
    audit_record(actor=actor, action="plan.sign_off", obj=plan, project=plan.project, internal=False,
                 changes=diff(before, snapshot(plan, ("signed_off_by", "signed_off_at", "signed_off_version"))))
    return plan


# --- stakeholders ------------------------------------------------------------------

# Said for a backup of another plan or side, and by the API for an id that names no stakeholder at all.
BACKUP_ELSEWHERE = gettext_lazy("A backup stands in for someone of the same plan and side.")

def _check_stakeholder(stakeholder: Stakeholder, project: Project) -> None:
    errors = {}
    if stakeholder.user_id:
        if member_role(project=project, user=stakeholder.user) is None:
            errors["user"] = NOT_A_MEMBER
        else:
            expected = TaskSide.CLIENT if stakeholder.user.kind == User.Kind.CLIENT else TaskSide.TEAM
            if stakeholder.side != expected:
                errors["side"] = _("This person belongs on the %(side)s side.") % {"side": TaskSide(expected).label}
        others = Stakeholder.objects.filter(plan_id=stakeholder.plan_id, user_id=stakeholder.user_id).exclude(pk=stakeholder.pk)
        if others.exists():
            errors["user"] = _("This person is already a stakeholder of the plan.")
        stakeholder.external_name, stakeholder.external_email = "", ""
    elif not (stakeholder.external_name.strip() and stakeholder.external_email.strip()):
        errors["external_name"] = _("Choose a member of the project, or give a name and an e-mail address.")
    if stakeholder.is_primary:
        primary = Stakeholder.objects.filter(plan_id=stakeholder.plan_id, side=stakeholder.side, is_primary=True)
        if primary.exclude(pk=stakeholder.pk).exists():
            errors["is_primary"] = _("This side already has a primary contact.")
    backup = stakeholder.backup_for
    if backup is not None:
        if stakeholder.pk and backup.pk == stakeholder.pk:
            errors["backup_for"] = _("A person cannot be their own backup.")
        elif backup.plan_id != stakeholder.plan_id or backup.side != stakeholder.side:
            errors["backup_for"] = BACKUP_ELSEWHERE
    if errors:
        raise ValidationError(errors)


def _stakeholder_audit(actor, action, stakeholder, plan, changes) -> None:
    audit_record(actor=actor, action=action, obj=stakeholder, project=plan.project, internal=False,
                 changes={**changes, "plan_version": plan.version})


@transaction.atomic
def stakeholder_add(
    *,
    actor: User,
    plan: CommunicationPlan,
    side: str,
    user: User | None = None,
    external_name: str = "",
    external_email: str = "",
    responsibility: str = "",
    raci: str = "",
    is_primary: bool = False,
    backup_for: Stakeholder | None = None,
    channel: str = "email",
    phone: str = "",
) -> Stakeholder:
    """Add a member of the project, or an outside person by name and e-mail, to one side of the plan."""
    plan = _locked(plan)
    require(project_access(user=actor, project=plan.project).can_edit_plan)
    stakeholder = Stakeholder(
        plan=plan, user=user, external_name=external_name, external_email=external_email, side=side,
        responsibility=responsibility, raci=raci, is_primary=is_primary, backup_for=backup_for, channel=channel, phone=phone,
    )
    _check_stakeholder(stakeholder, plan.project)
    stakeholder.full_clean()
    stakeholder.save()
    _new_version(plan, actor)
    _stakeholder_audit(actor, "stakeholder.add", stakeholder, plan, diff({}, snapshot(stakeholder, STAKEHOLDER_FIELDS)))
    return stakeholder


@transaction.atomic
def stakeholder_update(*, actor: User, stakeholder: Stakeholder, **fields) -> Stakeholder:
    check_fields(fields, STAKEHOLDER_FIELDS)
    stakeholder = Stakeholder.objects.select_for_update(of=("self",)).select_related("user").get(pk=stakeholder.pk)
    plan = _locked(stakeholder.plan)
    require(project_access(user=actor, project=plan.project).can_edit_plan)
    before = snapshot(stakeholder, STAKEHOLDER_FIELDS)
    for name, value in fields.items():
        setattr(stakeholder, name, value)
    _check_stakeholder(stakeholder, plan.project)
    stakeholder.full_clean()
    changes = diff(before, snapshot(stakeholder, STAKEHOLDER_FIELDS))
    if not changes:
        return stakeholder
    stakeholder.save()
    if "side" in changes:
        # Backups that no longer share the side lose the link.
        stakeholder.backups.exclude(side=stakeholder.side).update(backup_for=None)
    _new_version(plan, actor)
    _stakeholder_audit(actor, "stakeholder.update", stakeholder, plan, changes)
    return stakeholder


@transaction.atomic
def stakeholder_remove(*, actor: User, stakeholder: Stakeholder) -> None:
    stakeholder = Stakeholder.objects.select_for_update(of=("self",)).select_related("user").get(pk=stakeholder.pk)
    plan = _locked(stakeholder.plan)
    require(project_access(user=actor, project=plan.project).can_edit_plan)
    before = {**snapshot(stakeholder, STAKEHOLDER_FIELDS), "name": stakeholder.name}
    audit_record(actor=actor, action="stakeholder.remove", obj=stakeholder, project=plan.project, internal=False,
                 changes={k: {"old": v, "new": None} for k, v in before.items()})
    stakeholder.delete()
    _new_version(plan, actor)


# --- completeness ------------------------------------------------------------------

@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str | Promise
    ok: bool


def plan_completeness(plan: CommunicationPlan) -> list[CheckItem]:
    """The plan checklist, in a fixed order; health and the plan page both read it."""
    people = list(plan.stakeholders.all()) if plan.pk else []

    def has_primary(side):
        return any(s.side == side and s.is_primary for s in people)

    def has_backup(side):
        primaries = {s.pk for s in people if s.side == side and s.is_primary}
        return any(s.side == side and s.backup_for_id in primaries for s in people)

    has_series = plan.project.meeting_series.filter(ended_at__isnull=True).exists()
    return [
        CheckItem("team_primary", gettext_lazy("A primary contact on the team side"), has_primary(TaskSide.TEAM)),
        CheckItem("team_backup", gettext_lazy("A backup for the team's primary contact"), has_backup(TaskSide.TEAM)),
        CheckItem("client_primary", gettext_lazy("A primary contact on the client side"), has_primary(TaskSide.CLIENT)),
        CheckItem("client_backup", gettext_lazy("A backup for the client's primary contact"), has_backup(TaskSide.CLIENT)),
        CheckItem("cadence", gettext_lazy("A status-update cadence"), bool(plan.pk and plan.status_update_cadence_days)),
        CheckItem(
            "response_targets", gettext_lazy("Response-time targets for both sides"),
            bool(plan.pk and plan.client_response_hours and plan.team_response_hours),
        ),
        CheckItem("escalation", gettext_lazy("An escalation path"), bool(plan.escalation_path.strip())),
        CheckItem("meetings", gettext_lazy("At least one meeting series"), has_series),
        CheckItem("signed_off", gettext_lazy("Signed off by the client, and current"), plan.is_signed_off and not plan.changed_since_sign_off),
    ]
