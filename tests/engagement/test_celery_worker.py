"""The e-mail jobs through a real Celery worker process on Redis, a real SMTP server and PostgreSQL.

The worker is a subprocess sharing the test database (transactional tests, so it sees the
rows). Everything is counted at the SMTP sink.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from icalendar import Calendar

from engagement.models import Digest
from portal.accounts.models import User
from portal.outbox import services
from portal.outbox.models import MessageStatus, OutboundMessage
from projects.models import Membership, Role
from tests import factories as f

# One fixed Redis database (MAIL_TEST_REDIS_DB) that these tests empty: under pytest-xdist they run one after the other.
pytestmark = [pytest.mark.celery_worker, pytest.mark.redis, pytest.mark.postgres, pytest.mark.xdist_group("mail-redis-db")]
ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = int(os.environ.get("MAIL_TEST_REDIS_DB", "2"))  # a shared machine: each run its own database


class Worker:
    def __init__(self, env: dict) -> None:
        self.env = env
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=prefork", "--concurrency=1",
             "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"mail-test-{uuid.uuid4().hex[:8]}@%h"],
            cwd=ROOT, env=self.env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def mail_redis_url(redis_url) -> str:
    """The Redis server of the suite, but this suite's own database number (2), which these tests may empty."""
    return urlunparse(urlparse(redis_url)._replace(path=f"/{REDIS_DB}"))


@pytest.fixture
def broker(mail_redis_url):
    """A client of the worker's broker, emptied before and after."""
    import redis

    redis.Redis.from_url(mail_redis_url).flushdb()
    app = Celery("mail-tests", broker=mail_redis_url, backend=mail_redis_url)
    app.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json")
    yield app
    redis.Redis.from_url(mail_redis_url).flushdb()


@pytest.fixture
def worker(postgres, transactional_db, mail_redis_url, smtp_sink, broker):
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        # synchronous_commit=off: the worker dies by SIGKILL, PostgreSQL does not, so commits stay durable here.
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
                        "?options=-c%20synchronous_commit%3Doff",
        "REDIS_URL": mail_redis_url,
        "CELERY_BROKER_URL": mail_redis_url,
        "EMAIL_URL": smtp_sink.url,
        "SECRET_KEY": django_settings.SECRET_KEY,
        "SITE_URL": django_settings.SITE_URL,
        "OUTBOX_RETRY_BASE_SECONDS": "1",
        "CONN_MAX_AGE": "600",
    }
    handle = Worker(env)
    handle.start()
    broker.send_task("portal.ping").get(timeout=60)
    yield handle
    handle.stop()


def wait_for(condition, timeout: float = 45.0, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def _client_people(world, n: int, now: dt.datetime) -> list[User]:
    people = User.objects.bulk_create(
        [User(email=f"client{i}@acme.example", full_name=f"Client {i}", kind=User.Kind.CLIENT, organisation=world.project.client,
              time_zone="UTC", digest_weekday=now.weekday(), digest_hour=now.hour) for i in range(n)]
    )
    Membership.objects.bulk_create([Membership(project=world.project, user=p, role=Role.CLIENT) for p in people])
    return people


def _quiet_world(world):
    User.objects.filter(pk__in=[world.manager.pk, world.team.pk, world.outsider.pk, world.client.pk,
                                world.client_lead.pk, world.other_client.pk]).update(email_digest=False)


def test_reminder_and_digest_arrive_once_and_a_failed_send_is_retried(world, worker, broker, smtp_sink):
    now = timezone.now()
    _quiet_world(world)
    [person] = _client_people(world, 1, now)
    start = now.replace(microsecond=0) + dt.timedelta(minutes=60)
    meeting = f.MeetingFactory(project=world.project, title="Weekly sync", starts_at=start, ends_at=start + dt.timedelta(hours=1))
    f.AttendanceFactory(meeting=meeting, user=person)
    f.AttendanceFactory(meeting=meeting, user=world.manager)
    smtp_sink.fail_next = 1  # the first delivery gets a 451 and must be retried

    for _ in range(2):  # each job twice: nothing more is delivered
        broker.send_task("engagement.send_due_reminders", args=[now.isoformat()])
        broker.send_task("engagement.send_weekly_digests", args=[now.isoformat()])
    assert wait_for(lambda: smtp_sink.count() >= 3)
    broker.send_task("outbox.send_pending")
    time.sleep(2)

    assert smtp_sink.count() == 3
    assert OutboundMessage.objects.filter(status=MessageStatus.SENT).count() == 3
    assert OutboundMessage.objects.filter(attempts__gte=2).count() == 1
    reminder = next(m for m in smtp_sink.by_kind("reminder") if m["To"] == person.email)
    part = list(list(reminder.iter_parts())[0].iter_parts())[2]
    event = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    assert str(event["UID"]) == str(meeting.uid)
    assert event.decoded("DTSTART").astimezone(dt.UTC) == start
    assert event.decoded("DTEND").astimezone(dt.UTC) == start + dt.timedelta(hours=1)
    assert {str(a).removeprefix("mailto:") for a in event["ATTENDEE"]} == {person.email, world.manager.email}
    [digest_mail] = smtp_sink.by_kind("digest")
    assert digest_mail["To"] == person.email
    body = digest_mail.get_body(("plain",)).get_content()
    assert "Weekly sync" in body and "Acme portal" in body
    assert Digest.objects.get(recipient=person).message.message_id == digest_mail["Message-ID"]


# About 60-70 s (500 digests built and sent by a single worker process); kept in `make test`: CI's proof that a worker
# killed mid-batch loses nothing and sends at most the one message it was inside.
def test_worker_killed_mid_batch_of_500_digests_delivers_each_exactly_once(world, worker, broker, smtp_sink):
    now = timezone.now()
    _quiet_world(world)
    people = _client_people(world, 500, now)

    # Kill the worker (SIGKILL, whole process group) while it is inside the SMTP conversation of message 200.
    killed = {"done": False}

    def kill_at_200(sink_count: int) -> bool:
        if sink_count == 199 and not killed["done"]:
            killed["done"] = True
            worker.kill()
            return True
        return False

    smtp_sink.before_accept = kill_at_200
    broker.send_task("engagement.send_weekly_digests", args=[now.isoformat()])
    assert wait_for(lambda: killed["done"], timeout=120)
    assert smtp_sink.count() == 199
    smtp_sink.before_accept = None

    # What beat does after a crash: stuck rows back to pending, then the jobs run again.
    worker.start()
    broker.send_task("portal.ping").get(timeout=60)
    services.outbox_requeue_stuck(stuck_after=dt.timedelta(0))
    broker.send_task("engagement.send_weekly_digests", args=[now.isoformat()])

    def all_sent() -> bool:
        broker.send_task("outbox.send_pending")
        return smtp_sink.count() >= 500

    assert wait_for(all_sent, timeout=120, step=2)
    time.sleep(1)
    recipients = [m["To"] for m in smtp_sink.messages]
    assert len(recipients) == 500
    assert set(recipients) == {p.email for p in people}
    assert Digest.objects.count() == 500
    assert OutboundMessage.objects.filter(status=MessageStatus.SENT).count() == 500
