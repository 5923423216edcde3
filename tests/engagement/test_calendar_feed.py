"""The personal calendar feed: PUBLISH, no attendees, cancelled as CANCELLED, task due dates, revocable token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from engagement.models import MeetingStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


def _feed(client, person):
    return client.get(reverse("engagement:calendar-feed", args=[person.calendar_token]))


def test_feed_lists_meetings_and_task_due_dates(world, client):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    meeting = f.MeetingFactory(project=world.project, title="Weekly, sync; <b>", starts_at=start, ends_at=start + dt.timedelta(hours=1))
    f.AttendanceFactory(meeting=meeting, user=world.client)
    cancelled = f.MeetingFactory(project=world.project, title="Cancelled one", starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                 status=MeetingStatus.CANCELLED, cancel_reason="Holiday", cancelled_at=timezone.now())
    f.AttendanceFactory(meeting=cancelled, user=world.client)
    other = f.MeetingFactory(project=world.project, title="Not invited")
    f.AttendanceFactory(meeting=other, user=world.manager)
    task = f.TaskFactory(project=world.project, owner=world.client, title="Homepage copy", due_date=dt.date(2026, 12, 10))

    response = _feed(client, world.client)

    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert "sessionid" not in response.cookies
    cal = Calendar.from_ical(response.content)
    assert cal["METHOD"] == "PUBLISH"
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Weekly, sync; <b>", "Cancelled one", f"Homepage copy ({world.project.name})"}
    assert str(events["Weekly, sync; <b>"]["UID"]) == str(meeting.uid)
    assert events["Weekly, sync; <b>"].decoded("DTSTART").astimezone(dt.UTC) == start
    assert str(events["Cancelled one"]["STATUS"]) == "CANCELLED"
    due = events[f"Homepage copy ({world.project.name})"]
    assert due.decoded("DTSTART") == task.due_date and str(due["TRANSP"]) == "TRANSPARENT"
    assert b"ATTENDEE" not in response.content and b"METHOD:REQUEST" not in response.content


def test_rotating_the_token_kills_the_old_url(world, client):
    old = world.client.calendar_token
    world.client.rotate_calendar_token()
    world.client.save()
    assert client.get(reverse("engagement:calendar-feed", args=[old])).status_code == 404
    assert _feed(client, world.client).status_code == 200


def test_unknown_or_inactive_is_404(world, client):
    assert client.get(reverse("engagement:calendar-feed", args=["nope"])).status_code == 404
    world.client.is_active = False
    world.client.save()
    assert _feed(client, world.client).status_code == 404
