"""Meetings tab, second part: the one-off meeting form and editing a series through a confirmation step."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.models import Attendance, Meeting, MeetingSeries
from portal.outbox.models import OutboundMessage
from projects.models import AuditEvent
from tests.engagement.test_views_meetings import _series_post

MOSCOW = ZoneInfo("Europe/Moscow")


def _url(name, world, *args):
    return reverse(name, args=[world.project.slug, *args])


def _meeting_post(world, **extra):
    data = {
        "title": "Kick-off",
        "date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "time": "15:30",
        "time_zone": "Europe/Moscow",
        "duration_minutes": 45,
        "location": "Room 4",
        "agenda": "Scope\nTimeline",
        "attendees": [world.manager.pk, world.client_lead.pk],
    }
    data.update(extra)
    return data


def test_one_off_meeting_is_created_in_the_chosen_zone(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("engagement:meeting-new", world), _meeting_post(world))
    meeting = Meeting.objects.get(project=world.project)
    assert response.status_code == 302 and response["Location"] == _url("engagement:meeting", world, meeting.pk)
    assert meeting.series is None and meeting.title == "Kick-off" and meeting.location == "Room 4"
    local = meeting.starts_at.astimezone(MOSCOW)
    assert (local.hour, local.minute) == (15, 30)
    assert meeting.ends_at - meeting.starts_at == dt.timedelta(minutes=45)
    assert set(Attendance.objects.filter(meeting=meeting).values_list("user_id", flat=True)) == {world.manager.pk, world.client_lead.pk}
    assert OutboundMessage.objects.filter(to_email=world.client_lead.email).exists()


def test_meetings_tab_offers_the_one_off_form(client, world):
    client.force_login(world.manager)
    body = client.get(_url("engagement:meetings", world)).content.decode()
    assert _url("engagement:meeting-new", world) in body
    form = client.get(_url("engagement:meeting-new", world)).content.decode()
    assert 'name="time_zone"' in form
    assert re.search(rf'value="{world.manager.pk}" id="id_attendees_\d+" checked', form)
    assert not re.search(rf'value="{world.client.pk}" id="id_attendees_\d+" checked', form)


def test_one_off_meeting_in_the_past_is_refused_with_the_input_kept(client, world):
    client.force_login(world.manager)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(_url("engagement:meeting-new", world), _meeting_post(world, date=yesterday, title="Keep me"))
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_date_error"' in body and "Choose a time in the future." in body and 'value="Keep me"' in body
    assert not Meeting.objects.exists()


def test_one_off_meeting_with_bad_duration_is_refused(client, world):
    client.force_login(world.manager)
    response = client.post(_url("engagement:meeting-new", world), _meeting_post(world, duration_minutes=1, time=""))
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_duration_minutes_error"' in body and 'id="id_time_error"' in body
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("client_lead", 403), ("client", 403), ("outsider", 404), ("other_client", 404)])
def test_clients_and_outsiders_cannot_create_a_one_off_meeting(client, world, persona, status):
    client.force_login(world.persona(persona))
    assert client.post(_url("engagement:meeting-new", world), _meeting_post(world)).status_code == status
    assert not Meeting.objects.exists() and not OutboundMessage.objects.exists()


def _series(client, world):
    client.post(_url("engagement:series-new", world), _series_post(world))
    return MeetingSeries.objects.get()


def test_series_edit_form_is_filled_from_the_series(client, world):
    client.force_login(world.manager)
    client.post(_url("engagement:series-new", world), _series_post(world, pattern="monthly", setpos="-1", month_weekday="FR", interval=2))
    series = MeetingSeries.objects.get()
    body = client.get(_url("engagement:series-edit", world, series.pk)).content.decode()
    assert 'value="Weekly check-in"' in body
    assert 'value="monthly" id="id_pattern_1" required checked' in body
    assert 'name="interval" value="2"' in body
    assert '<option value="-1" selected>' in body and '<option value="FR" selected>' in body
    assert 'name="start_time" value="10:00"' in body
    assert 'value="1440" id="id_reminder_offsets_1" checked' in body and 'value="15" id="id_reminder_offsets_4">' in body


def test_series_edit_shows_what_moves_and_who_is_told_before_saving(client, world):
    client.force_login(world.manager)
    series = _series(client, world)
    before = list(series.meetings.order_by("starts_at").values_list("starts_at", flat=True))
    audit_before = AuditEvent.objects.count()
    response = client.post(
        _url("engagement:series-edit", world, series.pk),
        _series_post(world, start_time="11:00", attendees=[world.manager.pk, world.client.pk, world.client_lead.pk]),
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="series-confirm"' in body
    assert "upcoming meetings move to the new schedule" in body
    assert "11:00 · Moscow · 30 minutes" in body
    assert "Added: Lena Lead" in body
    assert "Updated calendar invitations go to:" in body and "Boris Client" in body and "Lena Lead" in body
    series.refresh_from_db()
    assert list(series.meetings.order_by("starts_at").values_list("starts_at", flat=True)) == before
    assert set(series.attendees.all()) == {world.manager, world.client}
    assert AuditEvent.objects.count() == audit_before


def test_confirmed_series_edit_moves_future_meetings_and_updates_attendees(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.manager)
    series = _series(client, world)
    data = _series_post(world, title="Tuesday sync", weekdays=["TU"], start_time="11:00", duration_minutes=45,
                        attendees=[world.manager.pk, world.client_lead.pk], reminder_offsets=["60", "15"], confirmed="on")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("engagement:series-edit", world, series.pk), data)
    assert response.status_code == 302 and response["Location"] == _url("engagement:meetings", world)
    series.refresh_from_db()
    assert series.title == "Tuesday sync" and series.rrule == "FREQ=WEEKLY;BYDAY=TU" and series.duration_minutes == 45
    assert series.reminder_offsets == [60, 15]
    assert set(series.attendees.all()) == {world.manager, world.client_lead}
    future = series.meetings.filter(status="scheduled", starts_at__gt=timezone.now())
    assert future.exists()
    for meeting in future:
        local = meeting.starts_at.astimezone(MOSCOW)
        assert (local.weekday(), local.hour) == (1, 11) and meeting.title == "Tuesday sync"
        assert set(Attendance.objects.filter(meeting=meeting).values_list("user_id", flat=True)) == {world.manager.pk, world.client_lead.pk}
    assert AuditEvent.objects.filter(action="meeting_series.update").exists()


def test_back_to_the_form_from_the_series_confirmation_changes_nothing(client, world):
    client.force_login(world.manager)
    series = _series(client, world)
    response = client.post(_url("engagement:series-edit", world, series.pk), _series_post(world, title="Renamed", confirmed="on", edit="1"))
    body = response.content.decode()
    assert response.status_code == 200 and 'value="Renamed"' in body and 'name="confirmed"' not in body
    series.refresh_from_db()
    assert series.title == "Weekly check-in"


def test_series_edit_with_bad_input_keeps_the_series(client, world):
    client.force_login(world.manager)
    series = _series(client, world)
    response = client.post(_url("engagement:series-edit", world, series.pk), _series_post(world, duration_minutes=1, confirmed="on"))
    assert response.status_code == 400 and 'id="id_duration_minutes_error"' in response.content.decode()
    series.refresh_from_db()
    assert series.duration_minutes == 30


@pytest.mark.parametrize(("persona", "status"), [("client_lead", 403), ("client", 403), ("outsider", 404), ("other_client", 404)])
def test_clients_and_outsiders_cannot_edit_a_series(client, world, persona, status):
    client.force_login(world.manager)
    series = _series(client, world)
    mails = OutboundMessage.objects.count()
    client.force_login(world.persona(persona))
    response = client.post(_url("engagement:series-edit", world, series.pk), _series_post(world, title="Hijacked", confirmed="on"))
    assert response.status_code == status
    series.refresh_from_db()
    assert series.title == "Weekly check-in" and OutboundMessage.objects.count() == mails


def test_an_ended_series_cannot_be_edited(client, world):
    client.force_login(world.manager)
    series = _series(client, world)
    client.post(_url("engagement:series-end", world, series.pk), {"reason": "Paused"})
    response = client.post(_url("engagement:series-edit", world, series.pk), _series_post(world, title="Later", confirmed="on"))
    series.refresh_from_db()
    assert response.status_code == 302 and series.title == "Weekly check-in"
