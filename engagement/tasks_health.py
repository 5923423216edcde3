"""Celery tasks of engagement health. Registered from `EngagementConfig.ready()` (tasks.py belongs to the e-mail jobs)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from engagement.health.snapshots import active_projects, snapshot_project_id
from portal.core.jobs import periodic_job


@shared_task(name="engagement.take_health_snapshots", acks_late=True)
@periodic_job("engagement.take_health_snapshots")
def take_health_snapshots(now: str | None = None) -> int:
    """Fan-out: one task per active project. Safe to run twice: finished weeks are never written again."""
    ids = list(active_projects().values_list("pk", flat=True))
    for project_id in ids:
        take_project_health_snapshot.delay(project_id, now)
    return len(ids)


@shared_task(name="engagement.take_project_health_snapshot", acks_late=True, max_retries=3, default_retry_delay=60)
def take_project_health_snapshot(project_id: int, now: str | None = None) -> int:
    moment = dt.datetime.fromisoformat(now) if now else None
    return snapshot_project_id(project_id=project_id, now=moment)
