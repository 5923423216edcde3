"""Every workspace page renders for the manager, the team member and a client person of the project."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories as f


@pytest.fixture
def filled(world):
    p = world.project
    task = f.TaskFactory(project=p, owner=world.client, title="Upload the logo")
    f.ProgressReportFactory(task=task)
    f.TaskFactory(project=p, owner=world.team, title="Internal refactor", internal=True)
    f.RiskFactory(project=p, title="Vendor delay")
    plan = f.CommunicationPlanFactory(project=p)
    f.StakeholderFactory(plan=plan, user=world.manager, is_primary=True)
    meeting = f.MeetingFactory(project=p, title="Kick-off")
    f.AttendanceFactory(meeting=meeting, user=world.client)
    decision = f.DecisionFactory(project=p, title="Use Postgres", involvement="approval")
    f.AuditEventFactory(project=p, actor=world.manager, object_repr="Upload the logo", changes={"due_date": {"old": "2026-12-01", "new": "2026-12-08"}})
    return {"task": task, "meeting": meeting, "decision": decision, "plan": plan}


def _urls(slug, objs):
    return [
        reverse("home"),
        reverse("projects:create"),
        reverse("projects:overview", args=[slug]),
        reverse("projects:edit", args=[slug]),
        reverse("projects:tasks", args=[slug]),
        reverse("projects:tasks", args=[slug]) + "?view=board",
        reverse("projects:task-new", args=[slug]),
        reverse("projects:task", args=[slug, objs["task"].pk]),
        reverse("projects:task-edit", args=[slug, objs["task"].pk]),
        reverse("projects:risks", args=[slug]),
        reverse("projects:people", args=[slug]),
        reverse("projects:activity", args=[slug]),
        reverse("engagement:plan", args=[slug]),
        reverse("engagement:plan-edit", args=[slug]),
        reverse("engagement:plan-print", args=[slug]),
        reverse("engagement:stakeholder-new", args=[slug]),
        reverse("engagement:meetings", args=[slug]),
        reverse("engagement:series-new", args=[slug]),
        reverse("engagement:meeting", args=[slug, objs["meeting"].pk]),
        reverse("engagement:meeting-agenda-draft", args=[slug, objs["meeting"].pk]),
        reverse("engagement:overview-meeting", args=[slug]),
        reverse("engagement:overview-decisions", args=[slug]),
        reverse("engagement:decisions", args=[slug]),
        reverse("engagement:decision-new", args=[slug]),
        reverse("engagement:decision", args=[slug, objs["decision"].pk]),
    ]


def test_manager_sees_every_page(client, world, filled):
    client.force_login(world.manager)
    for url in _urls(world.project.slug, filled):
        response = client.get(url)
        assert response.status_code == 200, url
