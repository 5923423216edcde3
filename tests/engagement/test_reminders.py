"""Meeting reminders: due instants, never early, never twice, never for cancelled meetings; a year in five zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from engagement.models import MeetingStatus
from engagement.services.reminders import reminders_send_due
from portal.outbox import services
from portal.outbox.models import MessageKind, MessageStatus, OutboundMessage
from tests import factories as f

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _meeting(world, **extra):
    meeting = f.MeetingFactory(project=world.project, starts_at=START, ends_at=START + dt.timedelta(hours=1),
                               agenda="Demo of the new checkout\nBudget, Q1", **extra)
    f.AttendanceFactory(meeting=meeting, user=world.client)
    f.AttendanceFactory(meeting=meeting, user=world.manager)
    return meeting


def test_not_before_due_then_once(world):
    meeting = _meeting(world)
    due = START - dt.timedelta(hours=24)

    assert reminders_send_due(now=due - dt.timedelta(minutes=1)) == 0
    assert reminders_send_due(now=due) == 2
    assert reminders_send_due(now=due) == 0
    assert reminders_send_due(now=due + dt.timedelta(minutes=1)) == 0

    rows = OutboundMessage.objects.filter(kind=MessageKind.REMINDER)
    assert {r.recipient_id for r in rows} == {world.client.pk, world.manager.pk}
    assert all(r.send_after == due and str(meeting.uid) in r.dedupe_key for r in rows)


def test_reminder_arrives_with_reconfirm_calendar(world, smtp_sink, settings):
    meeting = _meeting(world, location="https://meet.example/abc")
    meeting.sequence = 3
    meeting.save()
    due = START - dt.timedelta(hours=1)
    with time_machine.travel(due, tick=False):
        reminders_send_due(now=due)
        assert services.outbox_send_due() == {services.SENT: 2}
        assert services.outbox_send_due() == {}

    message = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    assert message["X-Rapport-Kind"] == "reminder"
    assert message["List-Unsubscribe"].strip().startswith(f"<{settings.SITE_URL}/e/u/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "12:00" in message["Subject"]  # 09:00 UTC in Moscow, the client's zone
    calendar_part = list(list(message.iter_parts())[0].iter_parts())[2]
    event = Calendar.from_ical(calendar_part.get_payload(decode=True)).walk("VEVENT")[0]
    assert str(event["UID"]) == str(meeting.uid) and int(event["SEQUENCE"]) == 3
    assert event.decoded("DTSTART").astimezone(dt.UTC) == START
    assert {str(a).removeprefix("mailto:") for a in event["ATTENDEE"]} == {world.client.email, world.manager.email}
    text = list(list(message.iter_parts())[0].iter_parts())[0].get_content()
    assert "Demo of the new checkout" in text and "https://meet.example/abc" in text


def test_reminder_without_calendar_when_configured(world, mailoutbox, settings):
    settings.RAPPORT_REMINDER_ICS = "none"
    _meeting(world)
    due = START - dt.timedelta(hours=1)
    with time_machine.travel(due, tick=False):
        reminders_send_due(now=due)
        services.outbox_send_due()
    assert len(mailoutbox) == 2
    assert mailoutbox[0].message().get_content_type() == "multipart/alternative"


def test_never_for_cancelled_or_moved_meetings(world, mailoutbox):
    meeting = _meeting(world)
    other = _meeting(world)
    due = START - dt.timedelta(hours=24)
    with time_machine.travel(due, tick=False):
        assert reminders_send_due(now=due) == 4
        meeting.status = MeetingStatus.CANCELLED
        meeting.cancel_reason = "No agenda"
        meeting.save()
        other.starts_at += dt.timedelta(days=2)
        other.ends_at += dt.timedelta(days=2)
        other.save()
        assert services.outbox_send_due() == {services.SKIPPED: 4}
    assert mailoutbox == []
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {MessageStatus.SKIPPED}
    later = START - dt.timedelta(hours=1)
    assert reminders_send_due(now=later) == 0  # the cancelled one is never queued again


def test_opted_out_person_gets_none(world):
    world.client.email_reminders = False
    world.client.save()
    _meeting(world)
    assert reminders_send_due(now=START - dt.timedelta(hours=24)) == 1
    assert OutboundMessage.objects.get().recipient == world.manager


def test_late_run_within_grace_only(world, settings):
    settings.REMINDER_GRACE_MINUTES = 30
    _meeting(world)
    assert reminders_send_due(now=START - dt.timedelta(minutes=60) + dt.timedelta(minutes=31)) == 0
    assert reminders_send_due(now=START - dt.timedelta(minutes=60) + dt.timedelta(minutes=29)) == 2


ZONES = ["Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]


def test_a_year_of_weekly_meetings_in_five_zones(world, mailoutbox):
    """Every reminder queued and sent at its instant, across every DST change; none doubled or skipped."""
    project = world.project
    expected: dict[tuple[int, int], dt.datetime] = {}
    sweeps: set[dt.datetime] = set()
    first_day = dt.date(2026, 1, 5)
    for zone_name in ZONES:
        tz = ZoneInfo(zone_name)
        person = f.ClientUserFactory(time_zone=zone_name, organisation=project.client)
        for week in range(52):
            local_start = dt.datetime.combine(first_day + dt.timedelta(weeks=week), dt.time(10, 0), tzinfo=tz)
            start = local_start.astimezone(dt.UTC)
            meeting = f.MeetingFactory(project=project, time_zone=zone_name, starts_at=start, ends_at=start + dt.timedelta(hours=1))
            f.AttendanceFactory(meeting=meeting, user=person)
            for offset in (24 * 60, 60):
                due = start - dt.timedelta(minutes=offset)
                expected[(meeting.pk, offset)] = due
                sweeps.update(due + dt.timedelta(minutes=m) for m in (-1, 0))
    tick = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    while tick < dt.datetime(2027, 1, 10, tzinfo=dt.UTC):
        sweeps.add(tick)
        tick += dt.timedelta(hours=6)

    with time_machine.travel(min(sweeps), tick=False) as traveller:
        for now in sorted(sweeps):
            traveller.move_to(now)
            reminders_send_due(now=now)
            services.outbox_send_due(now=now)

    rows = list(OutboundMessage.objects.filter(kind=MessageKind.REMINDER))
    assert len(rows) == len(expected) == 5 * 52 * 2
    for row in rows:
        due = expected[(row.payload["meeting"], row.payload["offset"])]
        assert row.send_after == due
        assert row.created_at == due  # queued by the first run at its instant, not before
        assert row.status == MessageStatus.SENT and row.sent_at == due
    assert len(mailoutbox) == len(expected)


def test_command_runs_the_job_and_is_safe_twice(world, capsys):
    from django.core.management import CommandError, call_command

    _meeting(world)
    due = (START - dt.timedelta(hours=24)).isoformat()
    call_command("send_due_reminders", "--now", due)
    call_command("send_due_reminders", "--now", due)
    assert OutboundMessage.objects.filter(kind=MessageKind.REMINDER).count() == 2
    assert "2 reminder(s) queued" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("send_due_reminders", "--now", "2026-12-01T09:00:00")  # no offset
    with pytest.raises(CommandError):
        call_command("send_due_reminders", "--now", "tomorrow")


def test_a_burst_of_reminders_goes_in_batches_each_over_one_connection(world, smtp_sink, settings, monkeypatch,
                                                                       django_capture_on_commit_callbacks):
    """Many meetings starting in the same minute: the run hands its rows over in batches (one task each), and a batch
    is sent over one SMTP connection; every reminder arrives once."""
    from portal.outbox import tasks

    settings.REMINDER_BATCH_SIZE = 4
    handed: list[list[int]] = []
    monkeypatch.setattr(tasks.send_batch, "apply_async", lambda args, retry: handed.append(args[0]))
    monkeypatch.setattr(tasks.send_message, "apply_async", lambda *a, **k: pytest.fail("one task per reminder"))
    for _n in range(5):
        _meeting(world)  # 5 meetings x 2 attendees
    due = START - dt.timedelta(hours=1)
    with time_machine.travel(due, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_send_due(now=due) == 10
        assert [len(batch) for batch in handed] == [4, 4, 2]
        for batch in handed:
            tasks.send_batch(batch)
        tasks.send_batch(handed[0])  # a batch delivered twice by the broker sends nothing more
    assert smtp_sink.count() == 10
    assert len(set(smtp_sink.peers)) == 3  # one connection per batch
    assert OutboundMessage.objects.filter(kind=MessageKind.REMINDER, status=MessageStatus.SENT).count() == 10
