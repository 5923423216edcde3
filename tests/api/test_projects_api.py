"""Projects, people, tasks, reports, risks and audit through the API: the response and the database."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import AuditEvent, Invitation, Membership, ProgressReport, Project, Risk, Task
from tests import factories as f


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs)


def test_project_list_shows_only_my_projects_with_my_role(api, world):
    f.ProjectFactory(name="Nobody's")
    body = api.as_(world.client_lead).get(url("project-list")).json()
    assert [(p["slug"], p["my_role"]) for p in body["results"]] == [("acme-portal", "client_lead")]
    assert body["count"] == 1


def test_project_list_filters_and_orders(api, world):
    world.other_project.status = "on_hold"
    world.other_project.save()
    client = api.as_(world.manager)
    on_hold = client.get(url("project-list"), {"status": "on_hold"}).json()["results"]
    ordered = client.get(url("project-list"), {"ordering": "-name"}).json()["results"]
    assert [p["slug"] for p in on_hold] == ["globex-erp"]
    assert [p["slug"] for p in ordered] == ["globex-erp", "acme-portal"]


def test_project_create_makes_the_caller_manager(api, world):
    response = api.as_(world.team).post(
        url("project-list"), {"client": world.project.client_id, "name": "Acme app", "target_launch": "2027-05-01"}, format="json"
    )
    assert response.status_code == 201
    project = Project.objects.get(slug=response.json()["slug"])
    assert project.manager == world.team
    assert project.memberships.get().role == "manager"
    assert response.json()["my_role"] == "manager"


def test_project_create_rejects_launch_before_start(api, world):
    response = api.as_(world.manager).post(
        url("project-list"),
        {"client": world.project.client_id, "name": "Backwards", "start_date": "2027-01-01", "target_launch": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Project.objects.filter(name="Backwards").exists()


def test_project_update_and_archive(api, world):
    client = api.as_(world.manager)
    response = client.patch(url("project-detail", slug="acme-portal"), {"status": "on_hold"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "on_hold"
    archived = client.post(url("project-archive", slug="acme-portal"))
    assert archived.json()["archived_at"] is not None
    world.project.refresh_from_db()
    assert world.project.status == "on_hold"
    assert world.project.archived_at is not None
    assert AuditEvent.objects.filter(action="project.archive", project=world.project).exists()


def test_memberships_list_add_change_remove(api, world, objects):
    client = api.as_(world.manager)
    listed = client.get(url("membership-list", slug="acme-portal")).json()
    assert {m["user"]["email"] for m in listed["results"]} == {"pm@example.com", "dev@example.com", "lead@acme.example", "bob@acme.example"}

    added = client.post(url("membership-list", slug="acme-portal"), {"user": objects.newcomer.pk, "role": "team"}, format="json")
    assert added.status_code == 201
    membership = Membership.objects.get(project=world.project, user=objects.newcomer)
    assert membership.role == "team"

    changed = client.patch(url("membership-detail", slug="acme-portal", pk=objects.client_membership.pk), {"role": "client_lead"}, format="json")
    assert changed.json()["role"] == "client_lead"
    objects.client_membership.refresh_from_db()
    assert objects.client_membership.role == "client_lead"

    removed = client.delete(url("membership-detail", slug="acme-portal", pk=membership.pk))
    assert removed.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_membership_of_another_project_is_404_even_for_its_manager(api, world):
    other = world.other_project.memberships.first()
    response = api.as_(world.manager).get(url("membership-detail", slug="acme-portal", pk=other.pk))
    assert response.status_code == 404


def test_client_role_needs_a_client_person(api, world, objects):
    response = api.as_(world.manager).post(url("membership-list", slug="acme-portal"), {"user": objects.newcomer.pk, "role": "client"}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()["fields"]
    assert not Membership.objects.filter(user=objects.newcomer).exists()


def test_invitations_create_resend_revoke(api, world, objects, django_capture_on_commit_callbacks):
    client = api.as_(world.manager)
    with django_capture_on_commit_callbacks() as callbacks:
        created = client.post(url("invitation-list", slug="acme-portal"), {"email": "Olga@Acme.example", "role": "client"}, format="json")
    assert created.status_code == 201
    invitation = Invitation.objects.get(email="olga@acme.example")
    assert created.json()["is_pending"] is True
    assert len(callbacks) == 1

    resent = client.post(url("invitation-resend", slug="acme-portal", pk=invitation.pk))
    assert resent.json()["sent_count"] == 2
    revoked = client.post(url("invitation-revoke", slug="acme-portal", pk=invitation.pk))
    assert revoked.json()["revoked_at"] is not None
    invitation.refresh_from_db()
    assert invitation.sent_count == 2 and invitation.revoked_at is not None
    again = client.post(url("invitation-revoke", slug="acme-portal", pk=invitation.pk))
    assert again.status_code == 400
    assert again.json()["code"] == "revoked"
    listed = client.get(url("invitation-list", slug="acme-portal")).json()["results"]
    assert {i["email"] for i in listed} == {"olga@acme.example", "new.person@acme.example"}


def test_task_list_hides_internal_tasks_from_clients(api, world, objects):
    staff = api.as_(world.team).get(url("task-list", slug="acme-portal")).json()
    client = api.as_(world.client).get(url("task-list", slug="acme-portal")).json()
    assert {t["id"] for t in staff["results"]} == {objects.task.pk, objects.internal_task.pk}
    assert [t["id"] for t in client["results"]] == [objects.task.pk]
    assert api.as_(world.client).get(url("task-detail", slug="acme-portal", pk=objects.internal_task.pk)).status_code == 404


def test_task_of_another_project_is_404_through_this_project(api, world):
    foreign = f.TaskFactory(project=world.other_project, owner=world.manager)
    assert api.as_(world.manager).get(url("task-detail", slug="acme-portal", pk=foreign.pk)).status_code == 404
    assert api.as_(world.manager).get(url("task-detail", slug="globex-erp", pk=foreign.pk)).status_code == 200


def test_task_list_filters(api, world, objects):
    f.TaskFactory(project=world.project, owner=world.manager, status="done")
    client = api.as_(world.manager)
    client_side = client.get(url("task-list", slug="acme-portal"), {"side": "client"}).json()["results"]
    done = client.get(url("task-list", slug="acme-portal"), {"status": "done"}).json()["results"]
    mine = client.get(url("task-list", slug="acme-portal"), {"owner": world.client.pk}).json()["results"]
    opened = client.get(url("task-list", slug="acme-portal"), {"open": "true"}).json()["results"]
    assert [t["id"] for t in client_side] == [objects.task.pk]
    assert [t["status"] for t in done] == ["done"]
    assert [t["owner"]["id"] for t in mine] == [world.client.pk]
    assert len(opened) == 2


def test_task_list_pagination(api, world):
    for _ in range(60):
        f.TaskFactory(project=world.project, owner=world.team)
    client = api.as_(world.manager)
    first = client.get(url("task-list", slug="acme-portal")).json()
    big = client.get(url("task-list", slug="acme-portal"), {"page_size": 500}).json()
    assert (first["count"], len(first["results"]), first["next"] is not None) == (60, 50, True)
    assert len(big["results"]) == 60
    assert client.get(url("task-list", slug="acme-portal"), {"page": 9}).status_code == 404


def test_task_create_by_client_lead_for_a_colleague(api, world):
    response = api.as_(world.client_lead).post(
        url("task-list", slug="acme-portal"), {"title": "Send logos", "owner": world.client.pk, "due_date": "2027-01-10"}, format="json"
    )
    assert response.status_code == 201
    task = Task.objects.get(pk=response.json()["id"])
    assert (task.owner, task.side, task.created_by) == (world.client, "client", world.client_lead)
    assert response["ETag"] == '"1"'


def test_task_create_for_an_outsider_is_a_field_error(api, world):
    response = api.as_(world.manager).post(url("task-list", slug="acme-portal"), {"title": "X", "owner": world.outsider.pk}, format="json")
    assert response.status_code == 400
    assert "owner" in response.json()["fields"]
    assert not Task.objects.filter(title="X").exists()


def test_task_detail_etag_and_patch_with_if_match(api, world, objects):
    client = api.as_(world.manager)
    path = url("task-detail", slug="acme-portal", pk=objects.task.pk)
    etag = client.get(path)["ETag"]

    response = client.patch(path, {"title": "Logos, final"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    objects.task.refresh_from_db()
    assert (objects.task.title, objects.task.version) == ("Logos, final", 2)


def test_stale_if_match_is_409_and_changes_nothing(api, world, objects):
    client = api.as_(world.manager)
    path = url("task-detail", slug="acme-portal", pk=objects.task.pk)
    client.patch(path, {"title": "First edit"}, format="json", HTTP_IF_MATCH='"1"')

    response = client.patch(path, {"title": "Lost update"}, format="json", HTTP_IF_MATCH='"1"')

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["fields"] == {"current_version": ["2"]}
    objects.task.refresh_from_db()
    assert objects.task.title == "First edit"


def test_stale_version_field_is_409(api, world, objects):
    path = url("task-detail", slug="acme-portal", pk=objects.task.pk)
    response = api.as_(world.manager).patch(path, {"title": "Nope", "version": 7}, format="json")
    assert response.status_code == 409
    objects.task.refresh_from_db()
    assert objects.task.title != "Nope"


def test_malformed_if_match_is_400(api, world, objects):
    path = url("task-detail", slug="acme-portal", pk=objects.task.pk)
    response = api.as_(world.manager).patch(path, {"title": "Nope"}, format="json", HTTP_IF_MATCH="yesterday")
    assert response.status_code == 400
    assert "If-Match" in response.json()["fields"]


def test_task_assign_complete_cancel(api, world, objects):
    client = api.as_(world.manager)
    assigned = client.post(url("task-assign", slug="acme-portal", pk=objects.task.pk), {"owner": world.client_lead.pk}, format="json")
    assert assigned.json()["owner"]["id"] == world.client_lead.pk
    completed = client.post(url("task-complete", slug="acme-portal", pk=objects.task.pk), {}, format="json")
    assert completed.json()["status"] == "done"
    objects.task.refresh_from_db()
    assert (objects.task.owner, objects.task.status, objects.task.last_percent) == (world.client_lead, "done", 100)
    closed = client.post(url("task-cancel", slug="acme-portal", pk=objects.task.pk), {"reason": "x"}, format="json")
    assert closed.status_code == 400
    assert closed.json()["code"] == "task_closed"


def test_task_cancel_records_the_reason(api, world, objects):
    response = api.as_(world.team).post(url("task-cancel", slug="acme-portal", pk=objects.task.pk), {"reason": "Out of scope"}, format="json")
    assert response.json()["status"] == "cancelled"
    event = AuditEvent.objects.get(action="task.cancel")
    assert event.changes["reason"]["new"] == "Out of scope"


def test_client_submits_a_report_on_their_task(api, world, objects):
    response = api.as_(world.client).post(
        url("report-list", slug="acme-portal", pk=objects.task.pk), {"percent": 40, "state": "at_risk", "blockers": "Waiting for legal"}, format="json"
    )
    assert response.status_code == 201
    report = ProgressReport.objects.get(task=objects.task)
    assert (report.author, report.percent, report.state, report.blockers) == (world.client, 40, "at_risk", "Waiting for legal")
    objects.task.refresh_from_db()
    assert (objects.task.last_percent, objects.task.last_state) == (40, "at_risk")
    listed = api.as_(world.manager).get(url("report-list", slug="acme-portal", pk=objects.task.pk)).json()
    assert [r["id"] for r in listed["results"]] == [report.pk]


def test_report_percent_out_of_range_is_a_field_error(api, world, objects):
    response = api.as_(world.client).post(url("report-list", slug="acme-portal", pk=objects.task.pk), {"percent": 140, "state": "on_track"}, format="json")
    assert response.status_code == 400
    assert "percent" in response.json()["fields"]
    assert not ProgressReport.objects.exists()


def test_reports_are_append_only(api, world, objects):
    report = f.ProgressReportFactory(task=objects.task)
    path = url("report-list", slug="acme-portal", pk=objects.task.pk)
    for method in ("put", "patch", "delete"):
        assert getattr(api.as_(world.manager), method)(path, {"percent": 1}, format="json").status_code == 405
    report.refresh_from_db()
    assert report.percent == 40


def test_risks_raise_update_close(api, world):
    client = api.as_(world.client)
    raised = client.post(url("risk-list", slug="acme-portal"), {"title": "Legal review slow", "kind": "risk", "severity": "high"}, format="json")
    assert raised.status_code == 201
    risk = Risk.objects.get(pk=raised.json()["id"])
    assert (risk.raised_by, risk.severity) == (world.client, "high")

    updated = client.patch(url("risk-detail", slug="acme-portal", pk=risk.pk), {"severity": "critical"}, format="json", HTTP_IF_MATCH='"1"')
    assert updated.json()["severity"] == "critical"
    closed = client.post(url("risk-close", slug="acme-portal", pk=risk.pk), {"resolution": "Done"}, format="json")
    assert closed.json()["status"] == "closed"
    risk.refresh_from_db()
    assert (risk.severity, risk.status, risk.resolution) == ("critical", "closed", "Done")


def test_internal_risk_is_hidden_from_clients(api, world):
    hidden = f.RiskFactory(project=world.project, internal=True)
    listed = api.as_(world.client).get(url("risk-list", slug="acme-portal")).json()["results"]
    assert hidden.pk not in [r["id"] for r in listed]
    assert api.as_(world.client).get(url("risk-detail", slug="acme-portal", pk=hidden.pk)).status_code == 404


def test_audit_feed_for_staff(api, world, objects):
    api.as_(world.manager).patch(url("task-detail", slug="acme-portal", pk=objects.task.pk), {"title": "Audited"}, format="json")
    f.AuditEventFactory(project=world.other_project)
    events = api.as_(world.team).get(url("audit-list", slug="acme-portal"), {"object_type": "task"}).json()["results"]
    assert [(e["action"], e["actor"]["id"]) for e in events] == [("task.update", world.manager.pk)]
    assert events[0]["changes"]["title"]["new"] == "Audited"


@pytest.mark.parametrize("method", ["put"])
def test_unsupported_methods_are_405_with_the_error_body(api, world, method):
    response = getattr(api.as_(world.manager), method)(url("project-detail", slug="acme-portal"), {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_my_tasks_across_projects(api, world, objects):
    mine_elsewhere = f.TaskFactory(project=world.other_project, owner=world.manager)
    f.TaskFactory(project=f.ProjectFactory(), owner=world.manager)
    staff = api.as_(world.manager).get(url("my-task-list")).json()["results"]
    client = api.as_(world.client).get(url("my-task-list")).json()["results"]
    one_project = api.as_(world.manager).get(url("my-task-list"), {"project": "globex-erp"}).json()["results"]
    assert {t["id"] for t in staff} == {objects.task.pk, objects.internal_task.pk, mine_elsewhere.pk}
    assert [t["id"] for t in client] == [objects.task.pk]
    assert [(t["id"], t["project"]) for t in one_project] == [(mine_elsewhere.pk, "globex-erp")]
