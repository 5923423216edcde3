"""Decisions tab: the log with filters, record / propose with who-is-asked, the decision page, approve, reject, supersede."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagement.models import Decision
from portal.outbox.models import OutboundMessage
from tests import factories as f

DECISION = {
    "title": "Move launch to March",
    "context": "Content is late.",
    "options": "A) keep date, B) move to March",
    "decision": "B",
    "impact": "high",
    "involvement": "approval",
}


def _url(name, world, *args):
    return reverse(name, args=[world.project.slug, *args])


def test_form_says_who_will_be_asked(client, world):
    client.force_login(world.manager)
    body = client.get(_url("engagement:decision-new", world)).content.decode()
    assert "these people are e-mailed: Lena Lead, Boris Client" in body


def test_approval_request_is_confirmed_on_the_server_before_anything_is_sent(client, world, mailoutbox):
    client.force_login(world.manager)
    before = OutboundMessage.objects.count()
    response = client.post(_url("engagement:decision-new", world), DECISION)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="decision-confirm"' in body
    assert "An e-mail asking for approval goes to: Lena Lead, Boris Client" in body
    assert 'name="confirmed"' in body and 'name="title" value="Move launch to March"' in body
    assert not Decision.objects.exists()
    assert OutboundMessage.objects.count() == before


def test_back_to_the_form_keeps_the_input_and_records_nothing(client, world):
    client.force_login(world.manager)
    response = client.post(_url("engagement:decision-new", world), {**DECISION, "confirmed": "on", "edit": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Move launch to March"' in body and 'data-testid="decision-confirm"' not in body
    assert 'name="confirmed"' not in body
    assert not Decision.objects.exists()


def test_informed_decision_needs_no_confirm_step(client, world):
    client.force_login(world.manager)
    response = client.post(_url("engagement:decision-new", world), {**DECISION, "involvement": "informed"})
    decision = Decision.objects.get()
    assert response.status_code == 302 and decision.status == "approved"


def test_consulted_decision_from_the_team_is_confirmed_too(client, world):
    client.force_login(world.team)
    response = client.post(_url("engagement:decision-new", world), {**DECISION, "involvement": "consulted"})
    assert response.status_code == 200
    assert "An e-mail asking for their view goes to: Lena Lead, Boris Client" in response.content.decode()
    assert not Decision.objects.exists()
    client.post(_url("engagement:decision-new", world), {**DECISION, "involvement": "consulted", "confirmed": "on"})
    assert Decision.objects.get().status == "proposed"


def test_manager_records_a_decision_that_needs_approval(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("engagement:decision-new", world), {**DECISION, "confirmed": "on"})
    decision = Decision.objects.get(title="Move launch to March")
    assert set(OutboundMessage.objects.filter(kind__startswith="decision").values_list("to_email", flat=True)) == {
        world.client_lead.email, world.client.email
    }
    assert response.status_code == 302 and response["Location"] == _url("engagement:decision", world, decision.pk)
    assert decision.status == "proposed" and decision.involvement == "approval" and decision.recorded_by == world.manager
    assert decision.requested_at is not None


def test_team_member_proposes(client, world):
    client.force_login(world.team)
    client.post(_url("engagement:decision-new", world), {**DECISION, "involvement": "informed"})
    decision = Decision.objects.get()
    assert decision.status == "proposed" and decision.recorded_by == world.team


def test_internal_decision_cannot_ask_the_client(client, world):
    client.force_login(world.manager)
    response = client.post(_url("engagement:decision-new", world), {**DECISION, "internal": "on"})
    assert response.status_code == 400
    assert 'id="id_internal_error"' in response.content.decode()
    assert not Decision.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("client_lead", 403), ("client", 403), ("outsider", 404), ("other_client", 404)])
def test_clients_and_outsiders_cannot_record(client, world, persona, status):
    client.force_login(world.persona(persona))
    assert client.post(_url("engagement:decision-new", world), {**DECISION, "confirmed": "on"}).status_code == status
    assert not Decision.objects.exists()


def test_log_filters_and_response_chips(client, world):
    asked = f.DecisionFactory(project=world.project, title="Pick the CMS", involvement="consulted", status="approved")
    f.DecisionResponseFactory(decision=asked, user=world.client_lead, kind="acknowledged")
    f.DecisionFactory(project=world.project, title="Budget cap", involvement="informed", status="approved", impact="low")
    client.force_login(world.manager)
    body = client.get(_url("engagement:decisions", world)).content.decode()
    assert "Lena Lead: acknowledged" in body
    filtered = client.get(_url("engagement:decisions", world), {"involvement": "consulted"}).context["decisions"]
    assert [d.title for d in filtered] == ["Pick the CMS"]
    by_impact = client.get(_url("engagement:decisions", world), {"impact": "low"}).context["decisions"]
    assert [d.title for d in by_impact] == ["Budget cap"]


def test_decision_page_shows_responses_as_a_timeline(client, world):
    decision = f.DecisionFactory(project=world.project, involvement="approval", status="proposed")
    f.DecisionResponseFactory(decision=decision, user=world.client_lead, kind="objected", comment="Too late for us")
    client.force_login(world.team)
    body = client.get(_url("engagement:decision", world, decision.pk)).content.decode()
    assert 'class="timeline"' in body and "Too late for us" in body


def test_client_sees_the_respond_box_and_not_internal_decisions(client, world):
    decision = f.DecisionFactory(project=world.project, involvement="approval", status="proposed")
    secret = f.DecisionFactory(project=world.project, title="SECRET-DECISION", internal=True)
    client.force_login(world.client_lead)
    body = client.get(_url("engagement:decision", world, decision.pk)).content.decode()
    assert reverse("engagement:decision-respond", args=[world.project.slug, decision.pk]) in body
    assert "SECRET-DECISION" not in client.get(_url("engagement:decisions", world)).content.decode()
    assert client.get(_url("engagement:decision", world, secret.pk)).status_code == 404


def test_manager_rejects_a_proposal_and_team_cannot(client, world):
    decision = f.DecisionFactory(project=world.project, status="proposed", recorded_by=world.team)
    client.force_login(world.team)
    assert client.post(_url("engagement:decision-reject", world, decision.pk)).status_code == 403
    decision.refresh_from_db()
    assert decision.status == "proposed"
    client.force_login(world.manager)
    client.post(_url("engagement:decision-reject", world, decision.pk))
    decision.refresh_from_db()
    assert decision.status == "rejected"


def test_approval_waits_for_the_client(client, world):
    decision = f.DecisionFactory(project=world.project, status="proposed", involvement="approval")
    client.force_login(world.manager)
    client.post(_url("engagement:decision-approve", world, decision.pk))
    decision.refresh_from_db()
    assert decision.status == "proposed"


def test_supersede(client, world):
    old = f.DecisionFactory(project=world.project, status="approved", title="Old")
    new = f.DecisionFactory(project=world.project, status="approved", title="New")
    client.force_login(world.manager)
    response = client.post(_url("engagement:decision-supersede", world, old.pk), {"successor": new.pk})
    old.refresh_from_db()
    assert response.status_code == 302
    assert old.status == "superseded" and old.superseded_by == new


def test_supersede_with_a_decision_of_another_project_changes_nothing(client, world):
    old = f.DecisionFactory(project=world.project, status="approved")
    foreign = f.DecisionFactory(project=world.other_project, status="approved")
    client.force_login(world.manager)
    client.post(_url("engagement:decision-supersede", world, old.pk), {"successor": foreign.pk})
    old.refresh_from_db()
    assert old.status == "approved" and old.superseded_by is None


def test_decision_log_query_count_does_not_grow(client, world):
    client.force_login(world.manager)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url("engagement:decisions", world)).status_code == 200
        return len(ctx)

    d = f.DecisionFactory(project=world.project, involvement="consulted")
    f.DecisionResponseFactory(decision=d, user=world.client)
    few = count()
    for _ in range(20):
        d = f.DecisionFactory(project=world.project, involvement="consulted")
        f.DecisionResponseFactory(decision=d, user=f.ClientUserFactory())
    assert count() == few
