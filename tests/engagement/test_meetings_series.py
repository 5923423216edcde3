import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from engagement.models import Attendance, Meeting, MeetingSeries, MeetingStatus
from engagement.services.meetings import (
    meeting_reschedule,
    occurrences_materialise,
    series_create,
    series_end,
    series_update,
)
from portal.core.exceptions import ApplicationError
from projects.models import AuditEvent

MOSCOW = ZoneInfo("Europe/Moscow")


def next_weekday(weekday: int, hour: int = 10) -> dt.datetime:
    """A naive local wall-clock time on the next `weekday` (0 = Monday), at least a day ahead."""
    day = timezone.localdate() + dt.timedelta(days=2)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, 0))


def calls(callbacks, func):
    return sorted(cb.args[0] for cb in callbacks if getattr(cb, "func", None) is func)


def notified(callbacks) -> list[tuple]:
    """The e-mail follow-ups scheduled on commit, as (function name, *arguments)."""
    return [
        (cb.func.__name__, *cb.args) for cb in callbacks
        if getattr(getattr(cb, "func", None), "__module__", "") == "engagement.notifications"
    ]


def counts():
    return (MeetingSeries.objects.count(), Meeting.objects.count(), Attendance.objects.count(), AuditEvent.objects.count())


def make_series(world, **overrides):
    args = dict(
        actor=world.manager, project=world.project, title="Weekly sync", rrule="FREQ=WEEKLY;BYDAY=TU",
        first_start_local=next_weekday(1), time_zone="Europe/Moscow", duration_minutes=45,
        attendees=[world.manager, world.client_lead, world.client],
    )
    args.update(overrides)
    return series_create(**args)


def test_series_create_materialises_the_horizon_at_ten_local(world, settings, django_capture_on_commit_callbacks):
    settings.MEETING_HORIZON_DAYS = 120
    with django_capture_on_commit_callbacks() as callbacks:
        series = make_series(world)
    meetings = list(series.meetings.order_by("starts_at"))
    assert 16 <= len(meetings) <= 18  # 120 days of Tuesdays, the first 2 to 8 days ahead
    for meeting in meetings:
        local = meeting.starts_at.astimezone(MOSCOW)
        assert (local.weekday(), local.hour, local.minute) == (1, 10, 0)
        assert meeting.ends_at - meeting.starts_at == dt.timedelta(minutes=45)
        assert meeting.original_start == meeting.starts_at
        assert meeting.sequence == 0 and meeting.status == MeetingStatus.SCHEDULED
    assert series.first_start == meetings[0].starts_at
    assert Attendance.objects.filter(meeting__series=series).count() == 3 * len(meetings)
    assert set(series.attendees.values_list("pk", flat=True)) == {world.manager.pk, world.client_lead.pk, world.client.pk}
    # One invitation of the whole series; no occurrence is announced on its own.
    assert notified(callbacks) == [("series_invited", series.pk)]
    event = AuditEvent.objects.get(action="meeting_series.create")
    assert event.actor == world.manager and event.changes["rrule"]["new"] == "FREQ=WEEKLY;BYDAY=TU"


def test_team_member_may_schedule(world):
    series = make_series(world, actor=world.team)
    assert series.meetings.exists()


@pytest.mark.parametrize(
    ("persona", "error"),
    [("client_lead", PermissionDenied), ("client", PermissionDenied), ("outsider", Http404), ("other_client", Http404)],
)
def test_series_create_refused_changes_nothing(world, persona, error, django_capture_on_commit_callbacks):
    before = counts()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(error):
        make_series(world, actor=world.persona(persona))
    assert counts() == before
    assert callbacks == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"rrule": "FREQ=YEARLY"},
        {"rrule": "nonsense"},
        {"time_zone": "Mars/Olympus"},
        {"duration_minutes": 2},
        {"attendees": "other_client"},
    ],
)
def test_series_create_invalid_input_changes_nothing(world, overrides, django_capture_on_commit_callbacks):
    if overrides.get("attendees") == "other_client":
        overrides = {"attendees": [world.manager, world.other_client]}
    before = counts()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError):
        make_series(world, **overrides)
    assert counts() == before
    assert callbacks == []


def test_materialise_twice_makes_no_duplicates(world, settings, django_capture_on_commit_callbacks):
    settings.MEETING_HORIZON_DAYS = 28
    series = make_series(world)
    first = series.meetings.count()
    assert 3 <= first <= 4
    until = timezone.now() + dt.timedelta(days=90)
    with django_capture_on_commit_callbacks() as callbacks:
        created = occurrences_materialise(series=series, until=until)
        again = occurrences_materialise(series=series, until=until)
    assert again == []
    assert len(created) >= 8
    assert series.meetings.count() == first + len(created)
    starts = list(series.meetings.values_list("original_start", flat=True))
    assert len(starts) == len(set(starts))
    assert Attendance.objects.filter(meeting__in=created).count() == 3 * len(created)
    # Materialising announces nothing: the series invitation holds every occurrence.
    assert notified(callbacks) == []
    assert AuditEvent.objects.filter(action="meeting_series.materialise").count() == 1


