"""The e-mail tasks themselves (called in-process): one service each, fan-out in batches, ids in."""

from __future__ import annotations

import datetime as dt

import pytest

from engagement import tasks
from engagement.models import Digest, Meeting
from portal.outbox import tasks as outbox_tasks
from portal.outbox.models import MessageStatus
from projects.models import Membership, Role
from tests import factories as f

pytestmark = pytest.mark.django_db
MONDAY_8_MSK = dt.datetime(2026, 11, 30, 5, 0, tzinfo=dt.UTC)


def test_weekly_digest_job_fans_out_one_task_per_batch(world, monkeypatch, settings):
    settings.DIGEST_BATCH_SIZE = 2
    for person in (world.manager, world.team, world.outsider):
        person.email_digest = False
        person.save()
    for i in range(3):
        person = f.ClientUserFactory(email=f"extra{i}@acme.example", organisation=world.project.client)
        Membership.objects.create(project=world.project, user=person, role=Role.CLIENT)
    calls = []
    monkeypatch.setattr(tasks.send_digest_batch, "delay", lambda *args: calls.append(args))

    assert tasks.send_weekly_digests(MONDAY_8_MSK.isoformat()) == 3  # 6 client people, batches of 2
    assert [len(ids) for _kind, ids, _now in calls] == [2, 2, 2]
    assert Digest.objects.count() == 0  # the fan-out only decides who

    for args in calls:
        tasks.send_digest_batch(*args)
    for args in calls:  # a redelivered batch builds nothing more
        tasks.send_digest_batch(*args)
    assert Digest.objects.count() == 6


def test_send_task_returns_quietly_for_a_missing_row(db):
    assert outbox_tasks.send_message.run(123456) == "gone"


def test_send_task_sends_and_sweeps(world, mailoutbox):
    row = f.OutboundMessageFactory(recipient=world.client, body_html="<p>Hello</p>")
    assert outbox_tasks.send_message.run(row.pk) == "sent"
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT and len(mailoutbox) == 1
    assert outbox_tasks.send_pending.run() == {}
    assert outbox_tasks.requeue_stuck.run() == 0


def test_materialise_job_creates_occurrences_of_live_series(world):
    series = f.MeetingSeriesFactory(project=world.project, rrule="FREQ=WEEKLY;BYDAY=TH")
    ended = f.MeetingSeriesFactory(project=world.project, rrule="FREQ=WEEKLY;BYDAY=FR", ended_at=series.first_start)
    assert tasks.materialise_meetings() == 1
    assert Meeting.objects.filter(series=series).exists()
    assert not Meeting.objects.filter(series=ended).exists()
    count = Meeting.objects.count()
    tasks.materialise_meetings()
    assert Meeting.objects.count() == count
