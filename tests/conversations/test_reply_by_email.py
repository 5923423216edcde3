"""Replies by e-mail: a reply becomes the person's comment without the quote and signature; automatic mail is
ignored; a stranger, a bad address or a hidden object stores nothing and is answered once a day; a Message-ID
counts once; a progress line files the report."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine

from conversations.inbound.service import DUPLICATE, receive_message
from conversations.models import Attachment, Comment, InboundMessage, Notification, NotificationKind
from portal.outbox import services as outbox
from portal.outbox.models import OutboundMessage, ReplyAddress
from portal.outbox.replies import reply_address, reply_address_resolve, reply_addresses_revoke
from projects.models import Membership, ProgressReport
from tests.conversations.conftest import PDF, PE
from tests.conversations.inbound_mail import GMAIL_QUOTE, RUSSIAN_QUOTE, reply
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(world):
    task = TaskFactory(project=world.project, owner=world.client, side="client", title="Homepage copy")
    # the manager wrote first, so follows the thread and hears of replies
    from conversations.permissions import thread_access
    from conversations.services import comment_post

    comment_post(actor=world.manager, thread=thread_access(user=world.manager, slug=world.project.slug, kind="tasks",
                                                            pk=task.pk), body="@bob@acme.example is the copy final?")
    return task


def _address(world, task, person=None, **extra):
    return reply_address(person=person or world.client, kind="tasks", object_id=task.pk, project_id=world.project.pk, **extra)


def _nothing_stored(task):
    assert Comment.objects.filter(task=task, via="email").count() == 0
    assert ProgressReport.objects.filter(task=task).count() == 0


def _refusals() -> Counter:
    return Counter(OutboundMessage.objects.filter(dedupe_key__startswith="reply-refused:").values_list("to_email", flat=True))


def test_the_reply_address_is_short_signed_and_names_no_id(world, task):
    address = _address(world, task)
    local, _at, domain = address.partition("@")
    assert domain == "reply.localhost" and local.startswith("r-") and len(local) <= 64
    # the key before the signature is random, stored with who and what it names: no id is read from the address
    row = ReplyAddress.objects.get(person=world.client, kind="tasks", object_id=task.pk)
    assert local.split(".")[0] == f"r-{row.key}" and len(row.key) == 8
    target = reply_address_resolve(address)
    assert (target.person, target.kind, target.object_id) == (world.client, "tasks", task.pk)
    # the same person and object share one key; another person gets another
    assert _address(world, task).split(".")[0] == local.split(".")[0]
    assert _address(world, task, person=world.client_lead).split(".")[0] != local.split(".")[0]


def test_a_gmail_reply_becomes_a_clean_comment_in_the_managers_inbox(world, task):
    raw = reply(to=_address(world, task), sender="Boris Client <BOB@acme.example>",
                text="Yes, final. One **small** change:\n- the footer year" + GMAIL_QUOTE)

    received = receive_message(raw, recipients=[_address(world, task)])

    assert received.outcome == "commented"
    comment = received.comment
    assert (comment.author, comment.task, comment.via, comment.internal) == (world.client, task, "email", False)
    assert comment.body == "Yes, final. One **small** change:\n- the footer year"
    assert "wrote:" not in comment.body and "Acme Ltd" not in comment.body and "<strong>small</strong>" in comment.body_html
    reply_line = Notification.objects.get(recipient=world.manager, comment=comment)
    assert reply_line.kind == NotificationKind.REPLY
    assert InboundMessage.objects.get().outcome == "commented" and InboundMessage.objects.get().comment == comment
    assert _refusals() == Counter()


def test_a_russian_reply_loses_its_quote_and_signature(world, task):
    raw = reply(to=_address(world, task), sender="bob@acme.example", text="Да, текст окончательный." + RUSSIAN_QUOTE)
    comment = receive_message(raw).comment  # the address is read from To when the envelope is not known
    assert comment.body == "Да, текст окончательный."


def test_an_html_only_reply_loses_the_quoted_block(world, task):
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Message-ID"] = "bob@acme.example", _address(world, task), "<h1@acme.example>"
    message.set_content('<div dir="ltr">Looks <b>good</b><br>to me</div><div class="gmail_quote">On Mon … wrote:'
                        "<blockquote>old text</blockquote></div>", subtype="html")
    comment = receive_message(message.as_bytes()).comment
    assert comment.body == "Looks good\nto me"


@pytest.mark.parametrize(
    ("headers", "mail_from", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, None, "auto-submitted"),
        ({"Precedence": "bulk"}, None, "precedence"),
        ({"X-Autoreply": "yes"}, None, "auto-reply"),
        ({"List-Id": "<team.lists.acme.example>"}, None, "list"),
        ({}, "", "null-return-path"),
        ({"Return-Path": "<>"}, None, "null-return-path"),
    ],
)
def test_automatic_mail_is_ignored_and_never_answered(world, task, headers, mail_from, reason):
    raw = reply(to=_address(world, task), sender="bob@acme.example", text="I am out of office until Monday.",
                headers=headers)
    received = receive_message(raw, mail_from=mail_from)
    assert (received.outcome, received.reason) == ("ignored", reason)
    _nothing_stored(task)
    assert _refusals() == Counter()


def test_auto_submitted_no_is_a_person(world, task):
    raw = reply(to=_address(world, task), sender="bob@acme.example", text="Fine.", headers={"Auto-Submitted": "no"})
    assert receive_message(raw).outcome == "commented"


def test_an_unknown_sender_stores_nothing_and_is_told_once(world, task):
    raw = reply(to=_address(world, task), sender="someone@elsewhere.example", text="Forwarded, my view: yes")
    received = receive_message(raw)
    assert (received.outcome, received.reason) == ("refused", "sender")
    _nothing_stored(task)
    assert _refusals() == Counter({"someone@elsewhere.example": 1})


def test_a_forged_address_stores_nothing(world, task):
    address = _address(world, task)
    local, _at, domain = address.partition("@")
    forged = f"{local[:-3]}{'A' if local[-3] != 'A' else 'B'}{local[-2:]}@{domain}"
    received = receive_message(reply(to=forged, sender="bob@acme.example", text="Yes"))
    assert (received.outcome, received.reason) == ("refused", "forged")
    # an address for another object cannot be made by changing the key either
    other = f"r-zzzzzzzz.{local.split('.', 1)[1]}@{domain}"
    assert receive_message(reply(to=other, sender="bob@acme.example", text="Yes")).reason == "unknown"
    _nothing_stored(task)
    assert _refusals() == Counter({"bob@acme.example": 1})


def test_an_expired_address_stores_nothing(world, task, settings):
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=settings.REPLY_ADDRESS_MAX_AGE_DAYS + 1)):
        old = _address(world, task)
    received = receive_message(reply(to=old, sender="bob@acme.example", text="Yes"))
    assert (received.outcome, received.reason) == ("refused", "expired")
    _nothing_stored(task)
    # a fresh notice gives a fresh address that works
    assert receive_message(reply(to=_address(world, task), sender="bob@acme.example", text="Yes")).outcome == "commented"


def test_a_revoked_address_and_a_changed_password_store_nothing(world, task):
    address = _address(world, task)
    assert reply_addresses_revoke(person=world.client) == 1
    assert receive_message(reply(to=address, sender="bob@acme.example", text="Yes")).reason == "revoked"
    fresh = _address(world, task)
    world.client.set_password("a new password 123")
    world.client.save()
    assert receive_message(reply(to=fresh, sender="bob@acme.example", text="Yes")).reason == "forged"
    world.client.is_active = False
    world.client.save()
    assert receive_message(reply(to=_address(world, task), sender="bob@acme.example", text="Yes")).reason == "inactive"
    _nothing_stored(task)


def test_a_reply_about_an_object_no_longer_visible_stores_nothing(world, task):
    address = _address(world, task)
    Membership.objects.filter(project=world.project, user=world.client).delete()
    received = receive_message(reply(to=address, sender="bob@acme.example", text="Still there?"))
    assert (received.outcome, received.reason) == ("refused", "not-visible")
    _nothing_stored(task)
    assert _refusals() == Counter({"bob@acme.example": 1})


def test_a_task_made_internal_is_not_visible_to_the_client(world):
    team_task = TaskFactory(project=world.project, owner=world.team, side="team", title="Hosting")
    address = _address(world, team_task)
    team_task.internal = True
    team_task.save()
    assert receive_message(reply(to=address, sender="bob@acme.example", text="Hm")).reason == "not-visible"
    _nothing_stored(team_task)


def test_the_same_message_twice_is_one_comment(world, task):
    raw = reply(to=_address(world, task), sender="bob@acme.example", text="Once", message_id="<same@acme.example>")
    assert receive_message(raw).outcome == "commented"
    assert receive_message(raw).outcome == DUPLICATE
    assert Comment.objects.filter(task=task, via="email").count() == 1
    assert InboundMessage.objects.count() == 1


def test_a_refusal_is_sent_at_most_once_a_day_per_sender(world, task, mailoutbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        good = _address(world, task)
        # one character of the signature changed (to a different one: it is random, and "x" 1 time in 64)
        bad = f"{good[:-20]}{'y' if good[-20] == 'x' else 'x'}{good[-19:]}"
        for n in range(3):
            receive_message(reply(to=bad, sender="bob@acme.example", text=f"try {n}"))
        receive_message(reply(to=bad, sender="eve@elsewhere.example", text="hi"))
        receive_message(reply(to=bad, sender="bob@acme.example", text="auto", headers={"Auto-Submitted": "auto-replied"}))
        outbox.outbox_send_due(now=now)
    assert Counter(m.to[0] for m in mailoutbox) == Counter({"bob@acme.example": 1, "eve@elsewhere.example": 1})
    told = next(m for m in mailoutbox if m.to == ["bob@acme.example"])
    assert told.subject == "Your reply could not be posted" and "nothing from it was kept" in told.body
    assert told.extra_headers["Auto-Submitted"] == "auto-generated"
    # the next day, one more
    with time_machine.travel(now + dt.timedelta(days=1), tick=False):
        receive_message(reply(to=bad, sender="bob@acme.example", text="again"))
        outbox.outbox_send_due(now=now + dt.timedelta(days=1))
    assert Counter(m.to[0] for m in mailoutbox)["bob@acme.example"] == 2
    assert InboundMessage.objects.filter(outcome="refused").count() == 5


def test_the_refusal_speaks_the_senders_language(world, task, mailoutbox):
    world.client.language = "ru"
    world.client.save()
    receive_message(reply(to="r-bad.bad.bad@reply.localhost", sender="bob@acme.example", text="x"))
    row = OutboundMessage.objects.get(dedupe_key__startswith="reply-refused:")
    assert row.subject == "Ваш ответ не опубликован" and "ничего из него не сохранено" in row.body_text


@pytest.mark.parametrize(
    ("line", "state", "percent", "blockers", "note"),
    [
        ("75%", "on_track", 75, "", "Copy is with the editor."),
        ("blocked: waiting for legal", "blocked", 40, "waiting for legal", "Copy is with the editor."),
        ("at risk", "at_risk", 40, "", "Copy is with the editor."),
        ("on track 60%", "on_track", 60, "", "Copy is with the editor."),
        ("заблокировано: ждём юристов", "blocked", 40, "ждём юристов", "Copy is with the editor."),
        ("под угрозой", "at_risk", 40, "", "Copy is with the editor."),
        ("в графике 80%", "on_track", 80, "", "Copy is with the editor."),
    ],
)
def test_a_progress_line_from_the_assignee_files_the_report(world, task, line, state, percent, blockers, note):
    task.last_percent = 40
    task.save()
    raw = reply(to=_address(world, task), sender="bob@acme.example", text=f"{line}\nCopy is with the editor." + GMAIL_QUOTE)
    received = receive_message(raw)
    report = ProgressReport.objects.get(task=task)
    assert (report.author, report.state, report.percent, report.blockers, report.note) == (world.client, state, percent, blockers, note)
    assert received.report == report
    assert received.comment.body == f"{line}\nCopy is with the editor."
    task.refresh_from_db()
    assert task.last_state == state


def test_a_progress_line_from_someone_else_is_only_a_comment(world, task):
    address = _address(world, task, person=world.client_lead)
    received = receive_message(reply(to=address, sender="lead@acme.example", text="75%\nfrom the lead"))
    assert received.outcome == "commented" and received.report is None
    assert ProgressReport.objects.filter(task=task).count() == 0


def test_a_reply_to_an_internal_mention_stays_internal(world, task):
    address = _address(world, task, person=world.team, internal=True)
    comment = receive_message(reply(to=address, sender="dev@example.com", text="Margins first")).comment
    assert comment.internal is True
    assert not Notification.objects.filter(comment=comment, recipient__in=[world.client, world.client_lead]).exists()


def test_mail_to_no_reply_address_is_offered_to_delivery_reports_and_recorded(world, task):
    raw = reply(to="postmaster@reply.localhost", sender="mailer-daemon@mx.example", text="Delivery failed")
    assert receive_message(raw, recipients=["postmaster@reply.localhost"]).outcome == "unrouted"
    assert _refusals() == Counter()


def test_the_replys_files_are_kept_on_its_comment(world, task, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    raw = reply(to=_address(world, task), sender="bob@acme.example", text="The brief, signed." + GMAIL_QUOTE,
                files=[("brief.pdf", "application/pdf", PDF)])
    comment = receive_message(raw).comment
    [attachment] = Attachment.objects.filter(comment=comment)
    assert (attachment.name, attachment.task, attachment.uploaded_by, attachment.content_type) == (
        "brief.pdf", task, world.client, "application/pdf")
    assert attachment.file.read() == PDF


def test_a_reply_with_only_a_file_is_a_comment_naming_it(world, task, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    raw = reply(to=_address(world, task), sender="bob@acme.example", text=GMAIL_QUOTE.strip(),
                files=[("brief.pdf", "application/pdf", PDF)])
    comment = receive_message(raw).comment
    assert comment.body == "Files sent by e-mail: brief.pdf" and comment.attachments.count() == 1


def test_a_disguised_program_refuses_the_whole_reply(world, task, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    raw = reply(to=_address(world, task), sender="bob@acme.example", text="see invoice",
                files=[("invoice.pdf", "application/pdf", PE)])
    received = receive_message(raw)
    assert (received.outcome, received.reason) == ("refused", "files")
    _nothing_stored(task)
    assert Attachment.objects.count() == 0 and not any(tmp_path.rglob("*.*")) and not list((tmp_path).rglob("attachments/*"))
    row = OutboundMessage.objects.get(dedupe_key__startswith="reply-refused:")
    assert "One of its files could not be accepted" in row.body_text


def test_the_mention_email_answers_to_the_readers_thread(world, task, mailoutbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from conversations.emails import queue_mention_email

    notification = Notification.objects.get(recipient=world.client, kind=NotificationKind.MENTION)
    assert queue_mention_email(notification_id=notification.pk)
    outbox.outbox_send_due(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=4))
    [mail] = mailoutbox
    target = reply_address_resolve(mail.reply_to[0])
    assert (target.person, target.kind, target.object_id, target.internal) == (world.client, "tasks", task.pk, False)
    # replying to it is the client's comment on that task
    received = receive_message(reply(to=mail.reply_to[0], sender=mail.to[0], text="Final, yes." + GMAIL_QUOTE))
    assert received.comment.task == task and received.comment.author == world.client


def test_a_decision_request_answers_to_the_decisions_thread(world, mailoutbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from engagement.emails.decisions import queue_decision_request
    from engagement.models.decisions import DecisionStatus, Involvement
    from tests.factories import DecisionFactory

    decision = DecisionFactory(project=world.project, title="Hosting provider", involvement=Involvement.APPROVAL,
                               status=DecisionStatus.PROPOSED)
    queue_decision_request(decision_id=decision.pk)
    outbox.outbox_send_due(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=4))
    mail = next(m for m in mailoutbox if m.to == [world.client.email])
    comment = receive_message(reply(to=mail.reply_to[0], sender=world.client.email, text="Which region?")).comment
    assert (comment.decision, comment.author, comment.body) == (decision, world.client, "Which region?")
    # the lead's e-mail carries the lead's own address: the client's reply address does not work from the lead's mail
    lead_mail = next(m for m in mailoutbox if m.to == [world.client_lead.email])
    assert lead_mail.reply_to != mail.reply_to
    assert receive_message(reply(to=mail.reply_to[0], sender=world.client_lead.email, text="me too")).reason == "sender"
