import datetime as dt

import pytest
from django.utils import timezone

from engagement.models import Attendance, Decision, DecisionResponse, Meeting, MeetingStatus
from engagement.models.decisions import DecisionStatus
from engagement.selectors.awaiting import decisions_awaiting
from engagement.selectors.core import (
    consistency_strip,
    decision_list_for_project,
    meeting_list_for_project,
    meetings_for_user,
)
from projects.permissions import project_access
from tests import factories as f


def bulk_meetings(project, users, n, *, start):
    meetings = Meeting.objects.bulk_create([
        Meeting(project=project, title=f"M{i}", starts_at=start + dt.timedelta(hours=i), ends_at=start + dt.timedelta(hours=i, minutes=30))
        for i in range(n)
    ])
    meetings = list(Meeting.objects.filter(project=project, title__startswith="M"))
    Attendance.objects.bulk_create([Attendance(meeting=m, user=u) for m in meetings for u in users])
    return meetings


def bulk_decisions(project, recorder, responder, n, **fields):
    now = timezone.now()
    Decision.objects.bulk_create([
        Decision(project=project, title=f"D{i}", recorded_by=recorder, decided_by=recorder, requested_at=now, **fields)
        for i in range(n)
    ])
    decisions = list(Decision.objects.filter(project=project))
    if responder is not None:
        DecisionResponse.objects.bulk_create([DecisionResponse(decision=d, user=responder, kind="acknowledged") for d in decisions])
    return decisions


@pytest.mark.parametrize("rows", [10, 1000])
def test_meeting_list_query_count_is_constant(world, rows, django_assert_num_queries):
    bulk_meetings(world.project, [world.manager, world.client], rows, start=timezone.now() + dt.timedelta(hours=1))
    access = project_access(user=world.client, project=world.project)
    with django_assert_num_queries(2):
        meetings = list(meeting_list_for_project(access))
        names = [(m.series, [a.user.full_name for a in m.attendance.all()]) for m in meetings]
    assert len(names) == rows and names[0][1] == ["Anna Petrova", "Boris Client"]


def test_meeting_list_upcoming_and_past(world):
    now = timezone.now()
    past = f.MeetingFactory(project=world.project, starts_at=now - dt.timedelta(days=2), ends_at=now - dt.timedelta(days=2) + dt.timedelta(hours=1))
    older = f.MeetingFactory(project=world.project, starts_at=now - dt.timedelta(days=9), ends_at=now - dt.timedelta(days=9) + dt.timedelta(hours=1))
    running = f.MeetingFactory(project=world.project, starts_at=now - dt.timedelta(minutes=10), ends_at=now + dt.timedelta(minutes=20))
    soon = f.MeetingFactory(project=world.project, starts_at=now + dt.timedelta(days=1), ends_at=now + dt.timedelta(days=1, hours=1))
    f.MeetingFactory(project=world.other_project)
    access = project_access(user=world.team, project=world.project)
    assert list(meeting_list_for_project(access)) == [running, soon]
    assert list(meeting_list_for_project(access, upcoming=False)) == [past, older]


@pytest.mark.parametrize("rows", [10, 1000])
def test_decision_list_query_count_is_constant(world, rows, django_assert_num_queries):
    bulk_decisions(world.project, world.manager, world.client_lead, rows, status=DecisionStatus.APPROVED)
    access = project_access(user=world.client_lead, project=world.project)
    with django_assert_num_queries(2):
        decisions = list(decision_list_for_project(access))
        seen = [(d.decided_by.full_name, d.recorded_by.email, d.superseded_by, [r.user.email for r in d.responses.all()]) for d in decisions]
    assert len(seen) == rows and seen[0][3] == ["lead@acme.example"]


def test_decision_list_hides_internal_from_clients_and_filters(world):
    visible = f.DecisionFactory(project=world.project, involvement="approval", status=DecisionStatus.PROPOSED)
    internal = f.DecisionFactory(project=world.project, internal=True, status=DecisionStatus.APPROVED)
    informed = f.DecisionFactory(project=world.project, status=DecisionStatus.APPROVED)
    f.DecisionFactory(project=world.other_project)
    client = project_access(user=world.client, project=world.project)
    team = project_access(user=world.team, project=world.project)
    assert set(decision_list_for_project(client)) == {visible, informed}
    assert set(decision_list_for_project(team)) == {visible, internal, informed}
    assert list(decision_list_for_project(team, status=DecisionStatus.PROPOSED)) == [visible]
    assert set(decision_list_for_project(team, involvement="informed")) == {internal, informed}


