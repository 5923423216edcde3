"""Detail pages and the Overview keep a constant query count as their rows grow (pinned at two sizes)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories as f


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_overview_is_constant(client, world):
    client.force_login(world.manager)
    url = reverse("projects:overview", args=[world.project.slug])
    f.TaskFactory(project=world.project, owner=world.client)
    f.TaskFactory(project=world.project, owner=world.team)
    f.AuditEventFactory(project=world.project, actor=world.team)
    few = _count(client, url)
    for _ in range(20):
        f.TaskFactory(project=world.project, owner=f.ClientUserFactory(organisation=world.project.client), due_date=timezone.localdate() - dt.timedelta(days=3))
        f.TaskFactory(project=world.project, owner=f.StaffFactory())
        f.AuditEventFactory(project=world.project, actor=f.StaffFactory())
    assert _count(client, url) == few


def test_task_page_is_constant_with_its_report_history(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    f.ProgressReportFactory(task=task)
    client.force_login(world.manager)
    url = reverse("projects:task", args=[world.project.slug, task.pk])
    few = _count(client, url)
    for _ in range(25):
        f.ProgressReportFactory(task=task, author=f.ClientUserFactory(organisation=world.project.client))
    assert _count(client, url) == few


def test_meeting_page_is_constant_with_its_attendees(client, world):
    meeting = f.MeetingFactory(project=world.project)
    f.AttendanceFactory(meeting=meeting, user=world.client)
    client.force_login(world.manager)
    url = reverse("engagement:meeting", args=[world.project.slug, meeting.pk])
    few = _count(client, url)
    for _ in range(15):
        f.AttendanceFactory(meeting=meeting, user=f.ClientUserFactory(organisation=world.project.client))
    assert _count(client, url) == few


def test_decision_page_is_constant_with_its_responses(client, world):
    decision = f.DecisionFactory(project=world.project, involvement="consulted")
    f.DecisionResponseFactory(decision=decision, user=world.client)
    f.DecisionFactory(project=world.project)
    client.force_login(world.manager)
    url = reverse("engagement:decision", args=[world.project.slug, decision.pk])
    few = _count(client, url)
    for _ in range(15):
        f.DecisionResponseFactory(decision=decision, user=f.ClientUserFactory())
        f.DecisionFactory(project=world.project)
    assert _count(client, url) == few
