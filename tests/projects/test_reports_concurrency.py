"""Reporters racing on one task on PostgreSQL, each on its own connection: every report is stored, and every audit
row's "old" values are the state the previous report left (each reporter reads the task again under its row lock,
so nothing is lost)."""

import threading

import pytest
from django.db import connection

from projects.models import AuditEvent, ProgressReport, ReportState, Task
from projects.permissions import task_access
from projects.services.reports import report_submit
from tests import factories as f

THREADS, EACH = 6, 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_on_one_task_chain_without_a_lost_update(world, postgres):
    task = f.TaskFactory(project=world.project, owner=world.client, side="client")
    barrier = threading.Barrier(THREADS)
    errors = []

    def run(offset: int):
        try:
            barrier.wait()
            for i in range(EACH):
                # as the report page does: read the task with its access, then submit (often on a stale copy)
                current, access = task_access(user=world.client, task_id=task.pk, slug=world.project.slug)
                report_submit(actor=world.client, task=current, percent=1 + offset * EACH + i, state=ReportState.ON_TRACK,
                              access=access)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = THREADS * EACH
    assert ProgressReport.objects.filter(task=task).count() == total
    stored = Task.objects.get(pk=task.pk)
    assert stored.version == task.version + total
    # each report's percent is unique, so the audit rows' old -> new percents must form one chain from 0 through all
    steps = dict(
        (e.changes["last_percent"]["old"], e.changes["last_percent"]["new"])
        for e in AuditEvent.objects.filter(action="report.submit", object_id=str(task.pk))
    )
    chain, at = [], 0
    while at in steps:
        at = steps.pop(at)
        chain.append(at)
    assert len(chain) == total and steps == {}
    assert chain[-1] == stored.last_percent
    # and the task's last report is the newest of its history (a report committed after another is not older)
    newest = ProgressReport.objects.filter(task=task).order_by("-created_at", "-pk").first()
    assert (stored.last_reported_at, stored.last_percent) == (newest.created_at, newest.percent)
