"""Every change to tasks, decisions, the plan, meetings and memberships is in the audit log (actor, time,
old and new values); what a client has seen is archived, never hard-deleted."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone

from engagement.models import Decision, DecisionResponse, Digest
from engagement.services import decisions, meetings, plan
from projects.models import AuditEvent, Membership, ProgressReport, Role
from projects.services import memberships, risks, tasks
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
SERVICE_MODULES = [
    "projects/services/tasks.py",
    "projects/services/memberships.py",
    "projects/services/invitations.py",
    "projects/services/projects.py",
    "projects/services/reports.py",
    "projects/services/risks.py",
    "engagement/services/plan.py",
    "engagement/services/meetings.py",
    "engagement/services/series.py",
    "engagement/services/decisions.py",
]
# Services that take an actor but change nothing that is audited (they only read or send).
NOT_A_CHANGE: set[str] = set()
# The only hard deletes in the services: none of them removes something a client has seen as a record.
ALLOWED_DELETES = {
    ("projects/services/memberships.py", "membership_remove"),  # the role row; the audit keeps who and when
    ("engagement/services/plan.py", "stakeholder_remove"),  # a plan row; plan versions keep the signed-off text
    ("engagement/services/series.py", "series_update"),  # future attendance rows of people taken off a series
}


def _functions():
    for rel in SERVICE_MODULES:
        tree = ast.parse((ROOT / rel).read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                yield rel, node


def _calls(node: ast.AST) -> set[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            names.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    return names


def _takes_actor(node: ast.FunctionDef) -> bool:
    return any(a.arg == "actor" for a in node.args.kwonlyargs)


def test_every_service_that_takes_an_actor_writes_the_audit_log():
    calls = {node.name: _calls(node) for _rel, node in _functions()}

    def audits(name: str, seen: frozenset = frozenset()) -> bool:
        if name in seen or name not in calls:
            return False
        direct = calls[name]
        return "audit_record" in direct or any(audits(c, seen | {name}) for c in direct)

    services = [(rel, node.name) for rel, node in _functions() if _takes_actor(node) and not node.name.startswith("_")]
    missing = [f"{rel}:{name}" for rel, name in services if name not in NOT_A_CHANGE and not audits(name)]
    assert len(services) > 30
    assert not missing, f"services without an audit record: {missing}"


def test_no_service_hard_deletes_what_a_client_has_seen():
    deletes = set()
    for rel, node in _functions():
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and getattr(sub.func, "attr", "") == "delete":
                deletes.add((rel, node.name))
    assert deletes <= ALLOWED_DELETES, f"new hard deletes in services: {sorted(deletes - ALLOWED_DELETES)}"


@pytest.mark.parametrize("model", [ProgressReport, Digest, DecisionResponse, AuditEvent])
def test_the_admin_cannot_delete_client_seen_records(model, db):
    superuser = f.StaffFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]

    assert model_admin.has_delete_permission(request) is False
    assert model_admin.has_delete_permission(request, obj=None) is False


def _last_event(action_prefix: str) -> AuditEvent:
    return AuditEvent.objects.filter(action__startswith=action_prefix).order_by("-at", "-id").first()


def _assert_event(event: AuditEvent | None, actor, field: str, old, new) -> None:
    assert event is not None
    assert event.actor_id == actor.pk
    assert abs((timezone.now() - event.at).total_seconds()) < 60
    change = event.changes[field]
    assert (change["old"], change["new"]) == (old, new), event.changes


@pytest.mark.django_db
def test_changes_record_actor_time_and_old_and_new_values(world, django_capture_on_commit_callbacks):
    p, manager = world.project, world.manager
    task = f.TaskFactory(project=p, owner=world.team, title="Old title")
    risk = f.RiskFactory(project=p, title="Old risk")
    meeting = f.MeetingFactory(project=p, agenda="Old agenda")
    membership = Membership.objects.get(project=p, user=world.client)
    decision = f.DecisionFactory(project=p, status="proposed", recorded_by=world.team)
    plan.plan_get_or_create(project=p)
    new_start = (meeting.starts_at + dt.timedelta(days=1)).replace(microsecond=0)

    with django_capture_on_commit_callbacks(execute=False):
        tasks.task_update(actor=manager, task=task, title="New title")
        _assert_event(_last_event("task."), manager, "title", "Old title", "New title")

        tasks.task_assign(actor=manager, task=task, owner=world.client)
        _assert_event(_last_event("task."), manager, "owner", world.team.pk, world.client.pk)

        risks.risk_update(actor=manager, risk=risk, title="New risk")
        _assert_event(_last_event("risk."), manager, "title", "Old risk", "New risk")

        memberships.membership_change(actor=manager, membership=membership, role=Role.CLIENT_LEAD)
        _assert_event(_last_event("membership."), manager, "role", Role.CLIENT, Role.CLIENT_LEAD)

        plan.plan_update(actor=manager, project=p, expectations="Fridays")
        _assert_event(_last_event("plan."), manager, "expectations", "", "Fridays")

        meetings.meeting_update_agenda(actor=manager, meeting=meeting, agenda="New agenda")
        _assert_event(_last_event("meeting."), manager, "agenda", "Old agenda", "New agenda")

        meetings.meeting_reschedule(actor=manager, meeting=meeting, starts_at=new_start)
        event = _last_event("meeting.")
        assert event.actor_id == manager.pk and "starts_at" in event.changes

        decisions.decision_approve(actor=manager, decision=decision)
        _assert_event(_last_event("decision."), manager, "status", "proposed", "approved")

    assert Decision.objects.get(pk=decision.pk).status == "approved"
