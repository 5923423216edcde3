"""Query counts of the benchmarked requests, exactly as `make bench` makes them, pinned at two data sizes.

The benchmark's people: a portfolio lead who is on every project (the dashboard's first page of 25, the API task
list across projects) and a client reporting on a task with a long history.

"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import AuditEvent, Membership, ProgressReport, Role, Task
from tests import factories as f

DASHBOARD_QUERIES = 12  # 11, and the header bell's unread count
API_TASK_LIST_QUERIES = 4
# The session, the person, the task with its access; the report's full validation (each of its two check constraints
# in a savepoint of its own; the task and the author are the objects already read); then in a savepoint: the task
# under its row lock, the report, the task, the project's stored counts and the audit row; the inbox's "report awaits
# you" line of the task put away (one UPDATE: the report is what it waited for).
REPORT_POST_QUERIES = 17


def _portfolio(world, projects: int):
    lead = f.StaffFactory(email="portfolio@example.com")
    _more_projects(world, lead, projects)
    return lead


def _more_projects(world, lead, n: int) -> None:
    for _ in range(n):
        project = f.ProjectFactory(client=world.project.client, manager=world.manager)
        Membership.objects.create(project=project, user=lead, role=Role.TEAM)
        task = f.TaskFactory(project=project, owner=world.client, due_date=timezone.localdate() - dt.timedelta(days=2))
        f.ProgressReportFactory(task=task, author=world.client)
        f.MeetingFactory(project=project)
        f.HealthSnapshotFactory(project=project)
        f.DecisionFactory(project=project, involvement="approval", status="proposed",
                          requested_at=timezone.now() - dt.timedelta(days=5))


def _count(client, method: str, path: str, data: dict | None = None, expect: int = 200) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(path, data or {})
    assert response.status_code == expect, response.content[:500]
    return len(ctx.captured_queries)


def test_dashboard_queries_are_pinned_at_3_and_40_projects(client, world):
    lead = _portfolio(world, 3)
    client.force_login(lead)
    small = _count(client, "get", reverse("home"))
    _more_projects(world, lead, 37)
    response = client.get(reverse("home"))
    assert len(response.context["page"].object_list) == 25
    large = _count(client, "get", reverse("home"))

    assert (small, large) == (DASHBOARD_QUERIES, DASHBOARD_QUERIES)


def test_api_task_list_queries_are_pinned_at_3_and_60_projects(client, world):
    lead = _portfolio(world, 3)
    client.force_login(lead)
    path = reverse("api:my-task-list") + "?page_size=50"
    small = _count(client, "get", path)
    _more_projects(world, lead, 57)
    assert len(client.get(path).json()["results"]) == 50
    large = _count(client, "get", path)

    assert (small, large) == (API_TASK_LIST_QUERIES, API_TASK_LIST_QUERIES)


def test_report_post_queries_are_pinned_at_2_and_300_reports_of_history(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client, side="client")
    client.force_login(world.client)
    path = reverse("projects:task-report", args=[world.project.slug, task.pk])
    form = {"task": task.pk, "percent": 40, "state": "on_track", "note": "Benchmark report", "blockers": ""}
    ProgressReport.objects.bulk_create(ProgressReport(task=task, author=world.client, percent=10, state="on_track")
                                       for _ in range(2))
    small = _count(client, "post", path, form, expect=302)
    ProgressReport.objects.bulk_create(ProgressReport(task=task, author=world.client, percent=10, state="on_track")
                                       for _ in range(298))
    large = _count(client, "post", path, form, expect=302)

    assert (small, large) == (REPORT_POST_QUERIES, REPORT_POST_QUERIES)
    assert ProgressReport.objects.filter(task=task, note="Benchmark report").count() == 2
    assert Task.objects.get(pk=task.pk).last_percent == 40
    assert AuditEvent.objects.filter(action="report.submit").count() == 2