def test_materialise_does_not_recreate_a_slot_that_exists(world, settings):
    settings.MEETING_HORIZON_DAYS = 28
    series = make_series(world)
    MeetingSeries.objects.filter(pk=series.pk).update(materialised_until=None)
    series.refresh_from_db()
    assert occurrences_materialise(series=series, until=timezone.now() + dt.timedelta(days=28)) == []


def test_series_update_moves_future_unmoved_occurrences_and_keeps_uids(world, settings, django_capture_on_commit_callbacks):
    settings.MEETING_HORIZON_DAYS = 60
    series = make_series(world)
    meetings = list(series.meetings.order_by("starts_at"))
    moved = meeting_reschedule(actor=world.manager, meeting=meetings[1], starts_at=meetings[1].starts_at + dt.timedelta(hours=3))
    uids = {m.pk: m.uid for m in meetings}
    with django_capture_on_commit_callbacks() as callbacks:
        series_update(actor=world.manager, series=series, rrule="FREQ=WEEKLY;BYDAY=TH")
    after = {m.pk: m for m in series.meetings.all()}
    for pk, meeting in after.items():
        if pk in uids:
            assert meeting.uid == uids[pk]
    moved.refresh_from_db()
    assert moved.starts_at == meetings[1].starts_at + dt.timedelta(hours=3)
    assert moved.sequence == 1
    followed = [m for m in after.values() if m.pk != moved.pk and m.status == MeetingStatus.SCHEDULED]
    for meeting in followed:
        local = meeting.starts_at.astimezone(MOSCOW)
        assert (local.weekday(), local.hour) == (3, 10)
    changed = [m.pk for m in followed if m.pk in uids]
    assert changed and all(after[pk].sequence == 1 for pk in changed)
    # The series goes out again once (SEQUENCE 1), not once per moved occurrence.
    series.refresh_from_db()
    assert series.sequence == 1
    assert notified(callbacks) == [("series_invited", series.pk)]
    event = AuditEvent.objects.get(action="meeting_series.update")
    assert event.changes["rrule"] == {"old": "FREQ=WEEKLY;BYDAY=TU", "new": "FREQ=WEEKLY;BYDAY=TH"}


