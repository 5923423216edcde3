"""Status matrix of the workspace pages (GET) per persona; manager-only forms refuse team and client people.

anonymous → log-in redirect; outsider and a client of another project → 404; members → 200, or 403
where their role may not use the page. Clients see the same tabs without Activity and Health.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories as f

ANY = {"client": 200, "client_lead": 200, "team": 200, "manager": 200}
STAFF = {"client": 403, "client_lead": 403, "team": 200, "manager": 200}
MANAGER = {"client": 403, "client_lead": 403, "team": 403, "manager": 200}
CREATORS = {"client": 403, "client_lead": 200, "team": 200, "manager": 200}

PAGES = [
    ("projects:overview", (), ANY),
    ("projects:edit", (), MANAGER),
    ("projects:tasks", (), ANY),
    ("projects:task-new", (), CREATORS),
    ("projects:task", ("task",), ANY),
    ("projects:task-edit", ("task",), {**CREATORS, "client_lead": 200}),
    ("projects:risks", (), ANY),
    ("projects:risk", ("risk",), STAFF),
    ("projects:people", (), ANY),
    ("projects:activity", (), STAFF),
    ("engagement:plan", (), ANY),
    ("engagement:plan-edit", (), MANAGER),
    ("engagement:plan-print", (), ANY),
    ("engagement:stakeholder-new", (), MANAGER),
    ("engagement:stakeholder-edit", ("stakeholder",), MANAGER),
    ("engagement:meetings", (), ANY),
    ("engagement:series-new", (), STAFF),
    ("engagement:meeting", ("meeting",), ANY),
    ("engagement:meeting-agenda-draft", ("meeting",), STAFF),
    ("engagement:overview-meeting", (), ANY),
    ("engagement:overview-decisions", (), ANY),
    ("engagement:decisions", (), ANY),
    ("engagement:decision-new", (), STAFF),
    ("engagement:decision", ("decision",), ANY),
]


@pytest.fixture
def objects(world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    plan = f.CommunicationPlanFactory(project=world.project)
    return {
        "task": task.pk,
        "risk": f.RiskFactory(project=world.project).pk,
        "stakeholder": f.StakeholderFactory(plan=plan, user=world.manager).pk,
        "meeting": f.MeetingFactory(project=world.project).pk,
        "decision": f.DecisionFactory(project=world.project).pk,
    }


@pytest.mark.parametrize(("name", "args", "expected"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("persona", ["anonymous", "outsider", "other_client", "client", "client_lead", "team", "manager"])
def test_page_status_per_persona(client, world, objects, name, args, expected, persona):
    user = world.persona(persona)
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=[world.project.slug, *[objects[a] for a in args]])
    response = client.get(url)
    if persona == "anonymous":
        assert response.status_code == 302 and reverse("login") in response["Location"]
    elif persona in ("outsider", "other_client"):
        assert response.status_code == 404
    else:
        assert response.status_code == expected[persona]


def test_clients_see_no_activity_or_health_tab_and_no_internal_controls(client, world, objects):
    client.force_login(world.client)
    body = client.get(reverse("projects:overview", args=[world.project.slug])).content.decode()
    assert reverse("projects:activity", args=[world.project.slug]) not in body
    assert reverse("projects:edit", args=[world.project.slug]) not in body
    assert "health" not in body.lower().split("<main", 1)[1].split("workspace-body", 1)[0]
    tasks = client.get(reverse("projects:tasks", args=[world.project.slug])).content.decode()
    assert "New task" not in tasks
    meetings = client.get(reverse("engagement:meetings", args=[world.project.slug])).content.decode()
    assert "New meeting series" not in meetings


def test_client_lead_edits_only_their_company_tasks(client, world):
    theirs = f.TaskFactory(project=world.project, owner=world.client, title="Theirs")
    ours = f.TaskFactory(project=world.project, owner=world.team, title="Ours")
    client.force_login(world.client_lead)
    body = client.get(reverse("projects:tasks", args=[world.project.slug])).content.decode()
    assert reverse("projects:task-edit", args=[world.project.slug, theirs.pk]) in body
    assert reverse("projects:task-edit", args=[world.project.slug, ours.pk]) not in body


def test_dashboard_and_project_creation_need_a_log_in(client, db):
    for url in (reverse("home"), reverse("projects:create")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
