"""The two receivers of replies: the SMTP receiver (real aiosmtpd, mail sent with smtplib) and a mail provider's
inbound webhook through django-anymail (Postmark's inbound format). Both feed the same service."""

from __future__ import annotations

import base64
import json
import smtplib

import pytest

from conversations.inbound.smtp import reply_controller
from conversations.models import Comment, InboundMessage
from portal.outbox.replies import reply_address
from tests.conversations.inbound_mail import GMAIL_QUOTE, reply
from tests.engagement.conftest import free_port
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def task(world):
    return TaskFactory(project=world.project, owner=world.client, side="client", title="Homepage copy")


@pytest.fixture
def address(world, task):
    return reply_address(person=world.client, kind="tasks", object_id=task.pk, project_id=world.project.pk)


@pytest.fixture
def receiver(settings):
    settings.INBOUND_MAX_MESSAGE_BYTES = 200_000
    port = free_port()
    controller = reply_controller(host="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def test_a_reply_sent_over_smtp_becomes_a_comment(world, task, address, receiver):
    raw = reply(to=address, sender="Boris Client <bob@acme.example>", text="Approved." + GMAIL_QUOTE)
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        refused = smtp.sendmail("bob@acme.example", [address], raw)
    assert refused == {}
    comment = Comment.objects.get(task=task)
    assert (comment.author, comment.body, comment.via) == (world.client, "Approved.", "email")
    assert InboundMessage.objects.get().source == "smtp"


def test_the_receiver_refuses_other_domains_at_rcpt(world, task, address, receiver):
    raw = reply(to="someone@example.com", sender="bob@acme.example", text="Hi")
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("bob@acme.example")
        code, _message = smtp.rcpt("someone@example.com")
        assert code == 550
        smtp.rset()
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.sendmail("bob@acme.example", ["someone@example.com"], raw)
    assert InboundMessage.objects.count() == 0 and Comment.objects.count() == 0


def test_the_receiver_refuses_a_message_over_the_size_limit(world, task, address, receiver):
    raw = reply(to=address, sender="bob@acme.example", text="x" * 300_000)
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp, pytest.raises(smtplib.SMTPException) as refused:
        smtp.sendmail("bob@acme.example", [address], raw)
    assert "552" in str(refused.value) or getattr(refused.value, "smtp_code", None) == 552
    assert Comment.objects.count() == 0


def test_a_bounce_with_a_null_sender_is_ignored(world, task, address, receiver):
    raw = reply(to=address, sender="mailer-daemon@mx.acme.example", text="Delivery failed")
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        smtp.sendmail("", [address], raw)
    row = InboundMessage.objects.get()
    assert (row.outcome, row.reason) == ("ignored", "null-return-path")
    assert Comment.objects.count() == 0


def _postmark(raw: bytes, address: str, sender: str) -> dict:
    return {
        "FromFull": {"Email": sender, "Name": ""},
        "ToFull": [{"Email": address, "Name": ""}],
        "Headers": [{"Name": "Return-Path", "Value": f"<{sender}>"}],
        "OriginalRecipient": address,
        "RawEmail": raw.decode("utf-8"),
        "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
    }


def _auth(secret: str) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


def test_a_providers_inbound_webhook_feeds_the_same_service(client, world, task, address, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "rapport:s3cret"}
    raw = reply(to=address, sender="bob@acme.example", text="Да, согласна.\n\nС уважением,\nБорис")
    response = client.post("/anymail/postmark/inbound/", data=json.dumps(_postmark(raw, address, "bob@acme.example")),
                           content_type="application/json", HTTP_AUTHORIZATION=_auth("rapport:s3cret"))
    assert response.status_code == 200
    comment = Comment.objects.get(task=task)
    assert (comment.author, comment.body) == (world.client, "Да, согласна.")
    assert InboundMessage.objects.get().source == "postmark"


def test_the_webhook_refuses_a_wrong_secret_and_stores_nothing(client, world, task, address, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "rapport:s3cret"}
    raw = reply(to=address, sender="bob@acme.example", text="Yes")
    response = client.post("/anymail/postmark/inbound/", data=json.dumps(_postmark(raw, address, "bob@acme.example")),
                           content_type="application/json", HTTP_AUTHORIZATION=_auth("rapport:guess"))
    assert response.status_code == 400
    assert Comment.objects.count() == 0 and InboundMessage.objects.count() == 0