def test_series_update_to_every_other_week_cancels_the_extra_slots(world, settings, django_capture_on_commit_callbacks):
    settings.MEETING_HORIZON_DAYS = 56
    series = make_series(world)
    before = series.meetings.count()
    with django_capture_on_commit_callbacks() as callbacks:
        series_update(actor=world.manager, series=series, rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU")
    scheduled = series.meetings.filter(status=MeetingStatus.SCHEDULED)
    cancelled = series.meetings.filter(status=MeetingStatus.CANCELLED)
    assert series.meetings.count() == before
    assert scheduled.count() + cancelled.count() == before
    assert cancelled.count() >= before // 2 - 1
    assert all(m.cancel_reason and m.sequence == 1 for m in cancelled)
    assert notified(callbacks) == [("series_invited", series.pk)]
    starts = list(scheduled.order_by("starts_at").values_list("starts_at", flat=True))
    gaps = {(later - earlier).days for earlier, later in zip(starts, starts[1:], strict=False)}
    assert gaps == {14}


def test_series_update_title_and_attendees_bump_sequence(world, django_capture_on_commit_callbacks):
    series = make_series(world)
    future = list(series.meetings.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks() as callbacks:
        series_update(actor=world.team, series=series, title="Steering", attendees=[world.manager, world.client_lead, world.team])
    assert set(series.meetings.values_list("title", flat=True)) == {"Steering"}
    assert set(series.meetings.values_list("sequence", flat=True)) == {1}
    assert not Attendance.objects.filter(meeting__series=series, user=world.client).exists()
    assert Attendance.objects.filter(meeting__series=series, user=world.team).count() == len(future)
    series.refresh_from_db()
    assert series.sequence == 1
    assert notified(callbacks) == [("series_uninvited", series.pk, [world.client.pk]), ("series_invited", series.pk)]


def test_series_update_without_changes_does_nothing(world, django_capture_on_commit_callbacks):
    series = make_series(world)
    before = counts()
    with django_capture_on_commit_callbacks() as callbacks:
        series_update(actor=world.manager, series=series, title="Weekly sync")
    assert counts() == before and callbacks == []


def test_series_update_refusals_change_nothing(world, django_capture_on_commit_callbacks):
    series = make_series(world)
    before = counts()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(PermissionDenied):
            series_update(actor=world.client_lead, series=series, title="Mine")
        with pytest.raises(ApplicationError):
            series_update(actor=world.manager, series=series, organiser=world.team)
        with pytest.raises(ValidationError):
            series_update(actor=world.manager, series=series, rrule="FREQ=SECONDLY")
    assert counts() == before and callbacks == []
    series.refresh_from_db()
    assert series.title == "Weekly sync"


def test_series_end_cancels_future_occurrences(world, django_capture_on_commit_callbacks):
    series = make_series(world)
    future = sorted(series.meetings.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks() as callbacks:
        series_end(actor=world.manager, series=series, reason="Project paused")
    series.refresh_from_db()
    assert series.ended_at is not None
    assert set(series.meetings.values_list("status", "cancel_reason", "sequence")) == {(MeetingStatus.CANCELLED, "Project paused", 1)}
    assert len(future) >= 1 and series.sequence == 1
    assert notified(callbacks) == [("series_ended", series.pk, "Project paused")]
    assert occurrences_materialise(series=series, until=timezone.now() + dt.timedelta(days=400)) == []
    with pytest.raises(ApplicationError):
        series_end(actor=world.manager, series=series, reason="again")


def test_series_end_refusals_change_nothing(world, django_capture_on_commit_callbacks):
    series = make_series(world)
    before = counts()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(ValidationError):
            series_end(actor=world.manager, series=series, reason="  ")
        with pytest.raises(PermissionDenied):
            series_end(actor=world.client, series=series, reason="I am bored")
    assert counts() == before and callbacks == []
    series.refresh_from_db()
    assert series.ended_at is None


def test_materialise_later_announces_nothing(world, settings, django_capture_on_commit_callbacks):
    settings.MEETING_HORIZON_DAYS = 120
    series = make_series(world)
    later = timezone.now() + dt.timedelta(days=21)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks() as callbacks:
        created = occurrences_materialise(series=series)
    assert created and notified(callbacks) == []


@pytest.mark.parametrize(
    ("zone", "offsets"),
    [("Europe/Moscow", 1), ("Asia/Kolkata", 1), ("Europe/Berlin", 2), ("America/New_York", 2), ("Australia/Sydney", 2)],
)
def test_stored_occurrences_stay_at_ten_local_for_a_year(world, settings, zone, offsets):
    settings.MEETING_HORIZON_DAYS = 366
    series = make_series(world, time_zone=zone, attendees=[world.manager])
    tz = ZoneInfo(zone)
    starts = list(series.meetings.values_list("starts_at", flat=True))
    assert len(starts) in (52, 53)
    local = [s.astimezone(tz) for s in starts]
    assert {(t.weekday(), t.hour, t.minute) for t in local} == {(1, 10, 0)}
    assert len({t.utcoffset() for t in local}) == offsets


def test_a_series_that_started_in_the_past_is_materialised_from_now(world, settings, django_capture_on_commit_callbacks):
    settings.MEETING_HORIZON_DAYS = 28
    with django_capture_on_commit_callbacks() as callbacks:
        series = make_series(world, first_start_local=next_weekday(1) - dt.timedelta(weeks=6))
    starts = list(series.meetings.values_list("starts_at", flat=True))
    assert 3 <= len(starts) <= 4 and min(starts) > timezone.now()
    assert notified(callbacks) == [("series_invited", series.pk)]


def test_series_update_with_more_slots_and_new_attendees(world, settings, django_capture_on_commit_callbacks):
    settings.MEETING_HORIZON_DAYS = 28
    series = make_series(world)
    before = series.meetings.count()
    with django_capture_on_commit_callbacks() as callbacks:
        series_update(actor=world.manager, series=series, rrule="FREQ=WEEKLY;BYDAY=TU,TH", attendees=[world.manager, world.team])
    meetings = list(series.meetings.all())
    assert before * 2 - 1 <= len(meetings) <= before * 2 + 1
    for meeting in meetings:
        assert set(meeting.attendance.values_list("user_id", flat=True)) == {world.manager.pk, world.team.pk}
    # Tuesdays stay where they were: no occurrence changed on its own, the series did (SEQUENCE 1).
    assert {m.sequence for m in meetings} == {0}
    series.refresh_from_db()
    assert series.sequence == 1
    assert notified(callbacks) == [
        ("series_uninvited", series.pk, sorted([world.client_lead.pk, world.client.pk])), ("series_invited", series.pk),
    ]
