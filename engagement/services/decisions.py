"""The decision log: record, propose, approve, reject, supersede, and the client's responses.

States: proposed → approved | rejected; approved or proposed → superseded (names its successor).
An "approval required" decision stays proposed until every client lead of the project has
approved it (plain clients when the project has no lead); an objection keeps it, or moves it
back to, proposed. A manager's decision then becomes approved by itself; a team member's
proposal still waits for the manager's `decision_approve`. The client is asked (`requested_at`, `decision_requested` on commit) as soon
as a client-visible decision needs their answer.
"""

from __future__ import annotations

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engagement import notifications
from engagement.models import Decision, DecisionResponse, Impact, Involvement
from engagement.models.decisions import DecisionStatus, ResponseKind
from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from projects import inbox
from projects.models import Membership, Project, Role
from projects.permissions import project_access, require
from projects.services.audit import audit_record, diff, snapshot

TRACKED = (
    "title", "context", "options", "decision", "decided_by", "decided_on", "impact", "involvement",
    "status", "superseded_by", "task", "meeting", "requested_at", "internal",
)
LIVE = (DecisionStatus.PROPOSED, DecisionStatus.APPROVED)

# Said for an id of another project and, by the API, for an id that names nothing: no answer tells which ids exist.
NO_SUCH_TASK = gettext_lazy("There is no such task in this project.")
NO_SUCH_MEETING = gettext_lazy("There is no such meeting in this project.")
NO_SUCH_DECISION = gettext_lazy("There is no such decision in this project.")


