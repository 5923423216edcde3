"""Beat as a singleton. Every periodic job run twice for the same period delivers nothing more (idempotent by data),
and of two beat processes started by mistake only one publishes: the other waits for the Redis lock and takes over
when the first dies."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import shutil
import sys
import time

import pytest
from celery import current_app
from django.conf import settings

from bench.faults.procs import Proc, RedisServer, app_env, wait_for
from engagement.models import Digest
from portal.outbox.models import OutboundMessage
from tests import factories as f
from tests.conftest import _need
from tests.engagement.conftest import smtp_sink  # noqa: F401 - the aiosmtpd fixture, shared

MONDAY_8_MSK = dt.datetime(2026, 11, 30, 5, 0, tzinfo=dt.UTC)


def _run_every_job(now: dt.datetime) -> None:
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = current_app.tasks[entry["task"]]
        takes_now = "now" in inspect.signature(task.run).parameters
        task.run(now.isoformat()) if takes_now else task.run()
    current_app.tasks["outbox.send_pending"].run()  # beat's next sweep sends what this round queued


@pytest.mark.django_db
def test_each_periodic_job_run_twice_for_the_same_period_sends_nothing_more(world, smtp_sink, monkeypatch):  # noqa: F811
    import conversations.tasks  # noqa: F401 - registers the inbox's task
    import portal.outbox.tasks  # noqa: F401 - registers the outbox tasks
    from engagement import tasks, tasks_health

    # the fan-outs run here, in order
    monkeypatch.setattr(tasks.send_digest_batch, "delay", lambda *args: tasks.send_digest_batch.run(*args))
    monkeypatch.setattr(tasks_health.take_project_health_snapshot, "delay",
                        lambda *args: tasks_health.take_project_health_snapshot.run(*args))
    start = MONDAY_8_MSK + dt.timedelta(minutes=60)
    meeting = f.MeetingFactory(project=world.project, title="Weekly sync", starts_at=start, ends_at=start + dt.timedelta(hours=1))
    f.AttendanceFactory(meeting=meeting, user=world.client)
    f.AttendanceFactory(meeting=meeting, user=world.manager)
    f.MeetingSeriesFactory(project=world.project, rrule="FREQ=WEEKLY;BYDAY=TH")

    _run_every_job(MONDAY_8_MSK)
    rows, mail, digests = OutboundMessage.objects.count(), smtp_sink.count(), Digest.objects.count()
    _run_every_job(MONDAY_8_MSK)  # a second beat, or a redelivered job, for the same period

    assert digests > 0 and mail >= 2  # the reminders and the digests of that Monday went out in the first round
    assert OutboundMessage.objects.count() == rows
    assert smtp_sink.count() == mail
    assert Digest.objects.count() == digests


def _published(redis_url: str) -> list[str]:
    import redis

    return [json.loads(raw)["headers"]["task"] for raw in redis.Redis.from_url(redis_url).lrange("celery", 0, -1)]


@pytest.mark.celery_worker
@pytest.mark.redis
def test_two_beats_publish_each_job_once_and_the_second_takes_over_when_the_first_dies(tmp_path):
    _need(bool(shutil.which("redis-server")), "redis-server is not installed")
    redis = RedisServer().start()
    beats = []
    try:
        for i in range(2):
            env = app_env(f"sqlite:///{tmp_path / 'beat.sqlite3'}", redis.url, BEAT_LOCK_TTL_SECONDS="4",
                          CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / f"beat{i}-schedule"))
            beats.append(Proc([sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel=WARNING"], env).start())
        assert wait_for(lambda: sum("holds the beat lock" in b.output() for b in beats) == 1, 30), [b.output() for b in beats]
        holder = next(b for b in beats if "holds the beat lock" in b.output())
        standby = next(b for b in beats if b is not holder)
        assert wait_for(lambda: "another beat holds the lock" in standby.output(), 15), standby.output()
        # the waiting beat is alive for the container check (bin/healthcheck.py beat globs the schedule files)
        assert (tmp_path / f"beat{beats.index(standby)}-schedule.standby").exists()

        # the reminder job is due every 15 s: after one period it was published once, not once per beat
        assert wait_for(lambda: "engagement.send_due_reminders" in _published(redis.url), 30)
        time.sleep(3)
        assert _published(redis.url).count("engagement.send_due_reminders") == 1, _published(redis.url)

        holder.kill()
        assert wait_for(lambda: "holds the beat lock" in standby.output(), 20), standby.output()
        assert wait_for(lambda: _published(redis.url).count("engagement.send_due_reminders") == 2, 30)
        assert standby.proc.poll() is None  # it took over and runs
    finally:
        for beat in beats:
            beat.stop()
        redis.stop()
