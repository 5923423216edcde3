"""Inbox lines that are not comments: changes to my tasks by others, decisions and reports awaiting me; and how the
person hears of each kind (inbox only, inbox and e-mail, the digest)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.urls import reverse

from conversations import services
from conversations.inbox import awaiting_sync
from conversations.models import Notification
from conversations.permissions import thread_access
from engagement.models.decisions import Involvement, ResponseKind
from engagement.services.decisions import decision_record, decision_respond, decision_supersede
from engagement.services.digests import digest_send_batch
from portal.outbox import services as outbox
from portal.outbox.models import OutboundMessage
from projects.services.reports import report_submit
from projects.services.tasks import task_assign, task_complete, task_create, task_update
from tests import factories as f

pytestmark = pytest.mark.django_db
MONDAY_8_UTC = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
TUESDAY_NOON_UTC = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _tuesday():
    with time_machine.travel(TUESDAY_NOON_UTC, tick=False):
        yield


def lines(person, kind):
    return list(Notification.objects.filter(recipient=person, kind=kind).order_by("id"))


# --- changes to my tasks -------------------------------------------------------------------------------


def test_a_change_by_someone_else_is_one_line_naming_the_fields(world, django_capture_on_commit_callbacks):
    task = f.TaskFactory(project=world.project, owner=world.client, side="client", title="Logo files")
    with django_capture_on_commit_callbacks(execute=True):
        task_update(actor=world.manager, task=task, due_date=dt.date(2026, 12, 20))
        task_update(actor=world.manager, task=task, status="blocked")  # a burst before it is read: the same line
    [line] = lines(world.client, "task")
    assert line.changed == ["due_date", "status"] and line.actor == world.manager and line.read_at is None
    assert line.changed_labels == "due date, status"
    # once read, the next change is a new line
    services.notifications_read(actor=world.client)
    task_update(actor=world.manager, task=task, title="Logo files, final")
    assert [n.changed for n in lines(world.client, "task")] == [["due_date", "status"], ["title"]]


def test_my_own_changes_and_reports_tell_me_nothing(world):
    task = f.TaskFactory(project=world.project, owner=world.team, side="team", title="Deploy")
    task_update(actor=world.team, task=task, status="in_progress")
    task_complete(actor=world.team, task=task)
    assert not Notification.objects.filter(kind="task").exists()


def test_a_task_given_to_someone_else_tells_both_owners_and_a_new_task_its_owner(world):
    task = task_create(actor=world.manager, project=world.project, title="Copy review", owner=world.team)
    assert [n.changed for n in lines(world.team, "task")] == [["owner"]]
    task_assign(actor=world.manager, task=task, owner=world.client)
    assert [n.changed for n in lines(world.team, "task")] == [["owner"]]  # unread: the same line again
    assert lines(world.team, "task")[0].created_at == TUESDAY_NOON_UTC
    assert [n.changed for n in lines(world.client, "task")] == [["owner"]]
    assert not Notification.objects.filter(recipient=world.manager).exists()


def test_an_internal_task_never_tells_a_client(world):
    task = f.TaskFactory(project=world.project, owner=world.team, side="team", internal=True)
    task_assign(actor=world.manager, task=task, owner=world.manager)  # the team member hears; nobody else
    assert [n.recipient for n in Notification.objects.filter(kind="task")] == [world.team]


def test_reading_the_tasks_thread_leaves_its_task_line_unread(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client, side="client")
    task_update(actor=world.manager, task=task, priority="high")
    client.force_login(world.client)
    client.get(reverse("conversations:task-comments", args=[world.project.slug, task.pk]))
    assert Notification.objects.get(kind="task").read_at is None


def test_the_task_line_opens_the_task_and_reads_it(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client, side="client")
    task_update(actor=world.manager, task=task, priority="high")
    [line] = lines(world.client, "task")
    client.force_login(world.client)
    response = client.get(reverse("conversations:inbox"))
    assert "changed your task" in response.content.decode() and "priority" in response.content.decode()
    response = client.get(reverse("conversations:inbox-open", args=[line.pk]))
    assert response.url == reverse("projects:task", args=[world.project.slug, task.pk])
    line.refresh_from_db()
    assert line.read_at is not None


# --- decisions and reports awaiting me ----------------------------------------------------------------


def test_a_decision_asked_of_me_is_a_line_until_i_answer(world, client):
    decision = decision_record(actor=world.manager, project=world.project, title="Hosting provider",
                               involvement=Involvement.APPROVAL)
    [line] = lines(world.client_lead, "decision")
    [other] = lines(world.client, "decision")
    assert line.settled_at is None and line.read_at is None and line.actor == world.manager
    client.force_login(world.client_lead)
    assert client.get(reverse("conversations:inbox-open", args=[line.pk])).url == reverse(
        "engagement:decision", args=[world.project.slug, decision.pk])
    decision_respond(actor=world.client_lead, decision=decision, kind=ResponseKind.APPROVED)
    line.refresh_from_db()
    other.refresh_from_db()
    assert line.settled_at is not None and line.read_at is not None
    assert other.settled_at is not None  # the lead's approval decided it: it awaits nobody now


def test_an_unread_decision_line_is_settled_and_read_when_it_stops_waiting(world):
    decision = decision_record(actor=world.manager, project=world.project, title="CMS", involvement=Involvement.CONSULTED)
    assert {n.recipient for n in Notification.objects.filter(kind="decision")} == {world.client, world.client_lead}
    successor = decision_record(actor=world.manager, project=world.project, title="CMS, again")
    decision_supersede(actor=world.manager, decision=decision, successor=successor)
    assert not Notification.objects.filter(decision=decision, settled_at__isnull=True).exists()
    assert not Notification.objects.filter(decision=decision, read_at__isnull=True).exists()


def test_a_report_falls_due_in_the_sync_and_is_settled_by_the_report(world):
    task = f.TaskFactory(project=world.project, owner=world.client, side="client", title="Logo files",
                         due_date=dt.date(2026, 12, 31), report_cadence_days=7)
    awaiting_sync()
    assert not lines(world.client, "report")  # created today: its first report is due in a week
    with time_machine.travel(TUESDAY_NOON_UTC + dt.timedelta(days=8), tick=False):
        awaiting_sync()
        awaiting_sync()  # safe to run twice: still one line
        [line] = lines(world.client, "report")
        assert line.task == task and line.settled_at is None
        report_submit(actor=world.client, task=task, percent=50, state="on_track", note="Half done")
        line.refresh_from_db()
        assert line.settled_at is not None and line.read_at is not None
        awaiting_sync()
        assert len(lines(world.client, "report")) == 1
    with time_machine.travel(TUESDAY_NOON_UTC + dt.timedelta(days=16), tick=False):
        awaiting_sync()  # the next report falls due: a new line
        assert len(lines(world.client, "report")) == 2


def test_the_sync_settles_lines_that_no_longer_wait(world):
    task = f.TaskFactory(project=world.project, owner=world.client, side="client", due_date=dt.date(2026, 11, 27))
    awaiting_sync()
    task.status = "cancelled"
    task.save()  # closed behind the services' back: the sync still puts the line away
    awaiting_sync()
    assert Notification.objects.get(kind="report").settled_at is not None


# --- how each kind is told --------------------------------------------------------------------------------


def _post(world, task, person, body, capture):
    thread = thread_access(user=person, slug=world.project.slug, kind="tasks", pk=task.pk)
    with capture(execute=True):
        return services.comment_post(actor=person, thread=thread, body=body)


def _sent(mailoutbox, now) -> Counter:
    outbox.outbox_send_due(now=now)
    return Counter(m.to[0] for m in mailoutbox)


def test_mentions_on_three_threads_in_a_day_are_one_message(world, mailoutbox, django_capture_on_commit_callbacks):
    tasks = [f.TaskFactory(project=world.project, owner=world.team, side="team", title=f"Page {n}") for n in range(3)]
    for task in tasks:
        _post(world, task, world.manager, f"@bob@acme.example please read {task.title}", django_capture_on_commit_callbacks)
    assert _sent(mailoutbox, TUESDAY_NOON_UTC + dt.timedelta(hours=1)) == Counter({"bob@acme.example": 1})
    [message] = mailoutbox
    assert message.subject == "3 new lines in your inbox"
    assert all(f"Page {n}" in message.body for n in range(3)) and "/inbox/" in message.body


def test_replies_and_task_changes_come_by_e_mail_when_chosen(world, mailoutbox, django_capture_on_commit_callbacks):
    world.client.notify_reply = world.client.notify_task = "email"
    world.client.save()
    task = f.TaskFactory(project=world.project, owner=world.client, side="client", title="Logo files")
    _post(world, task, world.client, "When is it due?", django_capture_on_commit_callbacks)
    _post(world, task, world.manager, "Friday", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        task_update(actor=world.manager, task=task, due_date=dt.date(2026, 12, 4))
    assert _sent(mailoutbox, TUESDAY_NOON_UTC + dt.timedelta(hours=1)) == Counter({"bob@acme.example": 1})
    body = mailoutbox[0].body
    assert "Anna Petrova replied" in body and "Anna Petrova changed due date" in body and "Friday" in body


def test_what_awaits_me_by_inbox_only_sends_no_request_e_mail(world, mailoutbox, django_capture_on_commit_callbacks):
    world.client_lead.notify_decision = "inbox"
    world.client_lead.save()
    with django_capture_on_commit_callbacks(execute=True):
        decision_record(actor=world.manager, project=world.project, title="CMS", involvement=Involvement.CONSULTED)
    assert _sent(mailoutbox, TUESDAY_NOON_UTC + dt.timedelta(hours=1)) == Counter({"bob@acme.example": 1})
    assert len(lines(world.client_lead, "decision")) == 1


def test_the_digest_lists_unread_lines_of_digest_kinds_once(world, mailoutbox, django_capture_on_commit_callbacks):
    for person in (world.manager, world.team, world.client_lead):
        person.email_digest = False
        person.save()
    world.client.notify_mention = "digest"
    world.client.save()
    first, second = (f.TaskFactory(project=world.project, owner=world.team, side="team", title=t) for t in ("Read one", "Unread one"))
    _post(world, first, world.manager, "@bob@acme.example have a look", django_capture_on_commit_callbacks)
    _post(world, second, world.manager, "@bob@acme.example and here", django_capture_on_commit_callbacks)
    services.notifications_read(actor=world.client, ids=[lines(world.client, "mention")[0].pk])
    assert not OutboundMessage.objects.exists()  # no e-mail of their own
    with time_machine.travel(MONDAY_8_UTC + dt.timedelta(days=7), tick=False):
        digest_send_batch(kind="client", person_ids=[world.client.pk], now=MONDAY_8_UTC + dt.timedelta(days=7))
        outbox.outbox_send_due()
    [message] = mailoutbox
    assert "Conversations" in message.body and "Anna Petrova mentioned you on “Unread one”" in message.body
    assert "Read one" not in message.body
    told = lines(world.client, "mention")[1]
    assert told.email_message == OutboundMessage.objects.get(kind="digest").pk and told.read_at is None
    # the next week's digest does not repeat it
    with time_machine.travel(MONDAY_8_UTC + dt.timedelta(days=14), tick=False):
        digest_send_batch(kind="client", person_ids=[world.client.pk], now=MONDAY_8_UTC + dt.timedelta(days=14))
        outbox.outbox_send_due()
    assert "Conversations" not in mailoutbox[1].body


# --- preferences -----------------------------------------------------------------------------------------


def test_preferences_page_and_api_choose_per_kind(client, world):
    client.force_login(world.client)
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert 'name="notify_mention" id="id_notify_mention_1" value="email" checked' in page
    data = {"language": "en", "time_zone": "UTC", "digest_weekday": 0, "digest_hour": 8, "email_digest": "on",
            "email_nudges": "on", "notify_mention": "inbox", "notify_reply": "email", "notify_task": "digest",
            "notify_decision": "email", "notify_report": "email"}
    assert client.post(reverse("accounts:preferences"), data).status_code == 302
    world.client.refresh_from_db()
    assert (world.client.notify_mention, world.client.notify_reply, world.client.notify_task) == ("inbox", "email", "digest")
    # the digest choice needs the digest: a clear error, nothing saved, the typed values kept
    response = client.post(reverse("accounts:preferences"), {**data, "email_digest": "", "notify_reply": "inbox"})
    assert response.status_code == 400
    assert "Turn the weekly digest on" in response.content.decode()
    assert 'value="inbox" checked' in response.content.decode()
    world.client.refresh_from_db()
    assert world.client.email_digest and world.client.notify_reply == "email"
    # the API: read and change
    api = client.get("/api/v1/me/").json()
    assert api["notify_task"] == "digest"
    response = client.patch("/api/v1/me/", {"notify_task": "sometimes"}, content_type="application/json")
    assert response.status_code == 400 and "notify_task" in response.json()["fields"]
    response = client.patch("/api/v1/me/", {"notify_task": "inbox"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["notify_task"] == "inbox"


def test_morning_reminders_leave_out_what_the_person_reads_in_the_inbox_only(world):
    from engagement.services.nudges import nudges_send

    world.client.notify_report = "inbox"  # the lead keeps the default, e-mail
    world.client.save()
    for person in (world.client, world.client_lead):
        f.TaskFactory(project=world.project, owner=person, side="client", due_date=dt.date(2026, 11, 27))
    tuesday_morning = dt.datetime(2026, 12, 1, 6, 30, tzinfo=dt.UTC)  # 09:30 in Moscow, their zone
    with time_machine.travel(tuesday_morning, tick=False):
        nudges_send(now=tuesday_morning)
    assert list(OutboundMessage.objects.filter(kind="nudge").values_list("recipient__email", flat=True)) == [
        "lead@acme.example"]
