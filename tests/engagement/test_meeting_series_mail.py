"""One invitation per series (issue 18, defect 5) and meeting times converted to the meeting's zone (defect 3).

Messages go through the outbox to a real SMTP server and are counted per person.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.rrule import rrulestr
from django.urls import reverse
from icalendar import Calendar

from engagement.models import ActionLink, Attendance, MeetingStatus, SeriesRsvp
from engagement.services import links
from engagement.services.link_actions import action_link_use
from engagement.services.meetings import (
    meeting_cancel,
    meeting_create,
    meeting_hold,
    meeting_reschedule,
    occurrences_materialise,
    series_create,
    series_end,
    series_update,
)
from engagement.services.reminders import reminders_send_due
from portal.outbox import services
from portal.outbox.email import thread_root
from portal.outbox.models import MessageStatus, OutboundMessage

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def send_all():
    for pk in OutboundMessage.objects.filter(status=MessageStatus.PENDING).values_list("pk", flat=True):
        services.outbox_send(message_id=pk)


def per_person(sink) -> Counter:
    return Counter(m["To"] for m in sink.messages)


def calendar_of(message) -> Calendar:
    calendar_part = list(list(message.iter_parts())[0].iter_parts())[2]
    return Calendar.from_ical(calendar_part.get_payload(decode=True))


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def make_series(world, run, **overrides):
    args = dict(
        actor=world.manager, project=world.project, title="Weekly sync", rrule="FREQ=WEEKLY;BYDAY=TU",
        first_start_local=dt.datetime(2026, 10, 6, 10, 0), time_zone="Europe/Berlin", duration_minutes=45,
        attendees=[world.manager, world.client_lead, world.client],
    )
    args.update(overrides)
    with run(execute=True):
        return series_create(**args)


@pytest.fixture
def autumn():
    with time_machine.travel(dt.datetime(2026, 10, 1, 8, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def test_a_series_sends_one_invitation_per_attendee_with_a_rule_that_matches_the_portal(
    world, smtp_sink, settings, autumn, django_capture_on_commit_callbacks
):
    # given a weekly Berlin meeting across the end of summer time (25 Oct 2026), 12+ occurrences
    settings.MEETING_HORIZON_DAYS = 120
    series = make_series(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        occurrences_materialise(series=series, until=dt.datetime(2027, 4, 30, tzinfo=UTC))
    send_all()

    # then exactly one message per attendee, and materialising sent nothing more
    assert series.meetings.count() >= 20
    assert per_person(smtp_sink) == {world.manager.email: 1, world.client_lead.email: 1, world.client.email: 1}
    message = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    assert message["X-Rapport-Kind"] == "meeting_invite"
    assert message["Message-ID"] == thread_root("mtg", str(series.uid), world.client.pk)
    cal = calendar_of(message)
    assert cal["METHOD"] == "REQUEST"
    [master] = cal.walk("VEVENT")
    assert str(master["UID"]) == str(series.uid) and int(master["SEQUENCE"]) == 0
    assert str(master["DTSTART"].params["TZID"]) == "Europe/Berlin"
    assert master.decoded("DTSTART").replace(tzinfo=None) == dt.datetime(2026, 10, 6, 10, 0)
    assert master.decoded("DURATION") == dt.timedelta(minutes=45)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    attendees = {str(a).removeprefix("mailto:"): a.params for a in master["ATTENDEE"]}
    assert attendees[world.client.email]["RSVP"] == "TRUE" and "RSVP" not in attendees[world.manager.email]
    # the rule, expanded by dateutil in the meeting's zone, gives the portal's occurrences (10:00 Berlin before
    # and after the clock change: 08:00 UTC, then 09:00 UTC)
    portal = list(series.meetings.order_by("starts_at").values_list("starts_at", flat=True))
    expanded = [s for s in (x.astimezone(UTC) for x in rrulestr(master["RRULE"].to_ical().decode(),
                                                               dtstart=master.decoded("DTSTART"))) if s <= portal[-1]]
    assert expanded == portal
    assert dt.datetime(2026, 10, 20, 8, 0, tzinfo=UTC) in portal and dt.datetime(2026, 10, 27, 9, 0, tzinfo=UTC) in portal
    # and the body lists coming meetings in the reader's zone with the meeting's own in brackets
    assert "Tue 6 Oct, 11:00–11:45 Moscow (10:00–10:45 Berlin)" in text_of(message)
    assert "Repeats: Every week on Tuesday" in text_of(message)


def test_occurrence_reschedule_sends_one_update_per_attendee_and_reminders_stay(
    world, smtp_sink, autumn, django_capture_on_commit_callbacks
):
    series = make_series(world, django_capture_on_commit_callbacks)
    send_all()
    smtp_sink.clear()
    meeting = series.meetings.order_by("starts_at")[2]  # Tue 20 Oct, 10:00 Berlin (08:00 UTC)
    original = meeting.starts_at

    # when one occurrence moves to the next day
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reschedule(actor=world.manager, meeting=meeting, starts_at=dt.datetime(2026, 10, 21, 14, 0))
    send_all()

    # then one update per attendee, an instance of the series
    assert per_person(smtp_sink) == {world.manager.email: 1, world.client_lead.email: 1, world.client.email: 1}
    message = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    assert message["X-Rapport-Kind"] == "meeting_update"
    assert message["In-Reply-To"] == thread_root("mtg", str(series.uid), world.client.pk)
    [event] = calendar_of(message).walk("VEVENT")
    assert str(event["UID"]) == str(series.uid)
    assert event.decoded("RECURRENCE-ID").astimezone(UTC) == original
    assert str(event["RECURRENCE-ID"].params["TZID"]) == "Europe/Berlin"
    assert event.decoded("DTSTART").astimezone(UTC) == dt.datetime(2026, 10, 21, 12, 0, tzinfo=UTC)
    assert int(event["SEQUENCE"]) == 1 and "RRULE" not in event
    assert "Wed 21 Oct, 15:00–15:45 Moscow (14:00–14:45 Berlin)" in text_of(message)

    # and reminders still go per occurrence: the next one's 24 h reminder to each attendee
    smtp_sink.clear()
    nxt = series.meetings.order_by("starts_at")[0]
    due = nxt.starts_at - dt.timedelta(hours=24)
    with time_machine.travel(due, tick=False):
        assert reminders_send_due(now=due) == 3
        send_all()
    assert per_person(smtp_sink) == {world.manager.email: 1, world.client_lead.email: 1, world.client.email: 1}
    reminder = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    assert reminder["X-Rapport-Kind"] == "reminder"
    assert reminder["In-Reply-To"] == thread_root("mtg", str(series.uid), world.client.pk)
    # no calendar part: an instance REQUEST would store each reminded occurrence as an exception of the series
    assert reminder.get_content_type() == "multipart/alternative"


def test_occurrence_cancel_is_a_cancel_of_that_instance_only(world, smtp_sink, autumn, django_capture_on_commit_callbacks):
    series = make_series(world, django_capture_on_commit_callbacks)
    send_all()
    smtp_sink.clear()
    meeting = series.meetings.order_by("starts_at")[1]

    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(actor=world.manager, meeting=meeting, reason="Public holiday")
    send_all()

    assert per_person(smtp_sink) == {world.manager.email: 1, world.client_lead.email: 1, world.client.email: 1}
    message = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    cal = calendar_of(message)
    [event] = cal.walk("VEVENT")
    assert cal["METHOD"] == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(series.uid)
    assert event.decoded("RECURRENCE-ID").astimezone(UTC) == meeting.original_start
    assert int(event["SEQUENCE"]) == 1
    assert "Public holiday" in text_of(message)


def test_series_change_sends_the_series_again_with_the_moved_occurrence_kept(
    world, smtp_sink, autumn, django_capture_on_commit_callbacks
):
    series = make_series(world, django_capture_on_commit_callbacks)
    moved = series.meetings.order_by("starts_at")[1]
    cancelled = series.meetings.order_by("starts_at")[2]
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reschedule(actor=world.manager, meeting=moved, starts_at=dt.datetime(2026, 10, 14, 9, 0))
        meeting_cancel(actor=world.manager, meeting=cancelled, reason="Holiday")
    send_all()
    smtp_sink.clear()

    # when the title changes and the agenda template changes (only the title is significant)
    with django_capture_on_commit_callbacks(execute=True):
        series_update(actor=world.manager, series=series, title="Weekly steering", agenda_template="Risks")
    send_all()

    series.refresh_from_db()
    assert series.sequence == 1
    assert per_person(smtp_sink) == {world.manager.email: 1, world.client_lead.email: 1, world.client.email: 1}
    message = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    assert message["X-Rapport-Kind"] == "meeting_update"
    cal = calendar_of(message)
    master, override = sorted(cal.walk("VEVENT"), key=lambda e: "RECURRENCE-ID" in e)
    assert int(master["SEQUENCE"]) == 1 and str(master["SUMMARY"]) == "Weekly steering"
    assert [d.dt.astimezone(UTC) for d in master["EXDATE"].dts] == [cancelled.original_start]
    assert override.decoded("RECURRENCE-ID").astimezone(UTC) == moved.original_start
    assert override.decoded("DTSTART").astimezone(UTC) == dt.datetime(2026, 10, 14, 7, 0, tzinfo=UTC)
    assert str(override["SUMMARY"]) == "Weekly steering" and int(override["SEQUENCE"]) >= 1

    # and an agenda-only change sends nothing
    smtp_sink.clear()
    with django_capture_on_commit_callbacks(execute=True):
        series_update(actor=world.manager, series=series, agenda_template="Risks\nBudget")
    send_all()
    assert smtp_sink.count() == 0


def test_attendee_added_gets_the_invitation_once_and_removed_gets_a_cancel(
    world, smtp_sink, autumn, django_capture_on_commit_callbacks
):
    series = make_series(world, django_capture_on_commit_callbacks, attendees=[world.manager, world.client])
    send_all()
    smtp_sink.clear()

    with django_capture_on_commit_callbacks(execute=True):
        series_update(actor=world.manager, series=series, attendees=[world.manager, world.client_lead])
    send_all()

    # the newcomer gets the invitation, the removed person a CANCEL naming only them, the others nothing
    assert per_person(smtp_sink) == {world.client_lead.email: 1, world.client.email: 1}
    added = next(m for m in smtp_sink.messages if m["To"] == world.client_lead.email)
    assert added["X-Rapport-Kind"] == "meeting_invite" and calendar_of(added)["METHOD"] == "REQUEST"
    removed = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    cal = calendar_of(removed)
    [event] = cal.walk("VEVENT")
    assert cal["METHOD"] == "CANCEL" and "STATUS" not in event and str(event["UID"]) == str(series.uid)
    assert [str(a) for a in [event["ATTENDEE"]]] == [f"mailto:{world.client.email}"]
    assert not Attendance.objects.filter(meeting__series=series, user=world.client).exists()


def test_series_end_sends_the_rule_that_now_stops(world, smtp_sink, autumn, django_capture_on_commit_callbacks):
    series = make_series(world, django_capture_on_commit_callbacks)
    send_all()
    smtp_sink.clear()
    held = list(series.meetings.order_by("starts_at")[:2])

    with time_machine.travel(dt.datetime(2026, 10, 16, 8, 0, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            series_end(actor=world.manager, series=series, reason="Project phase over")
        send_all()

    assert per_person(smtp_sink) == {world.manager.email: 1, world.client_lead.email: 1, world.client.email: 1}
    message = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    cal = calendar_of(message)
    [master] = cal.walk("VEVENT")
    assert cal["METHOD"] == "REQUEST" and int(master["SEQUENCE"]) == 1
    assert [s.astimezone(UTC) for s in rrulestr(master["RRULE"].to_ical().decode(), dtstart=master.decoded("DTSTART"))] == [
        m.starts_at for m in held
    ]
    assert "Project phase over" in text_of(message)
    assert not series.meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=dt.datetime(2026, 10, 16, tzinfo=UTC)).exists()


def test_series_ended_before_its_first_meeting_is_cancelled(world, smtp_sink, autumn, django_capture_on_commit_callbacks):
    series = make_series(world, django_capture_on_commit_callbacks)
    send_all()
    smtp_sink.clear()

    with django_capture_on_commit_callbacks(execute=True):
        series_end(actor=world.manager, series=series, reason="Not needed")
    send_all()

    assert per_person(smtp_sink) == {world.manager.email: 1, world.client_lead.email: 1, world.client.email: 1}
    cal = calendar_of(next(m for m in smtp_sink.messages if m["To"] == world.client.email))
    [master] = cal.walk("VEVENT")
    assert cal["METHOD"] == "CANCEL" and str(master["STATUS"]) == "CANCELLED" and int(master["SEQUENCE"]) == 1


def test_series_rsvp_link_answers_for_every_coming_meeting(world, smtp_sink, autumn, django_capture_on_commit_callbacks):
    series = make_series(world, django_capture_on_commit_callbacks)
    send_all()
    link = ActionLink.objects.filter(person=world.client, action=ActionLink.Action.RSVP_YES).get()
    token = links._token(link.id.hex, link.action, "-")

    assert links.action_link_check(token=token).state == links.OK
    assert action_link_use(token=token).state == links.DONE

    assert SeriesRsvp.objects.get(series=series, user=world.client).rsvp == "yes"
    answers = set(Attendance.objects.filter(meeting__series=series, user=world.client).values_list("rsvp", flat=True))
    assert answers == {"yes"}
    # occurrences materialised later inherit the answer
    created = occurrences_materialise(series=series, until=dt.datetime(2027, 6, 1, tzinfo=UTC))
    assert created and set(Attendance.objects.filter(meeting__in=created, user=world.client).values_list("rsvp", flat=True)) == {"yes"}
    assert set(Attendance.objects.filter(meeting__in=created, user=world.client_lead).values_list("rsvp", flat=True)) == {"none"}


# --- defect 3: the bracketed time is the meeting's own, converted -------------------------------------------

ZONES = {"Europe/Berlin": "Berlin", "America/New_York": "New York", "Asia/Tokyo": "Tokyo"}
EXPECTED = {  # Tue 1 Dec 2026, 10:00–11:00 Europe/Moscow = 07:00 UTC
    "Europe/Berlin": "Tue 1 Dec, 08:00–09:00 Berlin (10:00–11:00 Moscow)",
    "America/New_York": "Tue 1 Dec, 02:00–03:00 New York (10:00–11:00 Moscow)",
    "Asia/Tokyo": "Tue 1 Dec, 16:00–17:00 Tokyo (10:00–11:00 Moscow)",
}


def _people_in_zones(world):
    people = [world.client, world.client_lead, world.team]
    for person, zone in zip(people, EXPECTED, strict=True):
        person.time_zone, person.language = zone, "en"
        person.save()
    return dict(zip(EXPECTED, people, strict=True))


def test_every_meeting_mail_shows_the_readers_time_then_the_meetings(world, smtp_sink, django_capture_on_commit_callbacks):
    people = _people_in_zones(world)
    with time_machine.travel(dt.datetime(2026, 11, 20, 8, 0, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            meeting = meeting_create(
                actor=world.manager, project=world.project, title="Steering", starts_at=dt.datetime(2026, 12, 1, 10, 0),
                duration_minutes=60, time_zone="Europe/Moscow", attendees=list(people.values()),
            )
        send_all()
        due = meeting.starts_at - dt.timedelta(hours=24)
    with time_machine.travel(due, tick=False):
        reminders_send_due(now=due)
        send_all()
    with time_machine.travel(meeting.ends_at, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            meeting_hold(actor=world.manager, meeting=meeting, minutes="Done.", attended_user_ids=[p.pk for p in people.values()])
        send_all()

    for zone, person in people.items():
        mails = [m for m in smtp_sink.messages if m["To"] == person.email]
        assert sorted(m["X-Rapport-Kind"] for m in mails) == ["meeting_invite", "recap", "reminder"]
        for message in mails:
            assert EXPECTED[zone] in text_of(message), (zone, message["X-Rapport-Kind"], text_of(message))
        invite = next(m for m in mails if m["X-Rapport-Kind"] == "meeting_invite")
        assert ZONES[zone] in invite["Subject"]


def test_update_and_cancel_show_the_converted_time_too(world, smtp_sink, django_capture_on_commit_callbacks):
    people = _people_in_zones(world)
    with time_machine.travel(dt.datetime(2026, 11, 20, 8, 0, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            meeting = meeting_create(
                actor=world.manager, project=world.project, title="Steering", starts_at=dt.datetime(2026, 11, 30, 10, 0),
                duration_minutes=60, time_zone="Europe/Moscow", attendees=list(people.values()),
            )
            meeting_reschedule(actor=world.manager, meeting=meeting, starts_at=dt.datetime(2026, 12, 1, 10, 0))
        send_all()
        with django_capture_on_commit_callbacks(execute=True):
            meeting_cancel(actor=world.manager, meeting=meeting, reason="Clash")
        send_all()
    for zone, person in people.items():
        mails = {m["X-Rapport-Kind"]: m for m in smtp_sink.messages if m["To"] == person.email}
        assert EXPECTED[zone] in text_of(mails["meeting_update"])
        assert EXPECTED[zone] in text_of(mails["cancellation"])


@pytest.mark.parametrize(
    ("zone", "reader", "now", "first", "lines"),
    [
        # a Berlin meeting the week Europe leaves summer time (Sun 25 Oct 2026), read in Moscow
        ("Europe/Berlin", "Europe/Moscow", dt.datetime(2026, 10, 15, tzinfo=UTC), dt.datetime(2026, 10, 22, 10, 0), [
            "Thu 22 Oct, 11:00–11:30 Moscow (10:00–10:30 Berlin)",
            "Thu 29 Oct, 12:00–12:30 Moscow (10:00–10:30 Berlin)",
        ]),
        # a Moscow meeting read in New York the week the US leaves summer time (Sun 1 Nov 2026)
        ("Europe/Moscow", "America/New_York", dt.datetime(2026, 10, 20, tzinfo=UTC), dt.datetime(2026, 10, 29, 10, 0), [
            "Thu 29 Oct, 03:00–03:30 New York (10:00–10:30 Moscow)",
            "Thu 5 Nov, 02:00–02:30 New York (10:00–10:30 Moscow)",
        ]),
        # … and the week it enters summer time (Sun 8 Mar 2026)
        ("Europe/Moscow", "America/New_York", dt.datetime(2026, 2, 20, tzinfo=UTC), dt.datetime(2026, 3, 5, 10, 0), [
            "Thu 5 Mar, 02:00–02:30 New York (10:00–10:30 Moscow)",
            "Thu 12 Mar, 03:00–03:30 New York (10:00–10:30 Moscow)",
        ]),
        # a late meeting in Tokyo falls on the previous day in New York: the bracket names its own day
        ("Asia/Tokyo", "America/New_York", dt.datetime(2026, 10, 20, tzinfo=UTC), dt.datetime(2026, 10, 29, 9, 0), [
            "Wed 28 Oct, 20:00–20:30 New York (Thu 29 Oct, 09:00–09:30 Tokyo)",
        ]),
    ],
)
def test_series_invitation_times_across_dst_weeks(world, smtp_sink, django_capture_on_commit_callbacks, zone, reader, now,
                                                  first, lines):
    world.client.time_zone, world.client.language = reader, "en"
    world.client.save()
    with time_machine.travel(now, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            series = series_create(
                actor=world.manager, project=world.project, title="Sync", rrule="FREQ=WEEKLY", first_start_local=first,
                time_zone=zone, duration_minutes=30, attendees=[world.client],
            )
        send_all()
    [message] = smtp_sink.messages
    text = text_of(message)
    for line in lines:
        assert line in text, text
    # the calendar's rule expands to the same instants as the portal's occurrences
    [master] = calendar_of(message).walk("VEVENT")
    starts = list(series.meetings.order_by("starts_at").values_list("starts_at", flat=True))
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=master.decoded("DTSTART"))
    assert [s.astimezone(UTC) for s in rule.between(starts[0] - dt.timedelta(seconds=1), starts[-1], inc=True)] == starts
    assert master.decoded("DTSTART").tzinfo == ZoneInfo(zone) or str(master["DTSTART"].params["TZID"]) == zone


def test_rsvp_confirm_page_shows_the_readers_time_then_the_meetings(world, client, django_capture_on_commit_callbacks):
    person = _people_in_zones(world)["America/New_York"]
    with time_machine.travel(dt.datetime(2026, 11, 20, 8, 0, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            meeting = meeting_create(
                actor=world.manager, project=world.project, title="Steering", starts_at=dt.datetime(2026, 12, 1, 10, 0),
                duration_minutes=60, time_zone="Europe/Moscow", attendees=[person],
            )
        token = links.action_link_create(person=person, action=ActionLink.Action.RSVP_YES, obj=meeting)
        response = client.get(reverse("engagement:action-link", args=[token]))

    assert response.status_code == 200
    assert EXPECTED["America/New_York"] in response.content.decode()
    assert Attendance.objects.get(meeting=meeting, user=person).rsvp == "none"  # a GET changes nothing


def test_series_mail_is_in_russian(world, smtp_sink, autumn, django_capture_on_commit_callbacks):
    from tests.i18n.catalogue import english_left, visible_text

    world.client.language = "ru"
    world.client.save()
    series = make_series(world, django_capture_on_commit_callbacks)
    send_all()
    with django_capture_on_commit_callbacks(execute=True):
        series_update(actor=world.manager, series=series, title="Сверка")
    send_all()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reschedule(actor=world.manager, meeting=series.meetings.order_by("starts_at")[1],
                           starts_at=dt.datetime(2026, 10, 14, 9, 0))
    send_all()
    with django_capture_on_commit_callbacks(execute=True):
        series_update(actor=world.manager, series=series, attendees=[world.manager])
    send_all()

    mails = [m for m in smtp_sink.messages if m["To"] == world.client.email]
    assert sorted(m["X-Rapport-Kind"] for m in mails) == ["cancellation", "meeting_invite", "meeting_update", "meeting_update"]
    for message in mails:
        html = message.get_body(preferencelist=("html",)).get_content()
        assert english_left(message["Subject"]) == [], message["Subject"]
        assert english_left(text_of(message)) == [], text_of(message)
        assert english_left(visible_text(html)) == []
    assert "Повторение: " in text_of(next(m for m in mails if m["X-Rapport-Kind"] == "meeting_invite"))


def test_series_time_zone_block_covers_every_occurrence(world, smtp_sink, autumn, django_capture_on_commit_callbacks):
    # an open-ended series: clients that convert with the VTIMEZONE need its rules for years ahead
    series = make_series(world, django_capture_on_commit_callbacks, attendees=[world.client])
    send_all()
    cal = calendar_of(smtp_sink.messages[0])
    [vtimezone] = cal.walk("VTIMEZONE")
    transitions = [t for tz in [vtimezone] for t in tz.walk("STANDARD")]
    rdates = [d.dt for t in transitions for r in ([t["RDATE"]] if not isinstance(t.get("RDATE"), list) else t["RDATE"]) for d in r.dts]
    assert max(rdates).year >= series.first_start.year + 9
    assert len(cal.to_ical().decode().split("BEGIN:VTIMEZONE")[1].split("END:VTIMEZONE")[0].splitlines()) < 40
