"""Faults: Redis stopped for 30 s, SMTP refusing then accepting, 50 concurrent clients posting reports.

The slow ones (`make faults`) run real processes against the PostgreSQL test database: gunicorn, a Celery
worker and a private redis-server on a free port (never the machine's 6379). A worker killed with SIGKILL
in the middle of 500 digests: tests/engagement/test_celery_worker.py (also run by `make faults`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest
from celery import Celery
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from bench.faults import report_load
from bench.faults.procs import CeleryWorker, Gunicorn, RedisServer, app_env, wait_for
from engagement.models import Digest
from portal.accounts.models import User
from portal.outbox import services as outbox
from portal.outbox.models import MessageKind, MessageStatus, OutboundMessage
from projects.models import Membership, ProgressReport, Role
from tests import factories as f
from tests.conftest import _need
from tests.engagement.conftest import smtp_sink  # noqa: F401 - the aiosmtpd fixture, shared

PASSWORD = "load-test-password-42"
OUTAGE_SECONDS = float(os.environ.get("FAULT_OUTAGE_SECONDS", "30"))
LOAD_SECONDS = float(os.environ.get("FAULT_LOAD_SECONDS", "60"))


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _fast_password() -> str:
    # A real PBKDF2 hash the server can check (the test settings hash with MD5), cheap enough for 50 log-ins.
    return PBKDF2PasswordHasher().encode(PASSWORD, "faultsalt0123456", iterations=1000)


def _signed_in(base: str, email: str):
    import requests

    session = requests.Session()
    session.headers["Connection"] = "close"
    login_url = f"{base}/accounts/login/"
    token = report_load._token(session, login_url)
    response = session.post(login_url, data={"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD},
                            headers={"Referer": login_url}, allow_redirects=False, timeout=30)
    assert response.status_code == 302, response.text[:500]
    return session


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# SMTP refusing, then accepting: retried with back-off, delivered once, the failure visible meanwhile.
@pytest.mark.django_db
def test_smtp_refusing_then_accepting_delivers_each_message_once(smtp_sink):  # noqa: F811
    rows = [f.OutboundMessageFactory(kind=MessageKind.NOTICE, subject=f"Notice {i}") for i in range(3)]
    smtp_sink.fail_next = 6  # two refusals per message
    now = timezone.now()

    for step in range(8):
        outbox.outbox_send_due(now=now + dt.timedelta(minutes=10 * step))
        if step == 0:
            first = OutboundMessage.objects.get(pk=rows[0].pk)
            assert first.status == MessageStatus.PENDING and first.last_error  # visible in the admin
    outbox.outbox_send_due(now=now + dt.timedelta(hours=2))

    subjects = sorted(m["Subject"] for m in smtp_sink.messages)
    assert subjects == ["Notice 0", "Notice 1", "Notice 2"]
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert all(a >= 2 for a in OutboundMessage.objects.values_list("attempts", flat=True))


def _digest_people(world, n: int, now: dt.datetime) -> list[User]:
    User.objects.update(email_digest=False)
    people = User.objects.bulk_create(
        [
            User(
                email=f"reader{i}@acme.example",
                full_name=f"Reader {i}",
                kind=User.Kind.CLIENT,
                organisation=world.project.client,
                time_zone="UTC",
                digest_weekday=now.weekday(),
                digest_hour=now.hour,
            )
            for i in range(n)
        ]
    )
    Membership.objects.bulk_create([Membership(project=world.project, user=p, role=Role.CLIENT) for p in people])
    return people


@pytest.mark.slow
@pytest.mark.postgres
def test_redis_down_for_30_seconds_loses_nothing_and_pages_keep_serving(postgres, transactional_db, world, smtp_sink):  # noqa: F811
    _need(bool(shutil.which("redis-server")), "redis-server is not installed")
    now = timezone.now()
    people = _digest_people(world, int(os.environ.get("FAULT_DIGESTS", "150")), now)
    User.objects.filter(pk=world.manager.pk).update(password=_fast_password())
    redis = RedisServer().start()
    env = app_env(_database_url(), redis.url, EMAIL_URL=smtp_sink.url, OUTBOX_RETRY_BASE_SECONDS="1")
    web = Gunicorn(env, workers=2, threads=2)
    worker = CeleryWorker(env)
    run = None
    try:
        web.start()
        worker.start()
        broker = Celery("fault-tests", broker=redis.url, backend=redis.url)
        broker.send_task("portal.ping").get(timeout=60)
        assert json.loads(_get(web.base + "/healthz")[1])["status"] == "ok"
        # a signed-in manager (session in the database)
        manager = _signed_in(web.base, world.manager.email)
        assert "Acme portal" in manager.get(web.base + "/", timeout=10).text

        # when: the weekly digest run starts with Redis up, and Redis goes away in the middle of it
        run = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", "send_weekly_digests", "--now", now.isoformat()],
            cwd=os.getcwd(), env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings.bench"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        assert wait_for(lambda: smtp_sink.count() >= 1, 60), worker.output()
        run_was_going = run.poll() is None
        delivered_before = smtp_sink.count()
        redis.stop()
        down_at = time.monotonic()
        health_status, health_body = _get(web.base + "/healthz")
        login_status, _body = _get(web.base + "/accounts/login/")
        dashboard_down = manager.get(web.base + "/", timeout=10, allow_redirects=False)
        run_status = run.wait(timeout=120)
        still_serving = _get(web.base + "/accounts/login/")[0]
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_at)))
        redis.start()

        # then: health is back, the sweeps (beat's outbox jobs) deliver every digest exactly once
        assert wait_for(lambda: _get(web.base + "/healthz")[0] == 200, 30)
        assert _swept(redis.url, lambda: smtp_sink.count() >= len(people), 180), (smtp_sink.count(), worker.output())
        time.sleep(3)
    finally:
        if run is not None and run.poll() is None:
            run.kill()
        worker.stop()
        web.stop()
        redis.stop()

    assert run_was_going and delivered_before < len(people)  # Redis really went away mid-run
    assert health_status == 503 and json.loads(health_body)["broker"]["ok"] is False
    assert login_status == 200 and still_serving == 200
    # the signed-in page kept serving: the session is in the database and nothing on the page needs Redis
    assert dashboard_down.status_code == 200 and "Acme portal" in dashboard_down.text
    assert run_status == 0
    recipients = [m["To"] for m in smtp_sink.by_kind("digest")]
    assert sorted(recipients) == sorted(p.email for p in people)  # every one, none twice
    assert Digest.objects.filter(recipient__in=people).count() == len(people)
    assert not OutboundMessage.objects.exclude(status=MessageStatus.SENT).exists()


def _swept(url: str, done, timeout: float) -> bool:
    """What beat does every minute: `outbox.send_pending`, sent every few seconds until `done()`. A new client
    each time: the old one's connections died with the server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Celery("fault-sweep", broker=url) as app:
            app.send_task("outbox.requeue_stuck")
            app.send_task("outbox.send_pending")
        if wait_for(done, 5):
            return True
    return done()


