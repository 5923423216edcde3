"""Plan tab: the document, the editor, stakeholders, checklist, sign-off request, print view; refusals change nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement.models import CommunicationPlan, Stakeholder
from tests import factories as f

PLAN = {
    "expectations": "Weekly reports on Fridays.",
    "status_update_cadence_days": 7,
    "digest_weekday": 4,
    "digest_hour": 9,
    "client_response_hours": 48,
    "team_response_hours": 24,
    "escalation_path": "PM, then the account director.",
    "channels": "E-mail and the portal.",
}


def _url(name, world, *args):
    return reverse(name, args=[world.project.slug, *args])


def test_plan_page_reads_for_a_project_without_a_plan(client, world):
    client.force_login(world.client)
    response = client.get(_url("engagement:plan", world))
    assert response.status_code == 200
    assert "Not written yet." in response.content.decode()
    assert not CommunicationPlan.objects.exists()


def test_manager_writes_the_plan(client, world):
    client.force_login(world.manager)
    response = client.post(_url("engagement:plan-edit", world), PLAN)
    plan = CommunicationPlan.objects.get(project=world.project)
    assert response.status_code == 302
    assert plan.expectations == PLAN["expectations"] and plan.digest_weekday == 4 and plan.version == 2
    assert "Weekly reports on Fridays." in client.get(_url("engagement:plan", world)).content.decode()


def test_plan_errors_are_shown_next_to_the_field(client, world):
    client.force_login(world.manager)
    response = client.post(_url("engagement:plan-edit", world), {**PLAN, "digest_hour": 30})
    assert response.status_code == 400
    assert 'id="id_digest_hour_error"' in response.content.decode()
    assert not CommunicationPlan.objects.filter(expectations=PLAN["expectations"]).exists()


def test_stale_plan_edit_is_refused(client, world):
    f.CommunicationPlanFactory(project=world.project, expectations="Theirs", version=3)
    client.force_login(world.manager)
    response = client.post(_url("engagement:plan-edit", world), {**PLAN, "expected_version": 2})
    assert response.status_code == 400
    assert CommunicationPlan.objects.get(project=world.project).expectations == "Theirs"


@pytest.mark.parametrize(("persona", "status"), [("team", 403), ("client_lead", 403), ("outsider", 404)])
def test_only_the_manager_edits_the_plan(client, world, persona, status):
    client.force_login(world.persona(persona))
    response = client.post(_url("engagement:plan-edit", world), PLAN)
    assert response.status_code == status
    assert not CommunicationPlan.objects.filter(expectations=PLAN["expectations"]).exists()


def test_manager_adds_primary_and_backup_contacts(client, world):
    client.force_login(world.manager)
    client.post(_url("engagement:stakeholder-new", world), {"user": world.client_lead.pk, "responsibility": "Sponsor", "raci": "A", "is_primary": "on", "channel": "email"})
    primary = Stakeholder.objects.get(user=world.client_lead)
    response = client.post(_url("engagement:stakeholder-new", world), {"user": world.client.pk, "backup_for": primary.pk, "raci": "R", "channel": "phone"})
    backup = Stakeholder.objects.get(user=world.client)
    assert response.status_code == 302
    assert primary.side == "client" and primary.is_primary
    assert backup.backup_for == primary
    page = client.get(_url("engagement:plan", world)).content.decode()
    assert "backup for Lena Lead" in page


def test_second_primary_on_a_side_is_refused_next_to_the_field(client, world):
    plan = f.CommunicationPlanFactory(project=world.project)
    f.StakeholderFactory(plan=plan, user=world.client_lead, side="client", is_primary=True)
    client.force_login(world.manager)
    response = client.post(_url("engagement:stakeholder-new", world), {"user": world.client.pk, "is_primary": "on", "channel": "email"})
    assert response.status_code == 400
    assert 'id="id_is_primary_error"' in response.content.decode()
    assert not Stakeholder.objects.filter(user=world.client).exists()


def test_stakeholder_edit_and_remove(client, world):
    plan = f.CommunicationPlanFactory(project=world.project)
    s = f.StakeholderFactory(plan=plan, user=world.team, side="team", responsibility="Dev")
    client.force_login(world.manager)
    client.post(_url("engagement:stakeholder-edit", world, s.pk), {"user": world.team.pk, "side": "team", "responsibility": "Tech lead", "channel": "chat"})
    s.refresh_from_db()
    assert (s.responsibility, s.channel) == ("Tech lead", "chat")
    client.post(_url("engagement:stakeholder-remove", world, s.pk))
    assert not Stakeholder.objects.filter(pk=s.pk).exists()


def test_team_member_cannot_remove_a_stakeholder(client, world):
    s = f.StakeholderFactory(plan=f.CommunicationPlanFactory(project=world.project), user=world.team)
    client.force_login(world.team)
    assert client.post(_url("engagement:stakeholder-remove", world, s.pk)).status_code == 403
    assert Stakeholder.objects.filter(pk=s.pk).exists()


def test_checklist_and_request_sign_off_names_the_client_leads(client, world):
    client.force_login(world.manager)
    page = client.get(_url("engagement:plan", world)).content.decode()
    assert "A primary contact on the client side" in page
    assert "Lena Lead will be asked to sign off" in page
    response = client.post(_url("engagement:plan-request-signoff", world))
    assert response.status_code == 302
    assert CommunicationPlan.objects.get(project=world.project).sign_off_requested_at is not None


def test_team_member_cannot_request_sign_off(client, world):
    client.force_login(world.team)
    assert client.post(_url("engagement:plan-request-signoff", world)).status_code == 403
    assert not CommunicationPlan.objects.filter(sign_off_requested_at__isnull=False).exists()


def test_signed_version_banner_and_changed_since_sign_off(client, world):
    f.CommunicationPlanFactory(
        project=world.project, version=3, signed_off_version=2, signed_off_by=world.client_lead, signed_off_at=timezone.now()
    )
    client.force_login(world.manager)
    page = client.get(_url("engagement:plan", world)).content.decode()
    assert "Version 2 signed off by Lena Lead" in page
    assert "Changed since sign-off" in page


def test_client_lead_sees_the_sign_off_form_not_the_editor(client, world):
    f.CommunicationPlanFactory(project=world.project)
    client.force_login(world.client_lead)
    page = client.get(_url("engagement:plan", world)).content.decode()
    assert reverse("engagement:plan-signoff", args=[world.project.slug]) in page
    assert _url("engagement:plan-edit", world) not in page


def test_printable_view(client, world):
    f.CommunicationPlanFactory(project=world.project, expectations="Print me")
    client.force_login(world.client)
    response = client.get(_url("engagement:plan-print", world))
    assert response.status_code == 200
    assert "Print me" in response.content.decode() and "workspace.css" in response.content.decode()


def test_plan_page_query_count_does_not_grow(client, world):
    plan = f.CommunicationPlanFactory(project=world.project)
    client.force_login(world.manager)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url("engagement:plan", world)).status_code == 200
        return len(ctx)

    f.StakeholderFactory(plan=plan, user=world.team, side="team")
    few = count()
    for _ in range(15):
        f.StakeholderFactory(plan=plan, user=None, external_name="Ext", external_email="ext@example.com", side="client")
    assert count() == few
