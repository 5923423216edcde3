"""The one rule "client people never see internal items", as QuerySet methods on every model with the flag."""

import pytest

from engagement.models import Decision
from projects.models import AuditEvent, Risk, Role, Task
from projects.permissions import ProjectAccess
from tests import factories as f

pytestmark = pytest.mark.django_db


FACTORIES = {Task: f.TaskFactory, Risk: f.RiskFactory, Decision: f.DecisionFactory, AuditEvent: f.AuditEventFactory}


def _pair(model, project):
    """One internal and one client-visible row of `model` in `project`."""
    factory = FACTORIES[model]
    return factory(project=project, internal=True), factory(project=project, internal=False)


@pytest.mark.parametrize("model", [Task, Risk, Decision, AuditEvent])
@pytest.mark.parametrize(("role", "sees_internal"), [
    (Role.MANAGER, True), (Role.TEAM, True), (Role.CLIENT_LEAD, False), (Role.CLIENT, False),
])
def test_visible_to_follows_the_role(model, role, sees_internal):
    project = f.ProjectFactory()
    hidden, shown = _pair(model, project)
    access = ProjectAccess(project=project, user=project.manager, role=role)

    rows = set(model.objects.filter(project=project).visible_to(access))

    assert rows == ({hidden, shown} if sees_internal else {shown})


@pytest.mark.parametrize("model", [Task, Risk, Decision, AuditEvent])
def test_visible_to_clients_leaves_out_internal_rows(model):
    project = f.ProjectFactory()
    _hidden, shown = _pair(model, project)

    assert list(model.objects.filter(project=project).visible_to_clients()) == [shown]


def test_related_managers_carry_the_methods():
    meeting = f.MeetingFactory()
    hidden = f.TaskFactory(project=meeting.project, internal=True)
    shown = f.TaskFactory(project=meeting.project, internal=False)
    meeting.outcome_tasks.add(hidden, shown)
    client_access = ProjectAccess(project=meeting.project, user=meeting.project.manager, role=Role.CLIENT)

    assert list(meeting.outcome_tasks.visible_to_clients()) == [shown]
    assert list(meeting.outcome_tasks.visible_to(client_access)) == [shown]
    assert set(meeting.outcome_tasks.visible_to(ProjectAccess(project=meeting.project, user=None, role=Role.TEAM))) == {
        hidden, shown
    }
