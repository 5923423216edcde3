"""The outbox: dedupe, claim, send through SMTP, retry with back-off, fail, requeue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from portal.outbox import services
from portal.outbox.email import msgid
from portal.outbox.models import MessageKind, MessageStatus, OutboundMessage
from tests import factories as f

pytestmark = pytest.mark.django_db


def _enqueue(person, key="test:1", **extra):
    return services.outbox_enqueue(
        kind=MessageKind.NOTICE, recipient=person, dedupe_key=key, subject="Hello", body_text="Hi there", body_html="<p>Hi</p>", **extra
    )


def test_enqueue_twice_is_a_noop():
    person = f.StaffFactory()
    row, created = _enqueue(person)
    again, created_again = _enqueue(person)
    assert created and not created_again
    assert again.pk == row.pk
    assert OutboundMessage.objects.filter(dedupe_key="test:1").count() == 1
    assert row.message_id == msgid("test:1")


def test_message_id_shape_and_secret(settings):
    value = msgid("digest:1:2026-W48")
    assert re.fullmatch(rf"<[0-9a-f]{{32}}@{re.escape(settings.EMAIL_MESSAGE_ID_DOMAIN)}>", value)
    assert "localhost" not in value
    assert msgid("digest:1:2026-W49") != value
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert msgid("digest:1:2026-W48") != value


def test_send_delivers_over_smtp_and_marks_sent(smtp_sink):
    person = f.StaffFactory(email="ann@example.com")
    row, _ = _enqueue(person)

    assert services.outbox_send(message_id=row.pk) == services.SENT

    row.refresh_from_db()
    assert row.status == MessageStatus.SENT and row.sent_at is not None and row.attempts == 1
    [message] = smtp_sink.messages
    assert message["To"] == "ann@example.com"
    assert message["Message-ID"] == row.message_id
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    # a second send of the same row does nothing
    assert services.outbox_send(message_id=row.pk) == services.NOT_CLAIMED
    assert smtp_sink.count() == 1


def test_not_sent_before_send_after(smtp_sink):
    person = f.StaffFactory()
    row, _ = _enqueue(person, send_after=timezone.now() + dt.timedelta(minutes=5))
    assert services.outbox_send(message_id=row.pk) == services.NOT_CLAIMED
    assert services.outbox_send_due() == {}
    row.refresh_from_db()
    assert row.status == MessageStatus.PENDING and row.attempts == 0
    assert smtp_sink.count() == 0


def test_transient_failure_backs_off_then_delivers_once(smtp_sink, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    person = f.StaffFactory()
    row, _ = _enqueue(person)
    smtp_sink.fail_next = 2
    now = timezone.now()

    assert services.outbox_send(message_id=row.pk, now=now) == services.RETRY
    row.refresh_from_db()
    assert row.status == MessageStatus.PENDING and row.attempts == 1 and "451" in row.last_error
    assert row.send_after == now + dt.timedelta(seconds=60)
    assert services.outbox_send(message_id=row.pk, now=now + dt.timedelta(seconds=30)) == services.NOT_CLAIMED

    assert services.outbox_send(message_id=row.pk, now=now + dt.timedelta(seconds=61)) == services.RETRY
    row.refresh_from_db()
    assert row.send_after == now + dt.timedelta(seconds=61 + 120)

    counts = services.outbox_send_due(now=now + dt.timedelta(seconds=200))
    assert counts == {services.SENT: 1}
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT and row.attempts == 3
    assert smtp_sink.count() == 1
    assert smtp_sink.messages[0]["Message-ID"] == row.message_id


def test_gives_up_after_max_attempts(smtp_sink, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    person = f.StaffFactory()
    row, _ = _enqueue(person)
    smtp_sink.fail_next = 5
    now = timezone.now()
    assert services.outbox_send(message_id=row.pk, now=now) == services.RETRY
    assert services.outbox_send(message_id=row.pk, now=now + dt.timedelta(hours=1)) == services.FAILED
    row.refresh_from_db()
    assert row.status == MessageStatus.FAILED and "451" in row.last_error and row.attempts == 2
    assert smtp_sink.count() == 0


def test_permanent_rejection_fails_at_once():
    import smtplib

    assert services.is_transient(smtplib.SMTPResponseException(451, b"later"))
    assert not services.is_transient(smtplib.SMTPResponseException(550, b"no such user"))
    assert services.is_transient(smtplib.SMTPServerDisconnected("gone"))
    assert services.is_transient(ConnectionRefusedError())
    assert not services.is_transient(ValueError("bug"))


def test_requeue_stuck_returns_old_sending_rows_only():
    person = f.StaffFactory()
    now = timezone.now()
    old = f.OutboundMessageFactory(recipient=person, status=MessageStatus.SENDING, claimed_at=now - dt.timedelta(hours=1))
    fresh = f.OutboundMessageFactory(recipient=person, status=MessageStatus.SENDING, claimed_at=now - dt.timedelta(seconds=5))
    assert services.outbox_requeue_stuck(now=now) == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == MessageStatus.PENDING and fresh.status == MessageStatus.SENDING


def test_deactivated_recipient_is_skipped(smtp_sink):
    person = f.StaffFactory(is_active=False)
    row, _ = _enqueue(person)
    assert services.outbox_send(message_id=row.pk) == services.SKIPPED
    row.refresh_from_db()
    assert row.status == MessageStatus.SKIPPED
    assert smtp_sink.count() == 0


def test_enqueue_dispatches_on_commit(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("portal.outbox.tasks.send_message.apply_async", lambda args, retry: sent.append(args[0]))
    person = f.StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        row, _ = _enqueue(person)
    assert sent == [row.pk]
    with django_capture_on_commit_callbacks(execute=True):
        _enqueue(person)
    assert sent == [row.pk]


def test_a_rendering_error_fails_the_row_instead_of_leaving_it_sending(smtp_sink):
    person = f.StaffFactory()
    row, _ = _enqueue(person, key="test:render", payload={"render": "portal.outbox.services.no_such_renderer"})
    assert services.outbox_send(message_id=row.pk) == services.FAILED
    row.refresh_from_db()
    assert row.status == MessageStatus.FAILED and "no_such_renderer" in row.last_error
    assert smtp_sink.count() == 0


def _count_smtp_connections(monkeypatch) -> list[int]:
    from django.core.mail.backends.smtp import EmailBackend

    opened = []
    original = EmailBackend.open

    def counting_open(self):
        new = original(self)
        if new:
            opened.append(1)
        return new

    monkeypatch.setattr(EmailBackend, "open", counting_open)
    return opened


def test_send_many_claims_only_pending_due_rows_and_uses_one_connection(smtp_sink, monkeypatch):
    person = f.StaffFactory()
    due = [f.OutboundMessageFactory(recipient=person, body_html=f"<p>{i}</p>") for i in range(25)]  # > one claim chunk
    now = timezone.now()
    later = f.OutboundMessageFactory(recipient=person, send_after=now + dt.timedelta(hours=1))
    elsewhere = f.OutboundMessageFactory(recipient=person, status=MessageStatus.SENDING, claimed_at=now)
    done = f.OutboundMessageFactory(recipient=person, status=MessageStatus.SENT, sent_at=now)
    opened = _count_smtp_connections(monkeypatch)
    ids = [done.pk, *[row.pk for row in due], later.pk, elsewhere.pk]

    results = dict(services.outbox_send_many(ids=ids, now=now))

    assert [results[row.pk] for row in due] == [services.SENT] * 25
    assert results[done.pk] == results[later.pk] == results[elsewhere.pk] == services.NOT_CLAIMED
    assert sorted(m["Message-ID"] for m in smtp_sink.messages) == sorted(row.message_id for row in due)
    assert len(opened) == 1
    assert OutboundMessage.objects.filter(pk__in=[r.pk for r in due], status=MessageStatus.SENT, attempts=1).count() == 25
    assert OutboundMessage.objects.get(pk=later.pk).status == MessageStatus.PENDING
    assert OutboundMessage.objects.get(pk=elsewhere.pk).status == MessageStatus.SENDING
    # a second run (a redelivered task) sends nothing again
    assert {result for _pk, result in services.outbox_send_many(ids=ids, now=now)} == {services.NOT_CLAIMED}
    assert smtp_sink.count() == 25


def test_claim_many_returns_only_the_rows_this_caller_owns():
    person = f.StaffFactory()
    rows = [f.OutboundMessageFactory(recipient=person) for _ in range(3)]
    OutboundMessage.objects.filter(pk=rows[1].pk).update(status=MessageStatus.SENDING)
    ids = [row.pk for row in reversed(rows)]
    assert services.outbox_claim_many(ids=ids) == [rows[2].pk, rows[0].pk]
    assert services.outbox_claim_many(ids=ids) == []
    assert list(OutboundMessage.objects.filter(pk__in=ids).values_list("attempts", flat=True).order_by("pk")) == [1, 0, 1]


def test_send_many_retries_a_refused_row_and_sends_the_rest_on_a_fresh_connection(smtp_sink, monkeypatch, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    person = f.StaffFactory()
    rows = [f.OutboundMessageFactory(recipient=person) for _ in range(4)]
    opened = _count_smtp_connections(monkeypatch)
    smtp_sink.fail_next = 1  # the first message gets a 451
    now = timezone.now()

    results = services.outbox_send_many(ids=[row.pk for row in rows], now=now)

    assert [result for _pk, result in results] == [services.RETRY, services.SENT, services.SENT, services.SENT]
    assert len(opened) == 2
    first = OutboundMessage.objects.get(pk=rows[0].pk)
    assert first.status == MessageStatus.PENDING and first.send_after == now + dt.timedelta(seconds=60)
    assert services.outbox_send_many(ids=[rows[0].pk], now=now + dt.timedelta(seconds=61)) == [(rows[0].pk, services.SENT)]
    assert smtp_sink.count() == 4


def test_send_batch_task_schedules_a_retry_for_a_refused_row(smtp_sink, monkeypatch, settings):
    from portal.outbox import tasks

    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    person = f.StaffFactory()
    rows = [f.OutboundMessageFactory(recipient=person) for _ in range(3)]
    scheduled = []
    monkeypatch.setattr(tasks.send_message, "apply_async", lambda args, countdown, retry: scheduled.append((args, countdown)))
    smtp_sink.fail_next = 1

    assert tasks.send_batch.run([row.pk for row in rows]) == {services.RETRY: 1, services.SENT: 2}
    assert scheduled == [([rows[0].pk], 60)]


def test_batch_dispatch_survives_a_broker_outage(monkeypatch):
    from portal.outbox import tasks

    def broker_down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(tasks.send_batch, "apply_async", broker_down)
    services.outbox_dispatch_many([1, 2, 3])  # logs; the sweep sends the rows later


def test_a_stuck_claim_is_taken_back_within_minutes_and_the_slow_holder_does_not_send_it(smtp_sink, settings, monkeypatch):
    """A batch whose claim outlived the stuck threshold: the sweep requeues the rows, another sender delivers them,
    and the first sender, when it reaches them, finds its claim gone and skips them: each row arrives once."""
    person = f.StaffFactory()
    rows = [f.OutboundMessageFactory(recipient=person, kind=MessageKind.NOTICE, subject=f"Held {i}") for i in range(3)]
    assert settings.OUTBOX_STUCK_AFTER_SECONDS <= 180  # a killed worker's rows wait minutes, not a quarter of an hour
    ids = [row.pk for row in rows]
    real_send_claimed = services._send_claimed
    overtaken = {"done": False}

    def slow_first_send(row, **kwargs):
        result = real_send_claimed(row, **kwargs)
        if not overtaken["done"]:
            overtaken["done"] = True
            # while this batch is busy, the sweep takes back the other two claims and a second sender sends them
            later = timezone.now() + dt.timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS + 1)
            assert services.outbox_requeue_stuck(now=later) == 2
            assert [r for _pk, r in services.outbox_send_many(ids=ids[1:], now=later)] == [services.SENT, services.SENT]
            monkeypatch.setattr(services.time, "monotonic", lambda: 10**9)  # this batch has waited long since
        return result

    monkeypatch.setattr(services, "_send_claimed", slow_first_send)
    results = services.outbox_send_many(ids=ids)

    assert results == [(ids[0], services.SENT), (ids[1], services.NOT_CLAIMED), (ids[2], services.NOT_CLAIMED)]
    assert sorted(m["Subject"] for m in smtp_sink.messages) == ["Held 0", "Held 1", "Held 2"]
    assert set(OutboundMessage.objects.filter(pk__in=ids).values_list("status", flat=True)) == {MessageStatus.SENT}


class _Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs in the sender (not even an except Exception)."""


