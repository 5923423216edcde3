"""Every access function × every persona, per product.md's "Who may do what": 404 / 403 / allowed.

"404" is `Http404` from the access function (outside the project, a missing object, or an
internal item for client people); "403" is `PermissionDenied` from `require(flag)` for a
member whose role is too low; "ok" is allowed.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from engagement.permissions import decision_access, meeting_access, plan_access, series_access, stakeholder_access
from projects.models import Membership, Role
from projects.permissions import (
    membership_access,
    object_access,
    project_access,
    require,
    risk_access,
    task_access,
)
from tests import factories as f
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

OUTSIDE = {"anonymous": "404", "outsider": "404", "other_client": "404"}
MEMBERS_SEE = {**OUTSIDE, "client": "ok", "client_lead": "ok", "team": "ok", "manager": "ok"}
STAFF_ONLY = {**OUTSIDE, "client": "404", "client_lead": "404", "team": "ok", "manager": "ok"}


def _user(world, persona):
    return world.persona(persona) or AnonymousUser()


def _outcome(call):
    try:
        call()
    except Http404:
        return "404"
    except PermissionDenied:
        return "403"
    return "ok"


def _objects(world):
    """name → (call(user), expected by persona)."""
    p = world.project
    task = f.TaskFactory(project=p, owner=world.client)
    internal_task = f.TaskFactory(project=p, owner=world.team, internal=True)
    risk = f.RiskFactory(project=p)
    internal_risk = f.RiskFactory(project=p, internal=True)
    membership = Membership.objects.get(project=p, user=world.client)
    series = f.MeetingSeriesFactory(project=p)
    meeting = f.MeetingFactory(project=p, series=series)
    decision = f.DecisionFactory(project=p)
    internal_decision = f.DecisionFactory(project=p, internal=True)
    stakeholder = f.StakeholderFactory(plan=f.CommunicationPlanFactory(project=p), user=world.team)
    other_task = f.TaskFactory(project=world.other_project, owner=world.manager)
    return {
        "project_access(slug)": (lambda u: project_access(user=u, slug=p.slug), MEMBERS_SEE),
        "project_access(project_id)": (lambda u: project_access(user=u, project_id=p.pk), MEMBERS_SEE),
        "project_access(project)": (lambda u: project_access(user=u, project=p), MEMBERS_SEE),
        "project_access(missing)": (lambda u: project_access(user=u, slug="no-such-project"), {k: "404" for k in PERSONAS}),
        "task_access": (lambda u: task_access(user=u, task_id=task.pk, slug=p.slug), MEMBERS_SEE),
        "task_access(internal)": (lambda u: task_access(user=u, task_id=internal_task.pk, slug=p.slug), STAFF_ONLY),
        "task_access(other project's task via this project)": (
            lambda u: task_access(user=u, task_id=other_task.pk, slug=p.slug),
            {k: "404" for k in PERSONAS},
        ),
        "task_access(missing task)": (lambda u: task_access(user=u, task_id=10**9, slug=p.slug), {k: "404" for k in PERSONAS}),
        "task_access(missing project)": (
            lambda u: task_access(user=u, task_id=task.pk, slug="no-such-project"),
            {k: "404" for k in PERSONAS},
        ),
        "risk_access": (lambda u: risk_access(user=u, risk_id=risk.pk), MEMBERS_SEE),
        "risk_access(internal)": (lambda u: risk_access(user=u, risk_id=internal_risk.pk), STAFF_ONLY),
        "membership_access": (lambda u: membership_access(user=u, membership_id=membership.pk), MEMBERS_SEE),
        "membership_access(other project)": (
            lambda u: membership_access(user=u, membership_id=membership.pk, project=world.other_project),
            {k: "404" for k in PERSONAS},
        ),
        "object_access(task)": (lambda u: object_access(user=u, model=type(task), pk=task.pk), MEMBERS_SEE),
        "meeting_access": (lambda u: meeting_access(user=u, meeting_id=meeting.pk), MEMBERS_SEE),
        "meeting_access(missing)": (lambda u: meeting_access(user=u, meeting_id=10**9), {k: "404" for k in PERSONAS}),
        "series_access": (lambda u: series_access(user=u, series_id=series.pk), MEMBERS_SEE),
        "decision_access": (lambda u: decision_access(user=u, decision_id=decision.pk), MEMBERS_SEE),
        "decision_access(internal)": (lambda u: decision_access(user=u, decision_id=internal_decision.pk), STAFF_ONLY),
        "plan_access": (lambda u: plan_access(user=u, project=p), MEMBERS_SEE),
        "plan_access(slug)": (lambda u: plan_access(user=u, slug=p.slug), MEMBERS_SEE),
        "stakeholder_access": (lambda u: stakeholder_access(user=u, stakeholder_id=stakeholder.pk), MEMBERS_SEE),
        "stakeholder_access(other project)": (
            lambda u: stakeholder_access(user=u, stakeholder_id=stakeholder.pk, project=world.other_project),
            {k: "404" for k in PERSONAS},
        ),
    }


def test_every_access_function_against_every_persona(world):
    failures = []
    for name, (call, expected) in _objects(world).items():
        for persona in PERSONAS:
            got = _outcome(lambda: call(_user(world, persona)))  # noqa: B023
            if got != expected[persona]:
                failures.append(f"{name} as {persona}: expected {expected[persona]}, got {got}")
    assert failures == []


# --- the action table: members get 403 where their role is too low -------------------------

ROLES = ("client", "client_lead", "team", "manager")


def _flag_table(world):
    """Flag → who may (everyone else in the project gets 403). From product.md's table."""
    return {
        "can_see_internal": {"team", "manager"},
        "can_see_health": {"team", "manager"},
        "can_edit_project": {"manager"},
        "can_edit_plan": {"manager"},
        "can_manage_people": {"manager"},
        "can_create_tasks": {"client_lead", "team", "manager"},
        "can_manage_meetings": {"team", "manager"},
        "can_record_decisions": {"manager"},
        "can_propose_decisions": {"team", "manager"},
        "can_sign_off_plan": {"client_lead"},
        "can_raise_risks": {"client", "client_lead", "team", "manager"},
    }