def _locked(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().select_related("project").get(pk=decision.pk)


def _ask_client(decision: Decision) -> bool:
    """Mark the client as asked now; True when they had not been asked before (call `_notify` after saving)."""
    if decision.internal or decision.requested_at is not None:
        return False
    decision.requested_at = timezone.now()
    return True


def _notify(decision: Decision, asked: bool) -> Decision:
    if asked:
        transaction.on_commit(partial(notifications.decision_requested, decision.pk))
    return decision


def _save(decision: Decision, *, actor: User, action: str, before: dict, extra: dict | None = None) -> Decision:
    decision.version += 1
    decision.full_clean()
    decision.save()
    changes = {**diff(before, snapshot(decision, TRACKED)), **(extra or {})}
    audit_record(actor=actor, action=action, obj=decision, changes=changes, internal=decision.internal)
    inbox.tell(inbox.Event(kind="decision", actor_id=actor.pk, decision_id=decision.pk))
    return decision


def _check_links(project: Project, task, meeting) -> None:
    if task is not None and task.project_id != project.pk:
        raise ValidationError({"task": NO_SUCH_TASK})
    if meeting is not None and meeting.project_id != project.pk:
        raise ValidationError({"meeting": NO_SUCH_MEETING})


def _new(*, actor, project, status, fields: dict) -> Decision:
    _check_links(project, fields.get("task"), fields.get("meeting"))
    decision = Decision(project=project, recorded_by=actor, status=status, **fields)
    if decision.internal and decision.involvement != Involvement.INFORMED:
        raise ValidationError({"internal": _("An internal decision cannot ask the client anything.")})
    return decision


def _create(decision: Decision, *, actor: User, action: str) -> Decision:
    decision.full_clean()
    decision.save()
    audit_record(actor=actor, action=action, obj=decision, changes=diff({}, snapshot(decision, TRACKED)), internal=decision.internal)
    inbox.tell(inbox.Event(kind="decision", actor_id=actor.pk, decision_id=decision.pk))
    return decision


@transaction.atomic
def decision_record(
    *,
    actor: User,
    project: Project,
    title: str,
    context: str = "",
    options: str = "",
    decision: str = "",
    impact: str = Impact.MEDIUM,
    involvement: str = Involvement.INFORMED,
    task=None,
    meeting=None,
    internal: bool = False,
) -> Decision:
    """The manager logs a decision: approved at once, or proposed until the client approves ("approval required")."""
    access = project_access(user=actor, project=project)
    require(access.can_record_decisions, _("Only the project manager records decisions; propose it instead."))
    needs_approval = involvement == Involvement.APPROVAL
    row = _new(actor=actor, project=project, status=DecisionStatus.PROPOSED if needs_approval else DecisionStatus.APPROVED, fields={
        "title": title, "context": context, "options": options, "decision": decision, "impact": impact,
        "involvement": involvement, "task": task, "meeting": meeting, "internal": internal, "decided_by": actor,
    })
    if not needs_approval:
        row.decided_on = timezone.localdate()
    asked = _ask_client(row)
    return _notify(_create(row, actor=actor, action="decision.record"), asked)


@transaction.atomic
def decision_propose(
    *,
    actor: User,
    project: Project,
    title: str,
    context: str = "",
    options: str = "",
    decision: str = "",
    impact: str = Impact.MEDIUM,
    involvement: str = Involvement.INFORMED,
    task=None,
    meeting=None,
    internal: bool = False,
) -> Decision:
    """A team member proposes a decision. The client is asked at once when consulted or asked to approve."""
    access = project_access(user=actor, project=project)
    require(access.can_propose_decisions)
    row = _new(actor=actor, project=project, status=DecisionStatus.PROPOSED, fields={
        "title": title, "context": context, "options": options, "decision": decision, "impact": impact,
        "involvement": involvement, "task": task, "meeting": meeting, "internal": internal,
    })
    asked = involvement != Involvement.INFORMED and _ask_client(row)
    return _notify(_create(row, actor=actor, action="decision.propose"), asked)


def _approvers(decision: Decision) -> set[int]:
    memberships = Membership.objects.filter(project_id=decision.project_id)
    leads = set(memberships.filter(role=Role.CLIENT_LEAD).values_list("user_id", flat=True))
    return leads or set(memberships.filter(role=Role.CLIENT).values_list("user_id", flat=True))


def _client_approved(decision: Decision) -> bool:
    approvers = _approvers(decision)
    approved = set(decision.responses.filter(kind=ResponseKind.APPROVED).values_list("user_id", flat=True))
    objected = decision.responses.filter(kind=ResponseKind.OBJECTED, user_id__in=approvers).exists()
    return bool(approvers) and approvers <= approved and not objected


def _by_manager(decision: Decision) -> bool:
    """Whether the decision was logged by a manager of the project (not proposed by a team member)."""
    if decision.recorded_by_id == decision.project.manager_id:
        return True
    return Membership.objects.filter(project_id=decision.project_id, user_id=decision.recorded_by_id, role=Role.MANAGER).exists()


def _require_proposed(decision: Decision) -> None:
    if decision.status != DecisionStatus.PROPOSED:
        raise ApplicationError(
            _("This decision is %(status)s, not proposed.") % {"status": decision.get_status_display()}, code="decision_state"
        )


@transaction.atomic
def decision_approve(*, actor: User, decision: Decision) -> Decision:
    """The manager approves a proposal. One that needs the client's approval must have it first."""
    decision = _locked(decision)
    access = project_access(user=actor, project=decision.project)
    require(access.can_record_decisions)
    _require_proposed(decision)
    if decision.involvement == Involvement.APPROVAL and not _client_approved(decision):
        raise ApplicationError(_("The client has not approved this decision yet."), code="awaiting_client")
    before = snapshot(decision, TRACKED)
    decision.status, decision.decided_by, decision.decided_on = DecisionStatus.APPROVED, actor, timezone.localdate()
    asked = _ask_client(decision)
    return _notify(_save(decision, actor=actor, action="decision.approve", before=before), asked)


@transaction.atomic
def decision_reject(*, actor: User, decision: Decision) -> Decision:
    decision = _locked(decision)
    access = project_access(user=actor, project=decision.project)
    require(access.can_record_decisions)
    _require_proposed(decision)
    before = snapshot(decision, TRACKED)
    decision.status, decision.decided_by, decision.decided_on = DecisionStatus.REJECTED, actor, timezone.localdate()
    return _save(decision, actor=actor, action="decision.reject", before=before)


@transaction.atomic
def decision_supersede(*, actor: User, decision: Decision, successor: Decision) -> Decision:
    """Mark `decision` superseded by `successor` (same project, itself still live)."""
    decision = _locked(decision)
    access = project_access(user=actor, project=decision.project)
    require(access.can_record_decisions)
    successor = Decision.objects.get(pk=successor.pk)
    if successor.pk == decision.pk:
        raise ValidationError({"successor": _("A decision cannot supersede itself.")})
    if successor.project_id != decision.project_id:
        raise ValidationError({"successor": NO_SUCH_DECISION})
    if decision.status not in LIVE:
        raise ApplicationError(
            _("This decision is %(status)s; it cannot be superseded.") % {"status": decision.get_status_display()},
            code="decision_state",
        )
    if successor.status not in LIVE:
        raise ValidationError({"successor": _("The new decision is no longer live.")})
    before = snapshot(decision, TRACKED)
    decision.status, decision.superseded_by = DecisionStatus.SUPERSEDED, successor
    return _save(decision, actor=actor, action="decision.supersede", before=before)


@transaction.atomic
def decision_respond(*, actor: User, decision: Decision, kind: str, comment: str = "", via: str = "portal") -> DecisionResponse:
    """A client person acknowledges, approves or objects to a decision; once per person."""
    decision = _locked(decision)
    access = project_access(user=actor, project=decision.project)
    if not access.can_respond_to(decision):
        raise PermissionDenied(_("Only the client people asked can answer this decision."))
    if kind not in ResponseKind.values:
        raise ValidationError({"kind": _("Answer acknowledged, approved or objected.")})
    if decision.status not in LIVE:
        raise ApplicationError(
            _("This decision is %(status)s; it no longer takes answers.") % {"status": decision.get_status_display()},
            code="decision_state",
        )
    if kind == ResponseKind.APPROVED and decision.involvement != Involvement.APPROVAL:
        raise ValidationError({"kind": _("This decision does not ask for approval; acknowledge it instead.")})
    response = DecisionResponse(decision=decision, user=actor, kind=kind, comment=(comment or "").strip(), via=via[:12])
    response.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise ApplicationError(_("You have already answered this decision."), code="already_answered")
    before = snapshot(decision, TRACKED)
    if decision.involvement == Involvement.APPROVAL:
        if kind == ResponseKind.OBJECTED:
            decision.status = DecisionStatus.PROPOSED
        elif decision.status == DecisionStatus.PROPOSED and _by_manager(decision) and _client_approved(decision):
            decision.status, decision.decided_on = DecisionStatus.APPROVED, timezone.localdate()
            decision.decided_by_id = decision.decided_by_id or decision.recorded_by_id
    _save(decision, actor=actor, action="decision.respond", before=before,
          extra={"response": {"old": None, "new": kind}, "person": actor.pk, "via": response.via})
    return response
