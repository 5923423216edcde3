"""Other kinds through the outbox: portal invitation, membership notice, decision request, recap."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from engagement.emails.decisions import queue_decision_request
from engagement.emails.meetings import queue_recap
from engagement.models import MeetingStatus
from engagement.models.decisions import DecisionStatus, Involvement, ResponseKind
from engagement.services.decisions import decision_respond
from portal.outbox import services
from portal.outbox.models import MessageKind, OutboundMessage
from projects.emails import queue_invitation_email, queue_membership_added_email
from projects.models import Membership
from projects.services.invitations import invitation_token
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_invitation_email_has_accept_link_and_no_unsubscribe(world, smtp_sink):
    invitation = f.InvitationFactory(project=world.project, email="new@acme.example", invited_by=world.manager)
    assert queue_invitation_email(invitation_id=invitation.pk, token=invitation_token(invitation), send_no=1) is True
    assert queue_invitation_email(invitation_id=invitation.pk, token=invitation_token(invitation), send_no=1) is False
    services.outbox_send_due()
    [message] = smtp_sink.messages
    assert message["To"] == "new@acme.example"
    assert "Anna Petrova invited you" in message["Subject"]
    assert message["List-Unsubscribe"] is None and message["Reply-To"] == world.manager.email
    assert "/invite/" in message.get_body(("plain",)).get_content()


def test_membership_added_notice(world, mailoutbox):
    membership = Membership.objects.get(project=world.project, user=world.team)
    assert queue_membership_added_email(membership_id=membership.pk)
    assert not queue_membership_added_email(membership_id=membership.pk)
    services.outbox_send_due(now=timezone.now() + dt.timedelta(days=3))  # a request: after the bundle window, in working hours
    assert mailoutbox[0].to == [world.team.email] and "Acme portal" in mailoutbox[0].subject


def test_decision_request_goes_to_client_people_who_may_answer(world, mailoutbox):
    decision = f.DecisionFactory(project=world.project, title="Hosting provider", involvement=Involvement.APPROVAL,
                                 status=DecisionStatus.PROPOSED, requested_at=timezone.now())
    assert queue_decision_request(decision_id=decision.pk) == 2
    assert queue_decision_request(decision_id=decision.pk) == 0
    services.outbox_send_due(now=timezone.now() + dt.timedelta(days=3))  # held for their working hours at most that long
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.client.email, world.client_lead.email])
    assert all("/e/a/" in m.body and "approval" in m.subject for m in mailoutbox)


def test_a_request_held_for_working_hours_is_dropped_once_the_decision_is_settled(world, mailoutbox):
    """The lead approves from her e-mail while a colleague's request still waits for his morning: the colleague is
    not asked about a settled decision when his morning comes (nor is someone who answered in the portal)."""
    world.client.time_zone = "America/New_York"
    world.client.save(update_fields=["time_zone"])
    world.client_lead.time_zone = "Europe/London"
    world.client_lead.save(update_fields=["time_zone"])
    decision = f.DecisionFactory(project=world.project, title="Hosting provider", involvement=Involvement.APPROVAL,
                                 status=DecisionStatus.PROPOSED, requested_at=timezone.now(), recorded_by=world.manager)
    consulted = f.DecisionFactory(project=world.project, title="Log retention", involvement=Involvement.CONSULTED,
                                  status=DecisionStatus.APPROVED, requested_at=timezone.now(), recorded_by=world.manager)
    london_noon = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)  # a Monday: 07:00 in New York, before his hours
    with time_machine.travel(london_noon, tick=False):
        assert queue_decision_request(decision_id=decision.pk) == 2
        assert queue_decision_request(decision_id=consulted.pk) == 2
        services.outbox_send_due(now=london_noon + dt.timedelta(minutes=10))  # after the requests' bundle window
        # Both of her requests in one message (portal/outbox/bundles.py).
        assert [(m.to[0], m.extra_headers["X-Rapport-Kind"]) for m in mailoutbox] == [(world.client_lead.email, "requests")]
        decision_respond(actor=world.client_lead, decision=decision, kind=ResponseKind.APPROVED, via="email-link")
        decision_respond(actor=world.client, decision=consulted, kind=ResponseKind.ACKNOWLEDGED)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED
    services.outbox_send_due(now=london_noon + dt.timedelta(days=1))
    assert [m.to[0] for m in mailoutbox] == [world.client_lead.email]
    held = OutboundMessage.objects.filter(recipient=world.client, kind=MessageKind.DECISION_REQUEST)
    assert sorted(held.values_list("status", flat=True)) == ["skipped", "skipped"]


def test_internal_decision_is_never_mailed_to_clients(world):
    decision = f.DecisionFactory(project=world.project, internal=True)
    assert queue_decision_request(decision_id=decision.pk) == 0
    assert not OutboundMessage.objects.exists()


def test_recap_after_meeting_is_held(world, mailoutbox):
    meeting = f.MeetingFactory(project=world.project, title="Kick-off", minutes="We agreed on scope.",
                               status=MeetingStatus.HELD, held_at=timezone.now())
    f.AttendanceFactory(meeting=meeting, user=world.client)
    f.AttendanceFactory(meeting=meeting, user=world.manager)
    task = f.TaskFactory(project=world.project, owner=world.client, title="Send logo files")
    secret = f.TaskFactory(project=world.project, owner=world.team, title="Internal estimate", internal=True)
    meeting.outcome_tasks.add(task, secret)
    f.DecisionFactory(project=world.project, meeting=meeting, title="Go with Postgres")
    assert queue_recap(meeting_id=meeting.pk) == 2
    assert queue_recap(meeting_id=meeting.pk) == 0
    services.outbox_send_due()
    to_client = next(m for m in mailoutbox if m.to == [world.client.email])
    assert "We agreed on scope." in to_client.body and "Send logo files" in to_client.body
    assert "Go with Postgres" in to_client.body and "Internal estimate" not in to_client.body
    to_manager = next(m for m in mailoutbox if m.to == [world.manager.email])
    assert "Internal estimate" in to_manager.body
    assert OutboundMessage.objects.filter(kind=MessageKind.RECAP).count() == 2
