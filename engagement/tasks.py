"""Celery tasks of the e-mail jobs: ids and ISO instants in, one service call each.

Every job is safe to run twice (dedupe keys, one Digest per week), so a redelivered
or overlapping run delivers nothing more.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from portal.core.jobs import periodic_job


def _moment(value: str | None) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if value else timezone.now()


@shared_task(name="engagement.send_due_reminders", acks_late=True, ignore_result=True)
@periodic_job("engagement.send_due_reminders")
def send_due_reminders(now: str | None = None) -> int:
    from engagement.services.reminders import reminders_send_due

    return reminders_send_due(now=_moment(now))


@shared_task(name="engagement.materialise_meetings", acks_late=True, ignore_result=True)
@periodic_job("engagement.materialise_meetings")
def materialise_meetings() -> int:
    from engagement.models import MeetingSeries
    from engagement.services.series import occurrences_materialise

    count = 0
    for series in MeetingSeries.objects.filter(ended_at__isnull=True).iterator():
        occurrences_materialise(series=series)
        count += 1
    return count


@shared_task(name="engagement.send_weekly_digests", acks_late=True, ignore_result=True)
@periodic_job("engagement.send_weekly_digests")
def send_weekly_digests(now: str | None = None) -> int:
    """Fan-out: decide who is due, one task per batch of recipients."""
    from engagement.services.digests import digest_due_batches

    moment = _moment(now)
    batches = digest_due_batches(now=moment)
    for kind, person_ids in batches:
        send_digest_batch.delay(kind, person_ids, moment.isoformat())
    return len(batches)


@shared_task(
    name="engagement.send_digest_batch",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def send_digest_batch(kind: str, person_ids: list[int], now: str) -> int:
    from engagement.services.digests import digest_send_batch

    return digest_send_batch(kind=kind, person_ids=person_ids, now=_moment(now))


@shared_task(name="engagement.send_nudges", acks_late=True, ignore_result=True)
@periodic_job("engagement.send_nudges")
def send_nudges(now: str | None = None) -> int:
    from engagement.services.nudges import nudges_send

    return nudges_send(now=_moment(now))
