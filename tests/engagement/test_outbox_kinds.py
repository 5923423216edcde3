"""Other kinds through the outbox: portal invitation, membership notice, decision request, recap."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from engagement.emails.decisions import queue_decision_request
from engagement.emails.meetings import queue_recap
from engagement.models import MeetingStatus
from engagement.models.decisions import DecisionStatus, Involvement
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
    services.outbox_send_due()
    assert mailoutbox[0].to == [world.team.email] and "Acme portal" in mailoutbox[0].subject


def test_decision_request_goes_to_client_people_who_may_answer(world, mailoutbox):
    decision = f.DecisionFactory(project=world.project, title="Hosting provider", involvement=Involvement.APPROVAL,
                                 status=DecisionStatus.PROPOSED, requested_at=timezone.now())
    assert queue_decision_request(decision_id=decision.pk) == 2
    assert queue_decision_request(decision_id=decision.pk) == 0
    services.outbox_send_due(now=timezone.now() + dt.timedelta(days=3))  # held for their working hours at most that long
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.client.email, world.client_lead.email])
    assert all("/e/a/" in m.body and "approval" in m.subject for m in mailoutbox)


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