def test_a_sender_killed_after_the_server_accepted_one_row_resends_that_row_only_with_the_same_message_id(
        smtp_sink, monkeypatch):
    """The one window SMTP leaves: the server answered 250 for a row and the sender died before that row's own
    UPDATE. The rows before it were marked sent one by one, the rows after it were never sent: after the requeue
    exactly that one row goes again, under the Message-ID it had, so a receiver can tell it is the same message."""
    person = f.StaffFactory()
    rows = [_enqueue(person, key=f"kill:{i}")[0] for i in range(6)]  # each with its own Message-ID, as queued
    now = timezone.now()
    real_finish = services._finish

    def dies_on_the_fourth(row, status, error=""):
        if row.pk == rows[3].pk and status == MessageStatus.SENT:
            raise _Killed
        real_finish(row, status, error)

    monkeypatch.setattr(services, "_finish", dies_on_the_fourth)
    with pytest.raises(_Killed):
        services.outbox_send_many(ids=[r.pk for r in rows], now=now)
    monkeypatch.setattr(services, "_finish", real_finish)
    states = dict(OutboundMessage.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "status"))
    assert [states[r.pk] for r in rows] == [MessageStatus.SENT] * 3 + [MessageStatus.SENDING] * 3
    assert smtp_sink.count() == 4  # the fourth was accepted by the server before the "kill"

    later = now + dt.timedelta(minutes=10)
    assert services.outbox_requeue_stuck(now=later) == 3
    services.outbox_send_due(now=later)

    ids = [m["Message-ID"] for m in smtp_sink.messages]
    assert len(ids) == 7 and sorted(set(ids)) == sorted(r.message_id for r in rows)
    assert [i for i in set(ids) if ids.count(i) > 1] == [rows[3].message_id]  # one duplicate, the same Message-ID
    assert OutboundMessage.objects.filter(pk__in=[r.pk for r in rows], status=MessageStatus.SENT).count() == 6
