"""The embedded default (SQLite in a file, Django's threaded server) under concurrent writers: no "database is locked".

The test database of the suite is SQLite in memory, which Django shares between threads and so serialises; this test
builds a real database file with `migrate`, serves it with `runserver` (threaded, as `make run` does) and has 20
people sign in, post a progress report and confirm an e-mail's one-click RSVP, each step at the same moment.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings

from bench.faults.procs import ROOT, Proc, free_port, wait_for

REPORTERS = 20
PASSWORD = "concurrent-reporter-42"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

SEED = f"""
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from engagement.services.links import action_link_create
from portal.accounts.models import User
from engagement.models import ActionLink
from projects.models import Membership, Role
from tests import factories as f

password = PBKDF2PasswordHasher().encode({PASSWORD!r}, "sqlitesalt012345", iterations=1000)
project = f.ProjectFactory(slug="concurrency")
meeting = f.MeetingFactory(project=project)
for i in range({REPORTERS}):
    person = User.objects.create(email=f"reporter{{i}}@acme.example", full_name=f"Reporter {{i}}",
                                 kind=User.Kind.CLIENT, organisation=project.client, time_zone="UTC", password=password)
    Membership.objects.create(project=project, user=person, role=Role.CLIENT)
    f.TaskFactory(project=project, owner=person, title=f"Task of reporter {{i}}")
    f.AttendanceFactory(meeting=meeting, user=person)
    print("LINK", action_link_create(person=person, action=ActionLink.Action.RSVP_YES, obj=meeting))
"""

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="about the embedded SQLite default; this run's database is another engine",
)


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


def _status(url: str) -> int:
    import requests

    return requests.get(url, timeout=5).status_code


def _reporter(base: str, index: int, task_id: int, link: str, ready: threading.Barrier, outcomes: dict) -> None:
    import requests

    session = requests.Session()
    login_url, report_url = f"{base}/accounts/login/", f"{base}/projects/concurrency/tasks/{task_id}/report/"
    try:
        token = CSRF.search(session.get(login_url, timeout=60).text).group(1)
        ready.wait(timeout=120)  # everyone signs in at once ...
        signed_in = session.post(
            login_url,
            data={"csrfmiddlewaretoken": token, "username": f"reporter{index}@acme.example", "password": PASSWORD},
            headers={"Referer": login_url},
            allow_redirects=False,
            timeout=60,
        )
        form = session.get(report_url, timeout=60)
        token = CSRF.search(form.text).group(1)
        ready.wait(timeout=120)  # ... and reports at once
        posted = session.post(
            report_url,
            data={"csrfmiddlewaretoken": token, "task": task_id, "percent": 40, "state": "on_track",
                  "note": f"concurrent-{index}"},
            headers={"Referer": report_url},
            allow_redirects=False,
            timeout=60,
        )
        link_url = f"{base}/e/a/{link}/"
        token = CSRF.search(session.get(link_url, timeout=60).text).group(1)
        ready.wait(timeout=120)  # ... and confirms the e-mail's one-click RSVP at once
        confirmed = session.post(
            link_url, data={"csrfmiddlewaretoken": token}, headers={"Referer": link_url}, timeout=60
        )
        outcomes[index] = (signed_in.status_code, form.status_code, posted.status_code, confirmed.status_code)
    except Exception as error:  # noqa: BLE001 - reported by the assertion below
        ready.abort()
        outcomes[index] = repr(error)


def test_twenty_people_reporting_and_confirming_at_once_on_the_embedded_default_all_succeed(tmp_path):
    # given: the embedded default on a fresh database file, 20 client people each owning a task
    database = tmp_path / "portal.sqlite3"
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.base",
        DATABASE_URL=f"sqlite:///{database}",
        CELERY_DATA_DIR=str(tmp_path / "celery"),
        SECRET_KEY=settings.SECRET_KEY,
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        PAGE_CACHE_SECONDS="0",
    )
    _manage(env, "migrate", "--noinput", "-v", "0")
    links = [line.split()[1] for line in _manage(env, "shell", "-c", SEED).splitlines() if line.startswith("LINK ")]
    with sqlite3.connect(database) as db:
        tasks = [row[0] for row in db.execute("SELECT id FROM projects_task ORDER BY id")]
    assert len(tasks) == REPORTERS

    port = free_port()
    server = Proc([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], env).start()
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: _status(f"{base}/accounts/login/") == 200, 60), server.output()

        # when: all sign in at the same moment, then all post a report at the same moment
        ready, outcomes = threading.Barrier(REPORTERS), {}
        threads = [
            threading.Thread(target=_reporter, args=(base, i, task_id, link, ready, outcomes))
            for i, (task_id, link) in enumerate(zip(tasks, links, strict=True))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        time.sleep(0.2)
    finally:
        server.stop()

    # then: no request failed, each report is stored once and every RSVP is recorded
    assert outcomes == {i: (302, 200, 302, 200) for i in range(REPORTERS)}, (outcomes, server.output()[-3000:])
    with sqlite3.connect(database) as db:
        notes = sorted(row[0] for row in db.execute("SELECT note FROM projects_progressreport"))
        answers = [row[0] for row in db.execute("SELECT rsvp FROM engagement_attendance")]
    assert notes == sorted(f"concurrent-{i}" for i in range(REPORTERS))
    assert answers == ["yes"] * REPORTERS