@pytest.mark.slow
@pytest.mark.postgres
def test_50_concurrent_clients_posting_reports_for_a_minute_store_each_exactly_once(postgres, transactional_db, world):
    _need(bool(shutil.which("redis-server")), "redis-server is not installed")
    acme = world.project.client
    people = User.objects.bulk_create(
        [
            User(
                email=f"load{i}@acme.example",
                full_name=f"Load {i}",
                kind=User.Kind.CLIENT,
                organisation=acme,
                time_zone="UTC",
                password=_fast_password(),
            )
            for i in range(int(os.environ.get("FAULT_SESSIONS", "50")))
        ]
    )
    Membership.objects.bulk_create([Membership(project=world.project, user=p, role=Role.CLIENT) for p in people])
    tasks = [f.TaskFactory(project=world.project, owner=p, title=f"Load task {i}") for i, p in enumerate(people)]
    redis = RedisServer().start()
    web = Gunicorn(app_env(_database_url(), redis.url), workers=4, threads=4)
    try:
        web.start()
        result = report_load.run(
            web.base,
            [(p.email, PASSWORD, world.project.slug, t.pk) for p, t in zip(people, tasks, strict=True)],
            LOAD_SECONDS,
        )
    finally:
        web.stop()
        redis.stop()

    print(f"50 sessions: {len(result.accepted)} reports accepted in {LOAD_SECONDS:.0f} s, {len(result.errors)} errors")
    assert result.errors == [], (len(result.accepted), result.errors[:10], web.output())
    assert result.accepted  # how many depends on the machine; the bar is no error and exactly once
    stored = list(ProgressReport.objects.filter(note__startswith="load-").values_list("note", flat=True))
    assert sorted(stored) == sorted(result.accepted)  # each accepted report once, nothing else
