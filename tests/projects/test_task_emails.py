"""The e-mails the task pages promise: a client owner hears of a task given to them, the manager of a blocked one."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine

from portal.outbox import services as outbox
from portal.outbox.models import MessageKind, OutboundMessage
from portal.outbox.replies import reply_address_resolve
from projects import notifications
from projects.services.reports import report_submit
from projects.services.tasks import task_assign, task_create
from tests import factories as f

pytestmark = pytest.mark.django_db
TUESDAY_NOON_MSK = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _working_hours():
    with time_machine.travel(TUESDAY_NOON_MSK, tick=False):
        yield


def _sent(mailoutbox) -> Counter:
    outbox.outbox_send_due(now=TUESDAY_NOON_MSK + dt.timedelta(days=7))
    return Counter((m.to[0], m.extra_headers["X-Rapport-Kind"]) for m in mailoutbox)


def test_a_task_given_to_a_client_person_is_emailed_to_them_once(world, mailoutbox, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        task = task_create(actor=world.manager, project=world.project, title="Homepage copy", owner=world.client,
                           due_date=dt.date(2026, 12, 10), report_cadence_days=3)
    assert OutboundMessage.objects.filter(recipient=world.client, kind=MessageKind.TASK_ASSIGNED).count() == 1
    with django_capture_on_commit_callbacks(execute=True):  # a second run of the follow-up changes nothing
        notifications.task_assigned(task.pk, world.client.pk, task.version, world.manager.pk)

    assert _sent(mailoutbox) == {(world.client.email, MessageKind.TASK_ASSIGNED): 1}
    mail = mailoutbox[0]
    assert mail.subject == "A task for you: “Homepage copy” · Acme portal"
    assert "Anna Petrova gave you the task “Homepage copy” in Acme portal." in mail.body
    assert "every 3 days" in mail.body
    assert f"Report progress: {settings.SITE_URL}/projects/acme-portal/tasks/{task.pk}/report/" in mail.body
    # a reply is the client's comment on the task (a progress line also files a report)
    target = reply_address_resolve(mail.reply_to[0])
    assert (target.person, target.kind, target.object_id) == (world.client, "tasks", task.pk)


def test_reassigning_emails_the_new_client_owner_only(world, mailoutbox, django_capture_on_commit_callbacks):
    task = task_create(actor=world.manager, project=world.project, title="Legal review", owner=world.team)
    # Each e-mail goes before the next change (one given and taken back before its e-mail went is not sent:
    # tests/engagement/test_kickoff_mail.py).
    with django_capture_on_commit_callbacks(execute=True):
        task = task_assign(actor=world.manager, task=task, owner=world.client)
    outbox.outbox_send_due(now=TUESDAY_NOON_MSK + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        task = task_assign(actor=world.manager, task=task, owner=world.client_lead)
    outbox.outbox_send_due(now=TUESDAY_NOON_MSK + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        task_assign(actor=world.manager, task=task, owner=world.team)  # the team gets no such e-mail

    assert _sent(mailoutbox) == {(world.client.email, MessageKind.TASK_ASSIGNED): 1,
                                 (world.client_lead.email, MessageKind.TASK_ASSIGNED): 1}


def test_no_email_for_a_task_you_take_yourself_or_after_opting_out(world, django_capture_on_commit_callbacks):
    world.client.email_nudges = False
    world.client.save()
    with django_capture_on_commit_callbacks(execute=True):
        task_create(actor=world.client_lead, project=world.project, title="Mine", owner=world.client_lead)
        task_create(actor=world.client_lead, project=world.project, title="Bob's", owner=world.client)
    assert not OutboundMessage.objects.exists()


def test_in_the_owners_language_and_held_until_their_working_hours(world, mailoutbox, django_capture_on_commit_callbacks):
    world.client.language = "ru"
    world.client.save()
    saturday = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(saturday, tick=False), django_capture_on_commit_callbacks(execute=True):
        task_create(actor=world.manager, project=world.project, title="Homepage copy", owner=world.client)
    row = OutboundMessage.objects.get()
    assert row.send_after == dt.datetime(2026, 12, 7, 5, 0, tzinfo=dt.UTC)  # Monday 08:00 in Moscow
    assert row.subject == "Новая задача для вас: «Homepage copy» · Acme portal"
    assert outbox.outbox_send_due(now=row.send_after - dt.timedelta(minutes=1)) == {}
    assert outbox.outbox_send_due(now=row.send_after) == {"sent": 1}


def test_the_manager_hears_when_a_client_reports_a_task_blocked(world, mailoutbox, django_capture_on_commit_callbacks, settings):
    task = f.TaskFactory(project=world.project, owner=world.client, title="Homepage copy")
    team_task = f.TaskFactory(project=world.project, owner=world.team, title="API")
    with django_capture_on_commit_callbacks(execute=True):
        report_submit(actor=world.client, task=task, percent=40, state="at_risk", note="slow")
        report_submit(actor=world.client, task=task, percent=40, state="blocked", blockers="No access to the CMS")
        report_submit(actor=world.team, task=team_task, percent=10, state="blocked", blockers="ours")

    assert _sent(mailoutbox) == {(world.manager.email, MessageKind.TASK_BLOCKED): 1}
    mail = mailoutbox[0]
    assert mail.subject == "Blocked: “Homepage copy” · Acme portal"
    assert "Reported by Boris Client: the task “Homepage copy” in Acme portal is blocked." in mail.body
    assert "No access to the CMS" in mail.body
    assert f"Open the task: {settings.SITE_URL}/projects/acme-portal/tasks/{task.pk}/" in mail.body
    # the manager's reply is their comment on the task, which the client reads
    target = reply_address_resolve(mail.reply_to[0])
    assert (target.person, target.kind, target.object_id) == (world.manager, "tasks", task.pk)


def test_a_manager_who_opted_out_is_not_emailed_about_blocked_tasks(world, django_capture_on_commit_callbacks):
    world.manager.email_nudges = False
    world.manager.save()
    task = f.TaskFactory(project=world.project, owner=world.client)
    with django_capture_on_commit_callbacks(execute=True):
        report_submit(actor=world.client, task=task, percent=40, state="blocked")
    assert not OutboundMessage.objects.exists()
