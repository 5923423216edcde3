"""Series that end (on a date or after N meetings), and answers that survive a small move.

Mail goes through the outbox to a real SMTP server and is counted per person.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.urls import reverse

from engagement.models import Attendance, MeetingSeries, MeetingStatus, Rsvp, SeriesRsvp
from engagement.services.meetings import meeting_reschedule, rsvp_set, series_rsvp_set, series_update
from tests.engagement.test_meeting_series_mail import calendar_of, make_series, per_person, send_all, text_of

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def autumn():
    with time_machine.travel(dt.datetime(2026, 10, 1, 8, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def rule_starts(message) -> list[dt.datetime]:
    [master] = [e for e in calendar_of(message).walk("VEVENT") if "RECURRENCE-ID" not in e]
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=master.decoded("DTSTART"))
    return [s.astimezone(UTC) for s in rule]


def test_a_series_that_ends_after_n_meetings_has_n_occurrences_and_says_so(
    world, smtp_sink, autumn, django_capture_on_commit_callbacks
):
    series = make_series(world, django_capture_on_commit_callbacks, end_count=3)
    send_all()

    assert series.rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=3"
    starts = list(series.meetings.order_by("starts_at").values_list("starts_at", flat=True))
    assert [s.date() for s in starts] == [dt.date(2026, 10, 6), dt.date(2026, 10, 13), dt.date(2026, 10, 20)]
    message = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    assert rule_starts(message) == starts
    assert "3 times" in text_of(message)


def test_changing_the_end_cancels_what_lies_beyond_with_one_update_each(
    world, smtp_sink, autumn, django_capture_on_commit_callbacks
):
    series = make_series(world, django_capture_on_commit_callbacks)
    third = series.meetings.order_by("starts_at")[2]
    fifth = series.meetings.order_by("starts_at")[4]
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reschedule(actor=world.manager, meeting=fifth, starts_at=dt.datetime(2026, 11, 5, 9, 0))
    send_all()
    smtp_sink.clear()
    future_before = series.meetings.filter(status=MeetingStatus.SCHEDULED).count()

    # when the series now ends on the day of its third meeting
    with django_capture_on_commit_callbacks(execute=True):
        series_update(actor=world.manager, series=series, end_date=third.starts_at.date())
    send_all()

    # then the first three stay, every later one (the one moved by hand too) is cancelled with the new end as reason
    series.refresh_from_db()
    assert series.rrule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261020"
    kept = list(series.meetings.filter(status=MeetingStatus.SCHEDULED).order_by("starts_at"))
    assert [m.starts_at.date() for m in kept] == [dt.date(2026, 10, 6), dt.date(2026, 10, 13), dt.date(2026, 10, 20)]
    cancelled = series.meetings.filter(status=MeetingStatus.CANCELLED)
    assert cancelled.count() == future_before - 3 > 10
    assert set(cancelled.values_list("cancel_reason", flat=True)) == {"The series now ends on 20 Oct 2026."}
    fifth.refresh_from_db()
    assert fifth.status == MeetingStatus.CANCELLED
    # one message per attendee, an update of the series whose rule stops at the third meeting; no EXDATE flood
    assert per_person(smtp_sink) == {world.manager.email: 1, world.client_lead.email: 1, world.client.email: 1}
    message = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    assert message["X-Rapport-Kind"] == "meeting_update"
    assert calendar_of(message)["METHOD"] == "REQUEST"
    assert rule_starts(message) == [m.original_start for m in kept]
    events = calendar_of(message).walk("VEVENT")
    assert len(events) == 1 and "EXDATE" not in events[0]
    # and materialising later brings nothing back
    from engagement.services.series import occurrences_materialise

    with time_machine.travel(dt.datetime(2026, 12, 1, 8, 0, tzinfo=UTC), tick=False):
        assert occurrences_materialise(series=series) == []


def test_an_end_after_n_meetings_counts_from_the_first(world, smtp_sink, autumn, django_capture_on_commit_callbacks):
    series = make_series(world, django_capture_on_commit_callbacks)
    send_all()
    smtp_sink.clear()

    with django_capture_on_commit_callbacks(execute=True):
        series_update(actor=world.manager, series=series, end_count=2)
    send_all()

    assert list(series.meetings.filter(status=MeetingStatus.SCHEDULED).values_list("original_start", flat=True)) == [
        dt.datetime(2026, 10, 6, 8, 0, tzinfo=UTC), dt.datetime(2026, 10, 13, 8, 0, tzinfo=UTC)]
    assert smtp_sink.count() == 3


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"end_date": dt.date(2026, 10, 5)}, "end_date", "cannot end before its first meeting"),
        ({"end_count": 0}, "end_count", "between 1 and 1000"),
        ({"end_date": dt.date(2026, 12, 1), "end_count": 3}, "end_count", "Choose one end"),
    ],
)
def test_bad_ends_are_refused_and_change_nothing(world, autumn, django_capture_on_commit_callbacks, fields, field, message):
    series = make_series(world, django_capture_on_commit_callbacks)
    before = (series.rrule, series.sequence, series.meetings.filter(status=MeetingStatus.SCHEDULED).count())

    with pytest.raises(ValidationError) as error:
        series_update(actor=world.manager, series=series, **fields)

    assert message in " ".join(error.value.message_dict[field])
    series.refresh_from_db()
    assert (series.rrule, series.sequence, series.meetings.filter(status=MeetingStatus.SCHEDULED).count()) == before


def test_an_end_date_already_past_is_refused(world, autumn, django_capture_on_commit_callbacks):
    series = make_series(world, django_capture_on_commit_callbacks)
    with time_machine.travel(dt.datetime(2026, 10, 20, 8, 0, tzinfo=UTC), tick=False):
        with pytest.raises(ValidationError) as error:
            series_update(actor=world.manager, series=series, end_date=dt.date(2026, 10, 14))
    assert "end it instead" in error.value.message_dict["end_date"][0]


# --- the form ---------------------------------------------------------------


def _form_post(world, **extra) -> dict:
    data = {
        "title": "Steering", "purpose": "", "pattern": "weekly", "interval": 1, "weekdays": ["TU"],
        "first_date": "2026-10-06", "start_time": "10:00", "time_zone": "Europe/Berlin", "duration_minutes": 45,
        "location": "", "attendees": [world.manager.pk, world.client.pk], "ends": "never",
    }
    data.update(extra)
    return data


def test_the_form_schedules_a_series_that_ends_after_n_meetings(client, world, autumn):
    client.force_login(world.manager)
    response = client.post(
        reverse("engagement:series-new", args=[world.project.slug]), _form_post(world, ends="after", end_count=4)
    )
    assert response.status_code == 302
    series = MeetingSeries.objects.get(title="Steering")
    assert series.rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=4" and series.meetings.count() == 4
    # and the edit form shows the end it has
    body = client.get(reverse("engagement:series-edit", args=[world.project.slug, series.pk])).content.decode()
    assert 'value="after" id="id_ends_2" checked' in body and 'name="end_count" value="4"' in body


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"ends": "on", "end_date": "2026-10-01"}, "The series cannot end before its first meeting."),
        ({"ends": "on", "end_date": ""}, "Choose the date of the last meeting."),
        ({"ends": "after", "end_count": "0"}, "greater than or equal to 1"),
        ({"ends": "after", "end_count": ""}, "Say after how many meetings the series ends."),
    ],
)
def test_the_form_says_what_is_wrong_with_the_end_and_keeps_what_was_typed(client, world, autumn, extra, error):
    client.force_login(world.manager)
    response = client.post(reverse("engagement:series-new", args=[world.project.slug]), _form_post(world, **extra))
    body = response.content.decode()
    assert response.status_code == 400 and error in body
    assert 'value="Steering"' in body and 'name="first_date" value="2026-10-06"' in body
    assert not MeetingSeries.objects.exists()


def test_the_edit_confirmation_says_how_many_meetings_the_new_end_cancels(client, world, autumn, django_capture_on_commit_callbacks):
    client.force_login(world.manager)
    series = make_series(world, django_capture_on_commit_callbacks, title="Steering")
    future = series.meetings.filter(status=MeetingStatus.SCHEDULED).count()
    url = reverse("engagement:series-edit", args=[world.project.slug, series.pk])
    post = _form_post(
        world, ends="after", end_count=5, reminder_offsets=[1440, 60],
        attendees=[world.manager.pk, world.client_lead.pk, world.client.pk],
    )

    body = client.post(url, post).content.decode()

    assert f"{future - 5} upcoming meetings after the new end are cancelled." in body
    assert "upcoming meetings move to the new schedule" not in body
    assert series.meetings.filter(status=MeetingStatus.SCHEDULED).count() == future
    response = client.post(url, {**post, "confirmed": "on"})
    assert response.status_code == 302
    assert series.meetings.filter(status=MeetingStatus.SCHEDULED).count() == 5


# --- answers and moves (issue 20) -------------------------------------------


def test_answers_survive_a_move_within_the_policy(world, smtp_sink, autumn, django_capture_on_commit_callbacks, settings):
    settings.MEETING_RSVP_KEEP_MINUTES = 120
    series = make_series(world, django_capture_on_commit_callbacks)
    meeting = series.meetings.order_by("starts_at")[1]
    rsvp_set(actor=world.client, meeting=meeting, answer=Rsvp.YES)
    send_all()
    smtp_sink.clear()

    with django_capture_on_commit_callbacks(execute=True):
        meeting_reschedule(actor=world.manager, meeting=meeting, starts_at=dt.datetime(2026, 10, 13, 12, 0))
    send_all()

    assert Attendance.objects.get(meeting=meeting, user=world.client).rsvp == Rsvp.YES
    message = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    [event] = calendar_of(message).walk("VEVENT")
    mine = next(a for a in event["ATTENDEE"] if str(a) == f"mailto:{world.client.email}")
    assert mine.params["PARTSTAT"] == "ACCEPTED" and "RSVP" not in mine.params


def test_a_move_beyond_the_policy_asks_again_once(world, smtp_sink, autumn, django_capture_on_commit_callbacks, settings):
    settings.MEETING_RSVP_KEEP_MINUTES = 120
    series = make_series(world, django_capture_on_commit_callbacks)
    meeting = series.meetings.order_by("starts_at")[1]
    rsvp_set(actor=world.client, meeting=meeting, answer=Rsvp.YES)
    send_all()
    smtp_sink.clear()

    # when it moves by three hours
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reschedule(actor=world.manager, meeting=meeting, starts_at=dt.datetime(2026, 10, 13, 13, 0))
    send_all()

    # then the answer is forgotten and the one update asks again, with the links
    assert Attendance.objects.get(meeting=meeting, user=world.client).rsvp == Rsvp.NONE
    assert per_person(smtp_sink)[world.client.email] == 1
    message = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    [event] = calendar_of(message).walk("VEVENT")
    mine = next(a for a in event["ATTENDEE"] if str(a) == f"mailto:{world.client.email}")
    assert mine.params["PARTSTAT"] == "NEEDS-ACTION" and mine.params["RSVP"] == "TRUE"
    assert "no answer yet" in text_of(message) and "/e/" in text_of(message)


def test_a_series_moved_a_little_keeps_answers_and_moved_a_day_asks_again(
    world, smtp_sink, autumn, django_capture_on_commit_callbacks, settings
):
    settings.MEETING_RSVP_KEEP_MINUTES = 120
    series = make_series(world, django_capture_on_commit_callbacks)
    series_rsvp_set(actor=world.client, series=series, answer=Rsvp.YES)

    with django_capture_on_commit_callbacks(execute=True):
        series_update(actor=world.manager, series=series, first_start_local=dt.datetime(2026, 10, 6, 11, 0))
    assert SeriesRsvp.objects.get(series=series, user=world.client).rsvp == Rsvp.YES
    assert set(Attendance.objects.filter(meeting__series=series, user=world.client).values_list("rsvp", flat=True)) == {"yes"}

    send_all()
    smtp_sink.clear()
    with django_capture_on_commit_callbacks(execute=True):
        series_update(actor=world.manager, series=series, rrule="FREQ=WEEKLY;BYDAY=WE")
    send_all()

    assert SeriesRsvp.objects.get(series=series, user=world.client).rsvp == Rsvp.NONE
    assert set(Attendance.objects.filter(meeting__series=series, user=world.client).values_list("rsvp", flat=True)) == {"none"}
    assert per_person(smtp_sink) == {world.manager.email: 1, world.client_lead.email: 1, world.client.email: 1}
    message = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    master = next(e for e in calendar_of(message).walk("VEVENT") if "RECURRENCE-ID" not in e)
    mine = next(a for a in master["ATTENDEE"] if str(a) == f"mailto:{world.client.email}")
    assert mine.params["PARTSTAT"] == "NEEDS-ACTION" and mine.params["RSVP"] == "TRUE"


def test_removed_from_a_changed_series_gets_only_a_cancel(world, smtp_sink, autumn, django_capture_on_commit_callbacks):
    series = make_series(world, django_capture_on_commit_callbacks)
    send_all()
    smtp_sink.clear()

    with django_capture_on_commit_callbacks(execute=True):
        series_update(actor=world.manager, series=series, title="Steering", attendees=[world.manager, world.client_lead])
    send_all()

    assert per_person(smtp_sink) == {world.manager.email: 1, world.client_lead.email: 1, world.client.email: 1}
    removed = next(m for m in smtp_sink.messages if m["To"] == world.client.email)
    cal = calendar_of(removed)
    [event] = cal.walk("VEVENT")
    assert removed["X-Rapport-Kind"] == "cancellation"
    assert cal["METHOD"] == "CANCEL" and "STATUS" not in event and str(event["UID"]) == str(series.uid)
    assert not Attendance.objects.filter(meeting__series=series, user=world.client).exists()