@pytest.mark.parametrize("persona", ROLES)
def test_capability_flags_per_role(world, persona):
    access = project_access(user=world.persona(persona), project=world.project)
    for flag, allowed in _flag_table(world).items():
        expected = "ok" if persona in allowed else "403"
        assert _outcome(lambda: require(getattr(access, flag))) == expected, flag  # noqa: B023


@pytest.mark.parametrize(
    ("persona", "owner", "expected"),
    [
        ("manager", "client", "ok"),
        ("manager", "team", "ok"),
        ("team", "client_lead", "ok"),
        ("team", "manager", "ok"),
        ("client_lead", "client", "ok"),
        ("client_lead", "client_lead", "ok"),
        ("client_lead", "team", "403"),
        ("client_lead", "manager", "403"),
        ("client", "client", "403"),
        ("client", "client_lead", "403"),
    ],
)
def test_assign_to(world, persona, owner, expected):
    access = project_access(user=world.persona(persona), project=world.project)
    owner_user = world.persona(owner)
    role = Membership.objects.get(project=world.project, user=owner_user).role
    assert _outcome(lambda: require(access.can_assign_to(role, owner_user))) == expected


def test_client_lead_cannot_assign_to_another_companys_client(world):
    access = project_access(user=world.client_lead, project=world.project)
    assert _outcome(lambda: require(access.can_assign_to(Role.CLIENT, world.other_client))) == "403"
    assert _outcome(lambda: require(access.can_assign_to(None, world.client))) == "403"


