"""Project create/edit, People (invite, resend, revoke, role, remove), Risks and Activity: responses and the database."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Invitation, Membership, Project, Risk
from tests import factories as f


def _url(name, world, *args):
    return reverse(name, args=[world.project.slug, *args])


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_staff_creates_a_project_and_becomes_its_manager(client, world):
    client.force_login(world.team)
    response = client.post(
        reverse("projects:create"),
        {"client": world.project.client_id, "name": "Acme mobile app", "status": "planning", "start_date": "2030-01-01", "target_launch": "2030-06-01"},
    )
    project = Project.objects.get(name="Acme mobile app")
    assert response.status_code == 302 and response["Location"] == reverse("projects:overview", args=[project.slug])
    assert Membership.objects.get(project=project, user=world.team).role == "manager"


def test_project_form_errors_keep_the_input(client, world):
    client.force_login(world.manager)
    response = client.post(
        reverse("projects:create"),
        {"client": world.project.client_id, "name": "Backwards", "status": "planning", "start_date": "2030-06-01", "target_launch": "2030-01-01"},
    )
    assert response.status_code == 400
    assert 'id="id_target_launch_error"' in response.content.decode()
    assert not Project.objects.filter(name="Backwards").exists()


def test_client_people_cannot_create_projects(client, world):
    client.force_login(world.client_lead)
    response = client.post(reverse("projects:create"), {"client": world.project.client_id, "name": "Mine", "status": "planning"})
    assert response.status_code == 403
    assert not Project.objects.filter(name="Mine").exists()


@pytest.mark.parametrize(("persona", "status"), [("team", 403), ("client_lead", 403), ("outsider", 404)])
def test_only_the_manager_edits_the_project(client, world, persona, status):
    client.force_login(world.persona(persona))
    response = client.post(_url("projects:edit", world), {"name": "Renamed", "status": "active"})
    world.project.refresh_from_db()
    assert response.status_code == status
    assert world.project.name == "Acme portal"


def test_manager_edits_the_project(client, world):
    client.force_login(world.manager)
    response = client.post(_url("projects:edit", world), {"name": "Acme portal v2", "status": "on_hold"})
    world.project.refresh_from_db()
    assert response.status_code == 302
    assert (world.project.name, world.project.status) == ("Acme portal v2", "on_hold")


def test_manager_invites_a_client_person(client, world):
    client.force_login(world.manager)
    response = client.post(_url("projects:people", world), {"email": "new@acme.example", "role": "client"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new@acme.example")
    assert invitation.role == "client" and invitation.invited_by == world.manager
    page = client.get(_url("projects:people", world)).content.decode()
    assert "new@acme.example" in page and "Resend" in page and "Revoke" in page


def test_invalid_invite_shows_the_error(client, world):
    client.force_login(world.manager)
    response = client.post(_url("projects:people", world), {"email": "not-an-address", "role": "client"})
    assert response.status_code == 400
    assert 'id="id_email_error"' in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("team", 403), ("client_lead", 403), ("outsider", 404), ("other_client", 404)])
def test_only_the_manager_invites(client, world, persona, status):
    client.force_login(world.persona(persona))
    response = client.post(_url("projects:people", world), {"email": "x@acme.example", "role": "client"})
    assert response.status_code == status
    assert not Invitation.objects.exists()


def test_pending_invitations_are_hidden_from_team_members(client, world):
    f.InvitationFactory(project=world.project, email="pending@acme.example")
    client.force_login(world.team)
    response = client.get(_url("projects:people", world))
    assert response.status_code == 200
    assert "pending@acme.example" not in response.content.decode()


def test_resend_and_revoke(client, world):
    invitation = f.InvitationFactory(project=world.project, email="again@acme.example", invited_by=world.manager)
    client.force_login(world.manager)
    client.post(_url("projects:invitation-resend", world, invitation.pk))
    invitation.refresh_from_db()
    assert invitation.sent_count >= 1
    client.post(_url("projects:invitation-revoke", world, invitation.pk))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_team_member_cannot_revoke(client, world):
    invitation = f.InvitationFactory(project=world.project, invited_by=world.manager)
    client.force_login(world.team)
    response = client.post(_url("projects:invitation-revoke", world, invitation.pk))
    invitation.refresh_from_db()
    assert response.status_code == 403
    assert invitation.revoked_at is None


def test_invitation_of_another_project_is_404(client, world):
    invitation = f.InvitationFactory(project=world.other_project, invited_by=world.manager)
    client.force_login(world.manager)
    response = client.post(_url("projects:invitation-revoke", world, invitation.pk))
    invitation.refresh_from_db()
    assert response.status_code == 404
    assert invitation.revoked_at is None


def test_manager_changes_a_role_and_removes_a_member(client, world):
    client.force_login(world.manager)
    lead = Membership.objects.get(project=world.project, user=world.client)
    client.post(_url("projects:member-role", world, lead.pk), {"role": "client_lead"})
    lead.refresh_from_db()
    assert lead.role == "client_lead"
    team = Membership.objects.get(project=world.project, user=world.team)
    client.post(_url("projects:member-remove", world, team.pk))
    assert not Membership.objects.filter(pk=team.pk).exists()


def test_team_member_cannot_remove_people(client, world):
    membership = Membership.objects.get(project=world.project, user=world.client)
    client.force_login(world.team)
    response = client.post(_url("projects:member-remove", world, membership.pk))
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_people_query_count_does_not_grow(client, world):
    client.force_login(world.manager)
    few = _queries(client, _url("projects:people", world))
    for i in range(20):
        Membership.objects.create(project=world.project, user=f.ClientUserFactory(organisation=world.project.client), role="client")
        f.InvitationFactory(project=world.project, email=f"p{i}@acme.example", invited_by=world.manager)
    assert _queries(client, _url("projects:people", world)) == few


def test_client_raises_a_risk_and_the_manager_closes_it(client, world):
    client.force_login(world.client)
    response = client.post(_url("projects:risks", world), {"title": "Legal review may slip", "kind": "risk", "severity": "high"})
    risk = Risk.objects.get(title="Legal review may slip")
    assert response.status_code == 302 and risk.raised_by == world.client
    client.force_login(world.manager)
    client.post(_url("projects:risk", world, risk.pk), {"title": risk.title, "kind": "risk", "severity": "critical", "status": "mitigating", "owner": world.team.pk, "version": risk.version})
    risk.refresh_from_db()
    assert (risk.severity, risk.status, risk.owner) == ("critical", "mitigating", world.team)
    client.post(_url("projects:risk-close", world, risk.pk), {"resolution": "Legal signed"})
    risk.refresh_from_db()
    assert risk.status == "closed" and risk.resolution == "Legal signed"


def test_close_without_resolution_is_refused(client, world):
    risk = f.RiskFactory(project=world.project)
    client.force_login(world.manager)
    response = client.post(_url("projects:risk-close", world, risk.pk), {"resolution": ""})
    risk.refresh_from_db()
    assert response.status_code == 400
    assert risk.status == "open"


def test_client_cannot_edit_someone_elses_risk(client, world):
    risk = f.RiskFactory(project=world.project, title="Team risk")
    client.force_login(world.client)
    response = client.post(_url("projects:risk", world, risk.pk), {"title": "Mine now", "kind": "risk", "severity": "low", "status": "open"})
    risk.refresh_from_db()
    assert response.status_code == 403
    assert risk.title == "Team risk"


def test_internal_risks_are_hidden_from_clients(client, world):
    f.RiskFactory(project=world.project, title="SECRET-RISK budget", internal=True)
    client.force_login(world.client_lead)
    assert "SECRET-RISK" not in client.get(_url("projects:risks", world)).content.decode()


def test_risk_list_query_count_does_not_grow(client, world):
    client.force_login(world.manager)
    f.RiskFactory(project=world.project, owner=world.team)
    few = _queries(client, _url("projects:risks", world))
    for _ in range(25):
        f.RiskFactory(project=world.project, owner=f.StaffFactory())
    assert _queries(client, _url("projects:risks", world)) == few


def test_activity_is_a_feed_grouped_by_day_for_staff_only(client, world):
    f.AuditEventFactory(project=world.project, actor=world.manager, action="task.update", object_type="task", object_repr="Logo", changes={"title": {"old": "Logo", "new": "Logo v2"}})
    client.force_login(world.team)
    response = client.get(_url("projects:activity", world))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Anna Petrova" in body and "Logo v2" in body and "edited the task" in body
    client.force_login(world.client_lead)
    assert client.get(_url("projects:activity", world)).status_code == 403


def test_activity_query_count_does_not_grow(client, world):
    client.force_login(world.manager)
    f.AuditEventFactory(project=world.project, actor=world.manager)
    few = _queries(client, _url("projects:activity", world))
    for _ in range(30):
        f.AuditEventFactory(project=world.project, actor=f.StaffFactory())
    assert _queries(client, _url("projects:activity", world)) == few


def test_overview_shows_the_two_way_ledger(client, world):
    f.TaskFactory(project=world.project, owner=world.team, title="Deliver staging")
    f.TaskFactory(project=world.project, owner=world.client, title="Provide content")
    f.TaskFactory(project=world.project, owner=world.team, title="SECRET-INTERNAL", internal=True)
    client.force_login(world.manager)
    body = client.get(_url("projects:overview", world)).content.decode()
    assert "We owe Acme" in body and "Acme owes us" in body
    assert body.index("Deliver staging") < body.index("Provide content")
    assert "SECRET-INTERNAL" not in body


def test_outsider_gets_404_on_every_project_page(client, world):
    client.force_login(world.outsider)
    for name in ("projects:overview", "projects:tasks", "projects:risks", "projects:people", "projects:activity"):
        assert client.get(_url(name, world)).status_code == 404
