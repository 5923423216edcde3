"""iTIP mail: MIME shape, iCalendar content, supersession, escaping (emails.md §6.1–6.3, §6.7)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from icalendar import Calendar

from engagement.emails.meetings import queue_itip
from engagement.models import MeetingStatus
from engagement.services.ics import meeting_calendar
from portal.outbox import services
from portal.outbox.email import thread_root
from portal.outbox.models import MessageStatus, OutboundMessage
from portal.outbox.replies import reply_address_resolve
from tests import factories as f

pytestmark = pytest.mark.django_db
TRICKY = 'Launch <script>alert("x")</script>, phase 1; part\\2\nsecond line\r\nÜber — запуск 🚀'


def _meeting(world, **extra):
    meeting = f.MeetingFactory(project=world.project, time_zone="Europe/Moscow", location="Room 1, floor 2", **extra)
    f.AttendanceFactory(meeting=meeting, user=world.client)
    f.AttendanceFactory(meeting=meeting, user=world.manager, rsvp="yes")
    return meeting


def _calendar_part(message):
    mixed = list(message.iter_parts())
    alternative = mixed[0]
    return alternative, [p for p in alternative.iter_parts()][2], mixed[1]


def _send_all():
    for pk in OutboundMessage.objects.filter(status=MessageStatus.PENDING).values_list("pk", flat=True):
        services.outbox_send(message_id=pk)


def test_invitation_mime_shape_and_calendar_content(world, smtp_sink, settings):
    meeting = _meeting(world)

    assert queue_itip(meeting_id=meeting.pk, method="REQUEST") == 2
    _send_all()

    message = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    assert message.get_content_type() == "multipart/mixed"
    alternative, calendar_part, attachment = _calendar_part(message)
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    assert calendar_part["Content-Disposition"] is None
    assert calendar_part["Content-Transfer-Encoding"] == "base64"
    assert calendar_part.get_param("method") == "REQUEST"
    assert str(calendar_part["Content-Type"]).count("charset") == 1
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invite.ics"
    raw_ics = calendar_part.get_payload(decode=True)
    assert attachment.get_payload(decode=True) == raw_ics
    assert b"\r\n" in raw_ics and b"\n" not in raw_ics.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw_ics.split(b"\r\n"))
    assert raw_ics.count(b"\r\nUID:") == 1

    cal = Calendar.from_ical(raw_ics)
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == str(meeting.uid)
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART").astimezone(dt.UTC) == meeting.starts_at
    assert event.decoded("DTEND").astimezone(dt.UTC) == meeting.ends_at
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Moscow"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Moscow"]
    assert str(event["ORGANIZER"]) == f"mailto:{settings.RAPPORT_CALENDAR_EMAIL}"
    attendees = {str(a).removeprefix("mailto:"): a.params for a in event["ATTENDEE"]}
    assert set(attendees) == {world.client.email, world.manager.email}
    assert attendees[world.client.email]["RSVP"] == "TRUE"
    assert attendees[world.client.email]["PARTSTAT"] == "NEEDS-ACTION"
    assert "RSVP" not in attendees[world.manager.email]
    assert attendees[world.manager.email]["PARTSTAT"] == "ACCEPTED"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert not cal.walk("VALARM") and "RRULE" not in event
    # headers: iTIP mail is not marked automated and has no unsubscribe; first message is the thread root
    assert message["Auto-Submitted"] is None and message["List-Unsubscribe"] is None
    assert message["Message-ID"] == thread_root("mtg", str(meeting.uid), world.client.pk)
    assert settings.RAPPORT_CALENDAR_EMAIL in message["From"]
    target = reply_address_resolve(message["Reply-To"])  # a reply is the client's comment on the meeting
    assert (target.person, target.kind, target.object_id) == (world.client, "meetings", meeting.pk)
    assert message["Content-Language"] == world.client.language
    assert message["List-Id"].isascii()


def test_cancel_supersedes_pending_request_and_carries_reason(world, smtp_sink):
    meeting = _meeting(world)
    meeting.sequence = 1
    meeting.save()
    queue_itip(meeting_id=meeting.pk, method="REQUEST")
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = "Client, on holiday; back soon"
    meeting.cancelled_at = timezone.now()
    meeting.sequence = 2
    meeting.save()

    queue_itip(meeting_id=meeting.pk, method="CANCEL")
    _send_all()

    requests = OutboundMessage.objects.filter(dedupe_key__endswith=":REQUEST")
    assert set(requests.values_list("status", flat=True)) == {MessageStatus.SUPERSEDED}
    client_mail = [m for m in smtp_sink.messages if m["To"] == world.client.email]
    assert len(client_mail) == 1
    _alt, part, _att = _calendar_part(client_mail[0])
    assert part.get_param("method") == "CANCEL"
    cal = Calendar.from_ical(part.get_payload(decode=True))
    [event] = cal.walk("VEVENT")
    assert cal["METHOD"] == "CANCEL" and int(event["SEQUENCE"]) == 2 and str(event["STATUS"]) == "CANCELLED"
    assert str(event["COMMENT"]) == "Client, on holiday; back soon"
    root = thread_root("mtg", str(meeting.uid), world.client.pk)
    assert client_mail[0]["In-Reply-To"] == root and client_mail[0]["Message-ID"] != root


def test_older_pending_request_is_not_sent_after_newer_one(world, smtp_sink):
    meeting = _meeting(world)
    queue_itip(meeting_id=meeting.pk, method="REQUEST")
    meeting.sequence = 1
    meeting.starts_at += dt.timedelta(hours=2)
    meeting.ends_at += dt.timedelta(hours=2)
    meeting.save()
    queue_itip(meeting_id=meeting.pk, method="REQUEST")
    _send_all()
    sequences = [int(Calendar.from_ical(_calendar_part(m)[1].get_payload(decode=True)).walk("VEVENT")[0]["SEQUENCE"])
                 for m in smtp_sink.messages if m["To"] == world.client.email]
    assert sequences == [1]


def test_queue_itip_twice_queues_nothing_more(world):
    meeting = _meeting(world)
    assert queue_itip(meeting_id=meeting.pk, method="REQUEST") == 2
    assert queue_itip(meeting_id=meeting.pk, method="REQUEST") == 0
    assert OutboundMessage.objects.count() == 2


def test_tricky_title_is_escaped_everywhere(world, smtp_sink):
    meeting = _meeting(world, title=TRICKY[:200])
    queue_itip(meeting_id=meeting.pk, method="REQUEST")
    _send_all()
    message = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    subject = message["Subject"]
    assert "\n" not in subject and "\r" not in subject and len(subject) <= 150
    alternative, part, _ = _calendar_part(message)
    html = list(alternative.iter_parts())[1].get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    text = list(alternative.iter_parts())[0].get_content()
    assert "&lt;" not in text and "<script>" in text
    event = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == meeting.title.replace("\r\n", "\n")
    assert str(event["LOCATION"]) == "Room 1, floor 2"


@pytest.mark.parametrize("tz", ["Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"])
def test_dst_either_side_round_trips_in_five_zones(world, tz):
    for month, day in ((3, 28), (3, 30), (4, 4), (4, 6), (10, 3), (10, 5), (10, 24), (10, 26), (11, 1), (11, 2)):
        start = dt.datetime(2026, month, day, 10, 0, tzinfo=dt.UTC)
        meeting = f.MeetingFactory(project=world.project, time_zone=tz, starts_at=start, ends_at=start + dt.timedelta(hours=1))
        ics = meeting_calendar(meeting, method="REQUEST", organiser_name="Anna", attendees=[])
        cal = Calendar.from_ical(ics)
        event = cal.walk("VEVENT")[0]
        assert event.decoded("DTSTART").astimezone(dt.UTC) == start
        assert event.decoded("DTSTART").tzinfo is not None
        vtimezone = re.search(r"BEGIN:VTIMEZONE.*?END:VTIMEZONE", ics, re.S).group(0)
        assert len(vtimezone.splitlines()) < 40
