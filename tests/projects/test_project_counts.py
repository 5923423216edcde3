"""The counts stored on a project equal the counts worked out from its tasks, after any sequence of task writes."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client as Browser
from django.utils import timezone

from portal.core.exceptions import ApplicationError
from projects.models import Project, ReportState, Task, TaskStatus
from projects.services.counts import computed_counts
from projects.services.reports import report_submit
from projects.services.tasks import task_assign, task_cancel, task_complete, task_create, task_update
from tests import factories as f

pytestmark = pytest.mark.django_db


def _stored_and_computed():
    rows = computed_counts(Project.objects.order_by("pk"))
    stored = [(p.pk, p.open_client_tasks, p.last_client_report) for p in rows]
    computed = [(p.pk, p.computed_open_client_tasks, p.computed_last_client_report) for p in rows]
    return stored, computed


def _step(rng: random.Random, world, tasks: list[Task]) -> str:
    staff = [world.manager, world.team]
    clients = {world.project.pk: [world.client, world.client_lead], world.other_project.pk: [world.other_client]}
    action = rng.choice(["create", "create", "report", "report", "update", "assign", "complete", "cancel", "reopen"])
    if action == "create" or not tasks:
        project = rng.choice([world.project, world.other_project])
        owner = rng.choice(clients[project.pk] + [world.manager])
        tasks.append(task_create(actor=world.manager, project=project, title=f"Task {len(tasks)}", owner=owner,
                                 due_date=dt.date(2026, 12, 1) + dt.timedelta(days=rng.randint(-10, 10))))
        return action
    task = Task.objects.select_related("project", "owner").get(pk=rng.choice(tasks).pk)
    if action == "report":
        author = task.owner if task.owner.is_client else world.manager
        report_submit(actor=author, task=task, percent=rng.randint(0, 100),
                      state=rng.choice([ReportState.ON_TRACK, ReportState.AT_RISK, ReportState.BLOCKED, ReportState.DONE]))
    elif action == "update":
        task_update(actor=world.manager, task=task, status=rng.choice([TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED]))
    elif action == "assign":
        task_assign(actor=world.manager, task=task, owner=rng.choice(clients[task.project_id] + staff))
    elif action == "complete":
        task_complete(actor=world.manager, task=task)
    elif action == "cancel":
        task_cancel(actor=world.manager, task=task, reason="not needed")
    else:
        task_update(actor=world.manager, task=task, status=TaskStatus.TODO)
    return action


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_counts_follow_a_random_sequence_of_task_writes(world, seed):
    rng, tasks, done = random.Random(seed), [], []
    for _ in range(60):
        try:
            done.append(_step(rng, world, tasks))
        except (ApplicationError, ValidationError):
            done.append("refused")  # e.g. a report on a closed task: nothing written, nothing to count
        stored, computed = _stored_and_computed()
        assert stored == computed, done
    assert {"create", "report", "assign", "complete", "cancel"} <= set(done)
    assert any(p.open_client_tasks for p in Project.objects.all())
    assert any(p.last_client_report for p in Project.objects.all())


def test_the_admin_task_form_keeps_the_counts(world):
    task = task_create(actor=world.manager, project=world.project, title="Logo", owner=world.client)
    assert Project.objects.get(pk=world.project.pk).open_client_tasks == 1
    browser = Browser()
    browser.force_login(f.StaffFactory(email="root@example.com", is_staff=True, is_superuser=True))
    url = f"/admin/projects/task/{task.pk}/change/"
    form = browser.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(status=TaskStatus.DONE, project=world.project.pk, owner=world.client.pk)
    answer = browser.post(url, data)
    assert answer.status_code == 302, answer.content[:500]
    assert Project.objects.get(pk=world.project.pk).open_client_tasks == 0


def test_the_backfill_command_stores_what_the_tasks_say(world):
    task = task_create(actor=world.manager, project=world.project, title="Logo", owner=world.client)
    report_submit(actor=world.client, task=task, percent=10, state=ReportState.ON_TRACK)
    Project.objects.update(open_client_tasks=7, last_client_report=timezone.now() - dt.timedelta(days=400))
    call_command("project_counts_backfill", verbosity=0)
    stored, computed = _stored_and_computed()
    assert stored == computed and Project.objects.get(pk=world.project.pk).open_client_tasks == 1
