"""Tasks tab: list, board, filters, inline create / edit / assign, complete, cancel, the task page; refusals change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import AuditEvent, Task
from tests import factories as f


def _url(name, world, *args):
    return reverse(name, args=[world.project.slug, *args])


def test_list_shows_open_tasks_with_side_owner_and_report_marker(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client, title="Send the brand book")
    Task.objects.filter(pk=task.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    f.TaskFactory(project=world.project, owner=world.team, title="Finished thing", status="done")
    client.force_login(world.manager)

    response = client.get(_url("projects:tasks", world))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Send the brand book" in body and "Finished thing" not in body
    assert "Boris Client" in body
    assert "report due" in body


def test_filters_by_side_owner_and_overdue(client, world):
    f.TaskFactory(project=world.project, owner=world.client, title="Client late", due_date=timezone.localdate() - dt.timedelta(days=3))
    f.TaskFactory(project=world.project, owner=world.client, title="Client fine")
    f.TaskFactory(project=world.project, owner=world.team, title="Team work")
    client.force_login(world.manager)

    by_side = client.get(_url("projects:tasks", world), {"side": "team"}).context["tasks"]
    by_owner = client.get(_url("projects:tasks", world), {"owner": world.client.pk}).context["tasks"]
    overdue = client.get(_url("projects:tasks", world), {"overdue": "on"}).context["tasks"]

    assert [t.title for t in by_side] == ["Team work"]
    assert {t.title for t in by_owner} == {"Client late", "Client fine"}
    assert [t.title for t in overdue] == ["Client late"]


def test_board_groups_by_status(client, world):
    f.TaskFactory(project=world.project, owner=world.team, title="Doing", status="in_progress")
    f.TaskFactory(project=world.project, owner=world.team, title="Done one", status="done")
    client.force_login(world.team)
    response = client.get(_url("projects:tasks", world), {"view": "board"})
    columns = dict(response.context["columns"])
    assert [t.title for t in columns["in_progress"]] == ["Doing"]
    assert [t.title for t in columns["done"]] == ["Done one"]


def test_client_never_sees_internal_tasks(client, world):
    f.TaskFactory(project=world.project, owner=world.team, title="SECRET-MARKER refactor", internal=True)
    client.force_login(world.client)
    response = client.get(_url("projects:tasks", world))
    assert response.status_code == 200
    assert "SECRET-MARKER" not in response.content.decode()


def test_manager_creates_a_task_for_the_client(client, world):
    client.force_login(world.manager)
    response = client.post(
        _url("projects:task-new", world),
        {"title": "Approve the wireframes", "owner": world.client.pk, "priority": "high", "report_cadence_days": 7, "due_date": "2030-01-10"},
    )
    task = Task.objects.get(title="Approve the wireframes")
    assert response.status_code == 302
    assert response["Location"] == _url("projects:task", world, task.pk)
    assert task.owner == world.client and task.side == "client" and task.priority == "high"
    assert AuditEvent.objects.filter(object_type="task", object_id=str(task.pk)).exists()


def test_create_with_htmx_redirects_the_page(client, world):
    client.force_login(world.team)
    response = client.post(
        _url("projects:task-new", world),
        {"title": "Prepare demo", "owner": world.team.pk, "priority": "normal", "report_cadence_days": 7},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"]
    assert Task.objects.filter(title="Prepare demo").exists()


def test_invalid_create_shows_errors_next_to_fields_and_keeps_input(client, world):
    client.force_login(world.manager)
    response = client.post(_url("projects:task-new", world), {"title": "Keep me", "owner": "", "report_cadence_days": 0})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_owner_error"' in body and 'id="id_report_cadence_days_error"' in body
    assert 'value="Keep me"' in body
    assert not Task.objects.filter(title="Keep me").exists()


def test_internal_client_task_is_refused_by_the_form(client, world):
    client.force_login(world.manager)
    response = client.post(
        _url("projects:task-new", world),
        {"title": "Hidden", "owner": world.client.pk, "priority": "normal", "report_cadence_days": 7, "internal": "on"},
    )
    assert response.status_code == 400
    assert not Task.objects.filter(title="Hidden").exists()


@pytest.mark.parametrize(("persona", "status"), [("client", 403), ("outsider", 404), ("other_client", 404)])
def test_people_without_the_right_cannot_create(client, world, persona, status):
    client.force_login(world.persona(persona))
    response = client.post(
        _url("projects:task-new", world), {"title": "Sneaky", "owner": world.client.pk, "priority": "normal", "report_cadence_days": 7}
    )
    assert response.status_code == status
    assert not Task.objects.filter(title="Sneaky").exists()


def test_inline_edit_returns_the_updated_row(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client, title="Old title")
    client.force_login(world.manager)
    form = client.get(_url("projects:task-edit", world, task.pk), HTTP_HX_REQUEST="true")
    assert 'name="title"' in form.content.decode()
    response = client.post(
        _url("projects:task-edit", world, task.pk),
        {"title": "New title", "priority": "urgent", "report_cadence_days": 3, "version": task.version},
        HTTP_HX_REQUEST="true",
    )
    task.refresh_from_db()
    assert response.status_code == 200
    assert f'id="task-{task.pk}"' in response.content.decode() and "New title" in response.content.decode()
    assert (task.title, task.priority, task.report_cadence_days) == ("New title", "urgent", 3)


def test_stale_edit_is_refused_with_a_message(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client, title="Original")
    client.force_login(world.manager)
    response = client.post(
        _url("projects:task-edit", world, task.pk),
        {"title": "Mine", "priority": "normal", "report_cadence_days": 7, "version": task.version + 5},
    )
    task.refresh_from_db()
    assert response.status_code == 400
    assert task.title == "Original"


def test_client_cannot_edit_a_team_task(client, world):
    task = f.TaskFactory(project=world.project, owner=world.team, title="Team owned")
    client.force_login(world.client_lead)
    response = client.post(_url("projects:task-edit", world, task.pk), {"title": "Hijack", "priority": "normal", "report_cadence_days": 7})
    task.refresh_from_db()
    assert response.status_code == 403
    assert task.title == "Team owned"


def test_assign_moves_the_task_to_another_member(client, world):
    task = f.TaskFactory(project=world.project, owner=world.team)
    client.force_login(world.manager)
    response = client.post(_url("projects:task-assign", world, task.pk), {"owner": world.client_lead.pk})
    task.refresh_from_db()
    assert response.status_code == 302
    assert task.owner == world.client_lead and task.side == "client"


def test_assign_to_an_outsider_changes_nothing(client, world):
    task = f.TaskFactory(project=world.project, owner=world.team)
    client.force_login(world.manager)
    client.post(_url("projects:task-assign", world, task.pk), {"owner": world.outsider.pk})
    task.refresh_from_db()
    assert task.owner == world.team


def test_complete_and_cancel(client, world):
    done = f.TaskFactory(project=world.project, owner=world.team)
    dropped = f.TaskFactory(project=world.project, owner=world.team)
    client.force_login(world.manager)
    client.post(_url("projects:task-complete", world, done.pk))
    client.post(_url("projects:task-cancel", world, dropped.pk), {"reason": "Out of scope"})
    done.refresh_from_db()
    dropped.refresh_from_db()
    assert done.status == "done" and dropped.status == "cancelled"


def test_plain_client_cannot_cancel(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    client.force_login(world.client)
    response = client.post(_url("projects:task-cancel", world, task.pk), {"reason": "no"})
    task.refresh_from_db()
    assert response.status_code == 403
    assert task.status == "todo"


def test_task_page_shows_the_report_history_as_a_timeline(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client, title="Content migration")
    f.ProgressReportFactory(task=task, percent=30, note="Started the export")
    f.ProgressReportFactory(task=task, percent=60, note="Half way", state="at_risk")
    client.force_login(world.manager)
    response = client.get(_url("projects:task", world, task.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Half way") < body.index("Started the export")
    assert 'class="timeline"' in body


def test_internal_task_page_is_404_for_clients(client, world):
    task = f.TaskFactory(project=world.project, owner=world.team, internal=True)
    client.force_login(world.client_lead)
    assert client.get(_url("projects:task", world, task.pk)).status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("view", ["list", "board"])
def test_task_list_query_count_does_not_grow(client, world, view):
    client.force_login(world.manager)
    url = _url("projects:tasks", world) + f"?view={view}"
    for _ in range(3):
        f.TaskFactory(project=world.project, owner=world.client)
    few = _queries(client, url)
    for _ in range(40):
        f.TaskFactory(project=world.project, owner=f.ClientUserFactory(organisation=world.project.client))
    many = _queries(client, url)
    assert few == many


def test_inline_assign_from_the_edit_row_returns_the_row(client, world):
    task = f.TaskFactory(project=world.project, owner=world.team, title="Hand over")
    client.force_login(world.manager)
    edit_row = client.get(_url("projects:task-edit", world, task.pk), HTTP_HX_REQUEST="true").content.decode()
    assert _url("projects:task-assign", world, task.pk) in edit_row
    response = client.post(_url("projects:task-assign", world, task.pk), {"owner": world.client.pk}, HTTP_HX_REQUEST="true")
    task.refresh_from_db()
    assert response.status_code == 200 and f'id="task-{task.pk}"' in response.content.decode()
    assert task.owner == world.client
