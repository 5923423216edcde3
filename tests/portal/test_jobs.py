"""Operators' view: every periodic job's last run (when, how long, counts, failure) in the database, one JSON log line
per run, the admin page, and /healthz's detail for staff (outbox by status, jobs) that nobody else sees."""

from __future__ import annotations

import json
import logging

import pytest
from django.conf import settings
from django.urls import reverse

from portal.core.jobs import periodic_job
from portal.core.models import JobRun
from portal.outbox.models import MessageStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_each_run_is_recorded_and_logged_as_one_json_line_with_its_counts(caplog):
    @periodic_job("test.job")
    def job(n):
        return {"sent": n, "retry": 1}

    with caplog.at_level(logging.INFO, logger="rapport.jobs"):
        assert job(3) == {"sent": 3, "retry": 1}
        job(5)

    run = JobRun.objects.get(name="test.job")
    assert run.runs == 2 and run.failures == 0 and run.ok
    assert run.counts == {"sent": 5, "retry": 1}
    assert run.finished_at >= run.started_at
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "rapport.jobs"]
    assert [(line["event"], line["job"], line["counts"], line["ok"]) for line in lines] == [
        ("job_run", "test.job", {"sent": 3, "retry": 1}, True),
        ("job_run", "test.job", {"sent": 5, "retry": 1}, True),
    ]
    assert all(isinstance(line["duration_ms"], int) for line in lines)


def test_a_failed_run_is_recorded_with_its_error_and_still_raises(caplog):
    @periodic_job("test.failing")
    def job():
        raise RuntimeError("SMTP relay unknown")

    with caplog.at_level(logging.INFO, logger="rapport.jobs"), pytest.raises(RuntimeError):
        job()

    run = JobRun.objects.get(name="test.failing")
    assert not run.ok and run.failures == 1 and "SMTP relay unknown" in run.error
    [line] = [json.loads(r.getMessage()) for r in caplog.records if r.name == "rapport.jobs"]
    assert line["ok"] is False and "SMTP relay unknown" in line["error"]


def test_every_scheduled_job_records_its_runs():
    from celery import current_app

    import conversations.tasks  # noqa: F401 - registers the tasks
    import engagement.tasks  # noqa: F401
    import engagement.tasks_health  # noqa: F401
    import portal.outbox.tasks  # noqa: F401

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = current_app.tasks[entry["task"]]
        assert getattr(task.run, "__wrapped__", None) is not None, f"{entry['task']} is not a periodic_job"
    current_app.tasks["outbox.requeue_stuck"].run()
    assert JobRun.objects.get(name="outbox.requeue_stuck").counts == {"count": 0}


def test_healthz_shows_staff_the_outbox_and_the_jobs_and_nobody_else(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    person = f.StaffFactory()
    f.OutboundMessageFactory(recipient=person, status=MessageStatus.FAILED, last_error="550 no such user")
    f.OutboundMessageFactory(recipient=person)
    periodic_job("outbox.send_pending")(lambda: {"sent": 2})()

    anonymous = client.get(reverse("healthz")).json()
    client.force_login(person)  # staff kind, but not admin staff
    member = client.get(reverse("healthz")).json()
    operator = f.StaffFactory(is_staff=True)
    client.force_login(operator)
    staff = client.get(reverse("healthz")).json()

    assert "outbox" not in anonymous and "jobs" not in anonymous
    assert "outbox" not in member and "jobs" not in member
    assert staff["status"] == "ok"
    assert staff["outbox"]["by_status"]["failed"] == 1 and staff["outbox"]["by_status"]["pending"] == 1
    assert staff["outbox"]["by_status"]["sending"] == 0
    [job] = staff["jobs"]
    assert job["job"] == "outbox.send_pending" and job["counts"] == {"sent": 2} and job["ok"] is True


def test_admin_lists_the_last_run_of_each_job_read_only(client):
    periodic_job("engagement.send_nudges")(lambda: 4)()
    admin = f.StaffFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get(reverse("admin:core_jobrun_changelist"))
    assert response.status_code == 200
    assert b"engagement.send_nudges" in response.content
    assert client.get(reverse("admin:core_jobrun_add")).status_code == 403