def test_decisions_awaiting_follows_who_may_answer(world):
    informed = f.DecisionFactory(project=world.project, status=DecisionStatus.APPROVED)
    approval = f.DecisionFactory(project=world.project, involvement="approval", status=DecisionStatus.PROPOSED)
    answered = f.DecisionFactory(project=world.project, involvement="consulted", status=DecisionStatus.APPROVED)
    f.DecisionResponseFactory(decision=answered, user=world.client_lead)
    f.DecisionResponseFactory(decision=answered, user=world.client)
    f.DecisionFactory(project=world.project, internal=True, status=DecisionStatus.APPROVED)
    f.DecisionFactory(project=world.project, status=DecisionStatus.APPROVED, requested_at=None)
    f.DecisionFactory(project=world.project, status=DecisionStatus.REJECTED, involvement="consulted")
    f.DecisionFactory(project=world.other_project, status=DecisionStatus.APPROVED)
    assert list(decisions_awaiting(world.client_lead)) == [informed, approval]
    assert list(decisions_awaiting(world.client)) == [approval]
    assert list(decisions_awaiting(world.manager)) == []
    assert len(decisions_awaiting(world.other_client)) == 1


@pytest.mark.parametrize("rows", [10, 1000])
def test_decisions_awaiting_is_one_query(world, rows, django_assert_num_queries):
    bulk_decisions(world.project, world.manager, None, rows, status=DecisionStatus.APPROVED)
    with django_assert_num_queries(1):
        titles = [(d.title, d.project.slug, d.recorded_by.email) for d in decisions_awaiting(world.client_lead)]
    assert len(titles) == rows


@pytest.mark.parametrize("rows", [10, 1000])
def test_meetings_for_user_is_one_query(world, rows, django_assert_num_queries):
    start = timezone.now()
    bulk_meetings(world.project, [world.client, world.team], rows, start=start)
    with django_assert_num_queries(1):
        found = [(m.project.name, m.series) for m in meetings_for_user(world.client, start - dt.timedelta(hours=1), start + dt.timedelta(hours=rows + 1))]
    assert len(found) == rows


def test_meetings_for_user_window_and_invitation(world):
    now = timezone.now()
    inside = f.MeetingFactory(project=world.project, starts_at=now + dt.timedelta(days=1), ends_at=now + dt.timedelta(days=1, hours=1))
    overlapping = f.MeetingFactory(project=world.project, starts_at=now - dt.timedelta(minutes=30), ends_at=now + dt.timedelta(minutes=30))
    outside = f.MeetingFactory(project=world.project, starts_at=now + dt.timedelta(days=10), ends_at=now + dt.timedelta(days=10, hours=1))
    not_invited = f.MeetingFactory(project=world.project, starts_at=now + dt.timedelta(days=2), ends_at=now + dt.timedelta(days=2, hours=1))
    for meeting in (inside, overlapping, outside):
        f.AttendanceFactory(meeting=meeting, user=world.client)
    f.AttendanceFactory(meeting=not_invited, user=world.team)
    assert list(meetings_for_user(world.client, now, now + dt.timedelta(days=7))) == [overlapping, inside]


def test_consistency_strip_one_entry_per_week(world, django_assert_num_queries):
    today = dt.date(2026, 11, 25)  # a Wednesday, ISO week 48
    monday = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)

    def weekly(weeks_ago, **fields):
        start = monday - dt.timedelta(weeks=weeks_ago)
        values = dict(project=world.project, starts_at=start, ends_at=start + dt.timedelta(minutes=30), original_start=start)
        values.update(fields)
        return f.MeetingFactory(**values)

    weekly(0, status=MeetingStatus.SCHEDULED)
    weekly(1, status=MeetingStatus.HELD)
    weekly(2, status=MeetingStatus.CANCELLED, cancel_reason="holiday")
    moved_from = monday - dt.timedelta(weeks=3)
    weekly(3, status=MeetingStatus.HELD, rescheduled_from=moved_from, starts_at=moved_from + dt.timedelta(days=8),
           ends_at=moved_from + dt.timedelta(days=8, minutes=30))
    weekly(4, status=MeetingStatus.HELD)
    weekly(4, status=MeetingStatus.CANCELLED, cancel_reason="double", original_start=monday - dt.timedelta(weeks=4, hours=-2))
    weekly(20, status=MeetingStatus.HELD)
    f.MeetingFactory(project=world.other_project, starts_at=monday, ends_at=monday + dt.timedelta(hours=1), status=MeetingStatus.HELD)
    with django_assert_num_queries(1):
        strip = consistency_strip(world.project, weeks=12, today=today)
    assert len(strip) == 12
    assert strip[-1]["week"] == "2026-W48" and strip[0]["week"] == "2026-W37"
    assert strip[-1]["start"] == dt.date(2026, 11, 23)
    states = [entry["state"] for entry in strip[-5:]]
    assert states == ["cancelled", "rescheduled", "cancelled", "held", "none"]
    assert strip[-5]["count"] == 2
    assert all(entry["state"] == "none" and entry["count"] == 0 for entry in strip[:-5])
