"""On PostgreSQL a report is stored in one statement (projects.services.reports._in_one_statement). It must store
exactly what the step-by-step path stores: the same report, the same task fields, the same audit row (its changes
computed in SQL, formatted as Python's `json_safe` formats them), the same project version."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import AuditEvent, ProgressReport, Project, ReportState, Task, TaskStatus
from projects.permissions import project_access
from projects.services import reports
from projects.services.tasks import task_assign
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

MOVED = ("status", "last_percent", "last_state", "completed_at", "last_reported_at", "version", "updated_at")


def _twin_tasks(world, **fields):
    return [f.TaskFactory(project=world.project, owner=world.client, title="Sign off the wireframes", **fields)
            for _ in range(2)]


def _stored(task_pk: int, report_pk: int) -> dict:
    task = Task.objects.get(pk=task_pk)
    report = ProgressReport.objects.get(pk=report_pk)
    event = AuditEvent.objects.get(action="report.submit", object_id=str(task_pk))
    changes = dict(event.changes)
    assert changes.pop("report") == {"old": None, "new": report_pk}
    return {
        "task": {name: getattr(task, name) for name in MOVED},
        "report": (report.author_id, report.created_at, report.percent, report.state, report.note, report.blockers),
        "audit": (event.project_id, event.actor_id, event.at, event.object_type, event.object_repr, event.internal, changes),
    }


@pytest.mark.parametrize(
    ("before", "state", "percent", "now"),
    [
        ({}, ReportState.ON_TRACK, 40, dt.datetime(2026, 12, 1, 9, 30, 15, 250000, tzinfo=dt.UTC)),
        ({"status": TaskStatus.IN_PROGRESS, "last_percent": 60, "last_state": ReportState.AT_RISK,
          "last_reported_at": dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.UTC)},
         ReportState.DONE, 95, dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)),  # whole seconds: no fraction
        ({"status": TaskStatus.IN_PROGRESS, "last_percent": 60, "last_state": ReportState.AT_RISK,
          "last_reported_at": dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.UTC)},
         ReportState.DONE, 95, dt.datetime(2026, 12, 1, 9, 30, 0, 1, tzinfo=dt.UTC)),
        ({"status": TaskStatus.BLOCKED, "last_percent": 20, "last_state": ReportState.BLOCKED},
         ReportState.BLOCKED, 20, dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)),  # nothing but the report changes
    ],
)
def test_one_statement_stores_what_the_steps_store(world, postgres, before, state, percent, now):
    one, steps = _twin_tasks(world, **before)
    access = project_access(user=world.client, project=world.project)
    version = Project.objects.get(pk=world.project.pk).data_version

    with time_machine.travel(now, tick=False):
        with CaptureQueriesContext(connection) as queries:
            first = reports.report_submit(actor=world.client, task=one, percent=percent, state=state, note="Signed",
                                          blockers="", access=access)
        second = ProgressReport(task=steps, author=world.client, created_at=now, percent=percent, state=state,
                                note="Signed", blockers="")
        reports._in_steps(world.client, steps, second, access)

    assert len(queries) == 1  # the one statement, not the steps
    assert _stored(one.pk, first.pk) == _stored(steps.pk, second.pk)
    assert {name: getattr(one, name) for name in MOVED} == _stored(one.pk, first.pk)["task"]  # moved in place
    assert first.created_at == now
    assert Project.objects.get(pk=world.project.pk).data_version == version + 2


def test_a_report_older_than_the_stored_last_report_is_stamped_just_after_it(world, postgres):
    last = dt.datetime(2026, 12, 1, 10, 0, 0, 500000, tzinfo=dt.UTC)
    task = f.TaskFactory(project=world.project, owner=world.client, status=TaskStatus.IN_PROGRESS, last_reported_at=last)

    with time_machine.travel(last - dt.timedelta(seconds=3), tick=False):  # a clock behind the stored report
        report = reports.report_submit(actor=world.client, task=task, percent=30, state=ReportState.ON_TRACK)

    assert report.created_at == last + dt.timedelta(microseconds=1)
    assert ProgressReport.objects.get(pk=report.pk).created_at == report.created_at
    assert Task.objects.get(pk=task.pk).last_reported_at == report.created_at


def test_a_manager_reporting_through_a_copy_read_before_a_reassignment_is_stored_by_the_steps(world, postgres):
    # the one statement requires the owner the caller read; a manager may report on anyone's task, so the steps
    # (under the row lock) store it
    task = f.TaskFactory(project=world.project, owner=world.client, side="client")
    stale = Task.objects.get(pk=task.pk)
    task_assign(actor=world.manager, task=task, owner=world.client_lead)

    report = reports.report_submit(actor=world.manager, task=stale, percent=70, state=ReportState.AT_RISK)

    stored = Task.objects.get(pk=task.pk)
    assert (stored.owner_id, stored.last_percent, stored.last_reported_at) == (world.client_lead.pk, 70, report.created_at)
    event = AuditEvent.objects.filter(action="report.submit").latest("id")
    assert event.changes["last_percent"] == {"old": 0, "new": 70}
