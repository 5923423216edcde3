"""Mentions by e-mail: one message per person and thread for a burst, nothing for what was read in the portal, never
an internal comment to a client, working hours and preferences respected, in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine

from conversations import services
from conversations.models import Follow, Notification
from conversations.permissions import thread_access
from portal.outbox import services as outbox
from portal.outbox.models import MessageStatus, OutboundMessage

pytestmark = pytest.mark.django_db
TUESDAY_NOON_MSK = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
LATER = TUESDAY_NOON_MSK + dt.timedelta(hours=2)


@pytest.fixture(autouse=True)
def _working_hours(world):
    for person in (world.manager, world.team, world.client, world.client_lead):
        person.time_zone = "Europe/Moscow"
        person.save()
    with time_machine.travel(TUESDAY_NOON_MSK, tick=False):
        yield


def _post(world, task, person, body, internal=False, capture=None):
    thread = thread_access(user=person, slug=world.project.slug, kind="tasks", pk=task.pk)
    with capture(execute=True):
        return services.comment_post(actor=person, thread=thread, body=body, internal=internal)


def _sent(mailoutbox, now=LATER) -> Counter:
    outbox.outbox_send_due(now=now)
    return Counter(m.to[0] for m in mailoutbox)


def test_a_burst_of_mentions_on_one_thread_is_one_message_per_person(world, task, mailoutbox, django_capture_on_commit_callbacks):
    # given: three comments mention the client, one of them the team member too
    for body in ("@bob@acme.example is the copy final?", "@bob@acme.example also the footer", "@bob@acme.example and @dev@example.com"):
        _post(world, task, world.manager, body, capture=django_capture_on_commit_callbacks)
    # then: one e-mail each, the client's listing all three
    assert _sent(mailoutbox) == Counter({"bob@acme.example": 1, "dev@example.com": 1})
    to_client = next(m for m in mailoutbox if m.to == ["bob@acme.example"])
    assert "Anna Petrova mentioned you on “Homepage copy”" in to_client.subject
    assert to_client.body.count("Anna Petrova,") == 3 and "the footer" in to_client.body
    assert "/projects/acme-portal/tasks/" in to_client.body
    assert Notification.objects.filter(recipient=world.client, email_message__isnull=False).count() == 3
    # and a later mention on the same thread is a new message, once
    _post(world, task, world.team, "@bob@acme.example one more", capture=django_capture_on_commit_callbacks)
    assert _sent(mailoutbox, now=LATER + dt.timedelta(hours=1)) == Counter({"bob@acme.example": 2, "dev@example.com": 1})


def test_what_was_read_in_the_portal_is_not_emailed(client, world, task, mailoutbox, django_capture_on_commit_callbacks):
    _post(world, task, world.manager, "@bob@acme.example please look", capture=django_capture_on_commit_callbacks)
    client.force_login(world.client)
    client.get(f"/projects/{world.project.slug}/tasks/{task.pk}/comments/")  # reads the thread before the mail goes
    assert _sent(mailoutbox) == Counter()
    assert OutboundMessage.objects.get(recipient=world.client).status == MessageStatus.SKIPPED


def test_the_mail_waits_for_the_readers_working_hours(world, task, django_capture_on_commit_callbacks):
    saturday = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(saturday, tick=False):
        _post(world, task, world.manager, "@bob@acme.example weekend thought", capture=django_capture_on_commit_callbacks)
    row = OutboundMessage.objects.get(recipient=world.client)
    assert row.send_after == dt.datetime(2026, 12, 7, 5, 0, tzinfo=dt.UTC)  # Monday 08:00 in Moscow


def test_an_internal_comment_never_reaches_a_client(world, task, mailoutbox, django_capture_on_commit_callbacks):
    # given: the client follows the thread, and the team writes an internal comment naming them and the manager
    _post(world, task, world.client, "A question", capture=django_capture_on_commit_callbacks)
    _post(world, task, world.team, "@bob@acme.example @pm@example.com margin is thin", internal=True,
          capture=django_capture_on_commit_callbacks)
    # then: no inbox line and no e-mail for the client; the manager is told, marked internal
    assert not Notification.objects.filter(recipient=world.client).exists()
    assert _sent(mailoutbox) == Counter({"pm@example.com": 1})
    assert "(internal)" in mailoutbox[0].body
    assert "@bob@acme.example" in mailoutbox[0].body  # not a mention here: left as typed


def test_replies_reach_followers_inboxes_and_following_can_be_turned_off(world, task, django_capture_on_commit_callbacks):
    # given: the client asks (and so follows); the task's owner is the client too
    _post(world, task, world.client, "Is the copy final?", capture=django_capture_on_commit_callbacks)
    # when: the manager answers
    _post(world, task, world.manager, "Yes", capture=django_capture_on_commit_callbacks)
    # then: the client has a reply in the inbox, and no e-mail was queued for a reply
    assert list(Notification.objects.filter(recipient=world.client).values_list("kind", flat=True)) == ["reply"]
    assert not OutboundMessage.objects.exists()
    # when: the client stops following and the manager writes again
    thread = thread_access(user=world.client, slug=world.project.slug, kind="tasks", pk=task.pk)
    services.follow_set(actor=world.client, thread=thread, following=False)
    _post(world, task, world.manager, "One more thing", capture=django_capture_on_commit_callbacks)
    _post(world, task, world.client, "Thanks", capture=django_capture_on_commit_callbacks)  # commenting keeps it off
    _post(world, task, world.manager, "And another", capture=django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=world.client).count() == 1
    assert not Follow.objects.get(person=world.client, task=task).active


def test_no_mail_for_people_who_read_mentions_in_the_inbox_only(world, task, mailoutbox, django_capture_on_commit_callbacks):
    world.client.notify_mention = "inbox"
    world.client.save()
    _post(world, task, world.manager, "@bob@acme.example see this", capture=django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=world.client, kind="mention").count() == 1
    assert _sent(mailoutbox) == Counter()


def test_the_mail_is_in_the_readers_language(world, task, mailoutbox, django_capture_on_commit_callbacks):
    world.client.language = "ru"
    world.client.save()
    _post(world, task, world.manager, "@bob@acme.example посмотрите", capture=django_capture_on_commit_callbacks)
    _sent(mailoutbox)
    assert mailoutbox[0].subject.startswith("Anna Petrova упомянул(а) вас в «Homepage copy»")
    assert "Открыть обсуждение" in mailoutbox[0].body


def test_mentioning_someone_outside_the_project_notifies_nobody(world, task, django_capture_on_commit_callbacks):
    comment = _post(world, task, world.manager, "@gina@globex.example and @outsider@example.com",
                    capture=django_capture_on_commit_callbacks)
    assert not comment.mentions.exists()
    assert not Notification.objects.filter(recipient__in=[world.other_client, world.outsider]).exists()
    # the task's owner follows it as its assignee: a reply, not a mention
    assert list(Notification.objects.values_list("recipient__email", "kind")) == [("bob@acme.example", "reply")]
    assert 'class="mention"' not in comment.body_html
