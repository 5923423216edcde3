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