@pytest.mark.parametrize(
    ("persona", "owner", "expected"),
    [
        ("manager", "client", "ok"),
        ("manager", "team", "ok"),
        ("team", "team", "ok"),
        ("team", "client", "403"),
        ("team", "manager", "403"),
        ("client_lead", "client", "ok"),
        ("client_lead", "client_lead", "ok"),
        ("client_lead", "team", "403"),
        ("client", "client", "ok"),
        ("client", "client_lead", "403"),
        ("client", "team", "403"),
    ],
)
def test_report_on(world, persona, owner, expected):
    task = f.TaskFactory(project=world.project, owner=world.persona(owner))
    access = project_access(user=world.persona(persona), project=world.project)
    assert _outcome(lambda: require(access.can_report_on(task))) == expected


@pytest.mark.parametrize(
    ("persona", "owner", "expected"),
    [
        ("manager", "team", "ok"),
        ("team", "client", "ok"),
        ("client_lead", "client", "ok"),
        ("client_lead", "team", "403"),
        ("client", "client", "403"),
    ],
)
def test_edit_task(world, persona, owner, expected):
    task = f.TaskFactory(project=world.project, owner=world.persona(owner))
    access = project_access(user=world.persona(persona), project=world.project)
    assert _outcome(lambda: require(access.can_edit_task(task))) == expected


@pytest.mark.parametrize(
    ("persona", "involvement", "internal", "expected"),
    [
        ("manager", "approval", False, "403"),
        ("team", "consulted", False, "403"),
        ("client_lead", "informed", False, "ok"),
        ("client_lead", "approval", False, "ok"),
        ("client", "informed", False, "403"),
        ("client", "consulted", False, "ok"),
        ("client", "approval", False, "ok"),
        ("client_lead", "informed", True, "403"),
    ],
)
def test_respond_to_decision(world, persona, involvement, internal, expected):
    decision = f.DecisionFactory(project=world.project, involvement=involvement, internal=internal)
    access = project_access(user=world.persona(persona), project=world.project)
    assert _outcome(lambda: require(access.can_respond_to(decision))) == expected


@pytest.mark.parametrize(
    ("persona", "raised_by", "expected"),
    [
        ("manager", "client", "ok"),
        ("team", "client", "ok"),
        ("client_lead", "client_lead", "ok"),
        ("client_lead", "manager", "403"),
        ("client", "client", "ok"),
        ("client", "client_lead", "403"),
    ],
)
def test_edit_risk(world, persona, raised_by, expected):
    risk = f.RiskFactory(project=world.project, raised_by=world.persona(raised_by))
    access = project_access(user=world.persona(persona), project=world.project)
    assert _outcome(lambda: require(access.can_edit_risk(risk))) == expected


def test_superuser_outside_the_project_acts_as_manager(world):
    admin = f.StaffFactory(is_superuser=True, is_staff=True)
    assert project_access(user=admin, project=world.project).role == Role.MANAGER


def test_inactive_member_gets_404(world):
    world.client.is_active = False
    world.client.save()
    assert _outcome(lambda: project_access(user=world.client, project=world.project)) == "404"


def test_task_access_by_slug_loads_task_owner_project_and_role_in_one_query(world, django_assert_num_queries):
    task = f.TaskFactory(project=world.project, owner=world.client, side="client")

    with django_assert_num_queries(1):
        found, access = task_access(user=world.client_lead, task_id=task.pk, slug=world.project.slug)
        # everything the report and task pages read of it, with no further query
        assert (found.pk, found.owner.organisation_id, found.project.slug) == (task.pk, world.client.organisation_id, world.project.slug)
        assert (found.project.client.name, found.project.manager.email) == (world.project.client.name, world.project.manager.email)
    assert access.role == Role.CLIENT_LEAD
    assert access.can_report_on(found)
    assert found.last_reported_at == task.last_reported_at and found.created_at == task.created_at


def test_task_access_by_slug_lets_a_superuser_in_as_manager_and_keeps_an_inactive_member_out(world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    admin = f.StaffFactory(is_superuser=True)

    assert task_access(user=admin, task_id=task.pk, slug=world.project.slug)[1].role == Role.MANAGER

    world.client.is_active = False
    world.client.save(update_fields=["is_active"])
    with pytest.raises(Http404):
        task_access(user=world.client, task_id=task.pk, slug=world.project.slug)
