"""Meetings tab: the series picker writes an RRULE, the meeting page, agenda, cancel, move, close with outcomes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement.models import Decision, Meeting, MeetingSeries
from projects.models import Task
from tests import factories as f


def _url(name, world, *args):
    return reverse(name, args=[world.project.slug, *args])


def _series_post(world, **extra):
    data = {
        "title": "Weekly check-in",
        "pattern": "weekly",
        "interval": 1,
        "weekdays": ["TU", "TH"],
        "setpos": "1",
        "month_weekday": "MO",
        "first_date": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        "start_time": "10:00",
        "time_zone": "Europe/Moscow",
        "duration_minutes": 30,
        "attendees": [world.manager.pk, world.client.pk],
    }
    data.update(extra)
    return data


def test_weekly_series_writes_an_rrule_and_materialises_meetings(client, world):
    client.force_login(world.manager)
    response = client.post(_url("engagement:series-new", world), _series_post(world))
    series = MeetingSeries.objects.get(project=world.project)
    assert response.status_code == 302
    assert series.rrule == "FREQ=WEEKLY;BYDAY=TU,TH"
    assert series.time_zone == "Europe/Moscow"
    assert set(series.attendees.all()) == {world.manager, world.client}
    first = series.meetings.order_by("starts_at").first()
    assert timezone.localtime(first.starts_at, dt.timezone(dt.timedelta(hours=3))).hour == 10
    page = client.get(_url("engagement:meetings", world)).content.decode()
    assert "Weekly check-in" in page


def test_every_two_weeks_and_monthly_on_the_last_friday(client, world):
    client.force_login(world.manager)
    client.post(_url("engagement:series-new", world), _series_post(world, title="Fortnightly", interval=2, weekdays=["MO"]))
    client.post(_url("engagement:series-new", world), _series_post(world, title="Steering", pattern="monthly", setpos="-1", month_weekday="FR"))
    assert MeetingSeries.objects.get(title="Fortnightly").rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    steering = MeetingSeries.objects.get(title="Steering").rrule
    assert "FREQ=MONTHLY" in steering and ("BYDAY=-1FR" in steering or ("BYSETPOS=-1" in steering and "FR" in steering))


def test_series_form_errors_keep_input(client, world):
    client.force_login(world.manager)
    response = client.post(_url("engagement:series-new", world), _series_post(world, title="Keep this title", first_date="", duration_minutes=2))
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_first_date_error"' in body and 'id="id_duration_minutes_error"' in body
    assert 'value="Keep this title"' in body
    assert not MeetingSeries.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("client_lead", 403), ("client", 403), ("outsider", 404)])
def test_clients_and_outsiders_cannot_schedule(client, world, persona, status):
    client.force_login(world.persona(persona))
    response = client.post(_url("engagement:series-new", world), _series_post(world))
    assert response.status_code == status
    assert not MeetingSeries.objects.exists() and not Meeting.objects.exists()


def test_team_member_can_schedule(client, world):
    client.force_login(world.team)
    assert client.post(_url("engagement:series-new", world), _series_post(world)).status_code == 302
    assert MeetingSeries.objects.count() == 1


def test_cancel_one_meeting_needs_a_reason_and_names_who_is_emailed(client, world):
    meeting = f.MeetingFactory(project=world.project)
    f.AttendanceFactory(meeting=meeting, user=world.client)
    client.force_login(world.manager)
    page = client.get(_url("engagement:meeting", world, meeting.pk)).content.decode()
    assert "These people will be e-mailed: Boris Client" in page

    refused = client.post(_url("engagement:meeting-cancel", world, meeting.pk), {"reason": ""})
    meeting.refresh_from_db()
    assert refused.status_code == 400 and meeting.status == "scheduled"

    done = client.post(_url("engagement:meeting-cancel", world, meeting.pk), {"reason": "Client offsite"})
    meeting.refresh_from_db()
    assert done.status_code == 302
    assert meeting.status == "cancelled" and meeting.cancel_reason == "Client offsite"


def test_client_cannot_cancel(client, world):
    meeting = f.MeetingFactory(project=world.project)
    client.force_login(world.client_lead)
    assert client.post(_url("engagement:meeting-cancel", world, meeting.pk), {"reason": "no"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_reschedule_in_the_meetings_zone(client, world):
    meeting = f.MeetingFactory(project=world.project, time_zone="Europe/Moscow")
    day = timezone.localdate() + dt.timedelta(days=10)
    client.force_login(world.team)
    response = client.post(_url("engagement:meeting-reschedule", world, meeting.pk), {"date": day.isoformat(), "time": "15:00", "reason": "Clash"})
    meeting.refresh_from_db()
    assert response.status_code == 302
    assert meeting.starts_at == dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)
    assert meeting.rescheduled_from is not None


def test_agenda_draft_and_save(client, world):
    meeting = f.MeetingFactory(project=world.project)
    f.TaskFactory(project=world.project, owner=world.client, title="Overdue copy", due_date=timezone.localdate() - dt.timedelta(days=4))
    client.force_login(world.manager)
    draft = client.get(_url("engagement:meeting-agenda-draft", world, meeting.pk), HTTP_HX_REQUEST="true")
    assert draft.status_code == 200 and "Overdue copy" in draft.content.decode()
    client.post(_url("engagement:meeting-agenda", world, meeting.pk), {"agenda": "1. Overdue copy", "version": meeting.version})
    meeting.refresh_from_db()
    assert meeting.agenda == "1. Overdue copy"


def test_client_cannot_edit_the_agenda(client, world):
    meeting = f.MeetingFactory(project=world.project, agenda="Original")
    client.force_login(world.client)
    assert client.post(_url("engagement:meeting-agenda", world, meeting.pk), {"agenda": "Mine"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.agenda == "Original"


def _past_meeting(world):
    start = timezone.now() - dt.timedelta(hours=2)
    meeting = f.MeetingFactory(project=world.project, starts_at=start, ends_at=start + dt.timedelta(minutes=30))
    f.AttendanceFactory(meeting=meeting, user=world.client)
    f.AttendanceFactory(meeting=meeting, user=world.manager)
    return meeting


def _hold_post(world, **extra):
    data = {
        "minutes": "Agreed the launch plan.",
        "attended": [world.client.pk, world.manager.pk],
        "share_minutes": "on",
        "outcome-TOTAL_FORMS": "3",
        "outcome-INITIAL_FORMS": "0",
        "outcome-MIN_NUM_FORMS": "0",
        "outcome-MAX_NUM_FORMS": "10",
        "outcome-0-kind": "task",
        "outcome-0-title": "Send the final copy",
        "outcome-0-owner": world.client.pk,
        "outcome-0-due_date": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
        "outcome-1-kind": "decision",
        "outcome-1-title": "Launch on a Tuesday",
        "outcome-1-decision": "Tuesdays have the least traffic.",
        "outcome-1-involvement": "informed",
    }
    data.update(extra)
    return data


def test_close_a_meeting_with_minutes_and_outcomes(client, world):
    meeting = _past_meeting(world)
    client.force_login(world.manager)
    response = client.post(_url("engagement:meeting-hold", world, meeting.pk), _hold_post(world))
    meeting.refresh_from_db()
    assert response.status_code == 302
    assert meeting.status == "held" and meeting.minutes == "Agreed the launch plan."
    task = Task.objects.get(title="Send the final copy")
    assert task.owner == world.client and meeting.outcome_tasks.filter(pk=task.pk).exists()
    assert Decision.objects.get(title="Launch on a Tuesday").meeting == meeting
    page = client.get(_url("engagement:meeting", world, meeting.pk)).content.decode()
    assert "Send the final copy" in page and "Launch on a Tuesday" in page


def test_outcome_task_without_owner_is_refused_and_nothing_is_created(client, world):
    meeting = _past_meeting(world)
    client.force_login(world.manager)
    response = client.post(_url("engagement:meeting-hold", world, meeting.pk), _hold_post(world, **{"outcome-0-owner": ""}))
    meeting.refresh_from_db()
    assert response.status_code == 400
    assert 'id="id_outcome-0-owner_error"' in response.content.decode()
    assert meeting.status == "scheduled" and not Task.objects.exists() and not Decision.objects.exists()


def test_client_cannot_close_a_meeting(client, world):
    meeting = _past_meeting(world)
    client.force_login(world.client_lead)
    assert client.post(_url("engagement:meeting-hold", world, meeting.pk), _hold_post(world)).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == "scheduled" and not Task.objects.exists()


def test_end_a_series(client, world):
    client.force_login(world.manager)
    client.post(_url("engagement:series-new", world), _series_post(world))
    series = MeetingSeries.objects.get()
    response = client.post(_url("engagement:series-end", world, series.pk), {"reason": "Project paused"})
    series.refresh_from_db()
    assert response.status_code == 302 and series.ended_at is not None
    assert not series.meetings.filter(status="scheduled", starts_at__gt=timezone.now()).exists()


def test_meeting_of_another_project_is_404(client, world):
    meeting = f.MeetingFactory(project=world.other_project)
    client.force_login(world.team)
    assert client.get(_url("engagement:meeting", world, meeting.pk)).status_code == 404


def test_overview_next_meeting_card_shows_the_draft_agenda(client, world):
    f.MeetingFactory(project=world.project, title="Thursday sync")
    f.TaskFactory(project=world.project, owner=world.client, title="Late brand assets", due_date=timezone.localdate() - dt.timedelta(days=4))
    client.force_login(world.manager)
    body = client.get(_url("engagement:overview-meeting", world)).content.decode()
    assert "Thursday sync" in body and "Draft agenda" in body and "Late brand assets" in body


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_meetings_list_query_count_does_not_grow(client, world):
    client.force_login(world.manager)
    series = f.MeetingSeriesFactory(project=world.project)
    now = timezone.now()
    for days in (-3, 3):
        m = f.MeetingFactory(project=world.project, series=series, starts_at=now + dt.timedelta(days=days), ends_at=now + dt.timedelta(days=days, hours=1))
        f.AttendanceFactory(meeting=m, user=world.client)
    few = _count(client, _url("engagement:meetings", world))
    for i in range(30):
        m = f.MeetingFactory(project=world.project, starts_at=now + dt.timedelta(days=i - 15, hours=1), ends_at=now + dt.timedelta(days=i - 15, hours=2))
        f.AttendanceFactory(meeting=m, user=world.client)
    f.MeetingSeriesFactory(project=world.project)
    assert _count(client, _url("engagement:meetings", world)) == few
