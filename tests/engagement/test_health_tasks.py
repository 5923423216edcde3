"""The Celery tasks: the fan-out picks active projects only; the per-project task writes snapshots once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from engagement.models import HealthSnapshot
from engagement.tasks_health import take_health_snapshots, take_project_health_snapshot
from projects.models import ProjectStatus
from tests import factories as f


def test_fan_out_enqueues_one_task_per_active_project(world, monkeypatch):
    world.other_project.status = ProjectStatus.COMPLETED
    world.other_project.save()
    queued = []
    monkeypatch.setattr(take_project_health_snapshot, "delay", lambda project_id, now=None: queued.append(project_id))
    assert take_health_snapshots() == 1
    assert queued == [world.project.pk]
    assert not HealthSnapshot.objects.exists()  # the fan-out itself writes nothing


def test_project_task_is_idempotent_and_quiet_for_a_missing_project(world):
    world.project.start_date = timezone.localdate() - dt.timedelta(days=21)
    world.project.save()
    f.TaskFactory(project=world.project, owner=world.client)
    now = (timezone.now()).isoformat()
    weeks = take_project_health_snapshot.apply(args=[world.project.pk, now]).get()
    assert weeks >= 2
    count = HealthSnapshot.objects.filter(project=world.project).count()
    assert take_project_health_snapshot.apply(args=[world.project.pk, now]).get() == 0
    assert HealthSnapshot.objects.filter(project=world.project).count() == count
    assert take_project_health_snapshot.apply(args=[987654, now]).get() == 0
