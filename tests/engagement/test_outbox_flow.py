"""From the meeting services to the inbox: invite, reschedule, cancel (on commit → outbox → mail)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest
from django.utils import timezone
from icalendar import Calendar

from engagement.services.meetings import meeting_cancel, meeting_create, meeting_reschedule
from portal.outbox import services
from portal.outbox.models import MessageStatus, OutboundMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("portal.outbox.tasks.send_message.apply_async", lambda args, retry: None)


def _calendars(mailoutbox, address):
    out = []
    for mail in mailoutbox:
        if mail.to != [address]:
            continue
        message = email.message_from_bytes(mail.message().as_bytes(), policy=email.policy.default)
        part = list(list(message.iter_parts())[0].iter_parts())[2]
        out.append((message, Calendar.from_ical(part.get_payload(decode=True))))
    return out


def test_invite_reschedule_cancel_in_order_with_rising_sequence(world, mailoutbox, django_capture_on_commit_callbacks):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_create(actor=world.manager, project=world.project, title="Kick-off", starts_at=start,
                                 duration_minutes=60, time_zone="Europe/Berlin", attendees=[world.client, world.team])
    services.outbox_send_due()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_reschedule(actor=world.manager, meeting=meeting, starts_at=start + dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(actor=world.manager, meeting=meeting, reason="Client asked to postpone")
    services.outbox_send_due()

    received = _calendars(mailoutbox, world.client.email)
    methods = [(str(cal["METHOD"]), int(cal.walk("VEVENT")[0]["SEQUENCE"])) for _m, cal in received]
    assert methods == [("REQUEST", 0), ("CANCEL", 2)]  # the update was superseded before it was sent
    assert OutboundMessage.objects.filter(status=MessageStatus.SUPERSEDED, recipient=world.client).count() == 1
    first, last = received[0][0], received[-1][0]
    assert last["In-Reply-To"] == first["Message-ID"] == last["References"]
    cancel_event = received[-1][1].walk("VEVENT")[0]
    assert str(cancel_event["COMMENT"]) == "Client asked to postpone" and str(cancel_event["STATUS"]) == "CANCELLED"
