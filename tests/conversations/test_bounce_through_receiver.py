"""A bounce end to end, over real SMTP both ways: Rapport's e-mail leaves with the bounce address of the reply domain as
its envelope sender; the remote server's delivery report, sent to that address, reaches the project's own receiver
(`receive_mail`), which suppresses the address; the next e-mail to it is held, and its role falls to the backup."""

from __future__ import annotations

import smtplib
from email.utils import parseaddr

import pytest

from conversations.inbound.smtp import reply_controller
from conversations.models import InboundMessage
from portal.outbox import services
from portal.outbox.models import MessageKind, MessageStatus, Suppression
from tests import factories as f
from tests.engagement import conftest as engagement_fixtures
from tests.engagement.conftest import free_port
from tests.engagement.dsn_samples import POSTFIX_HARD, dsn_bytes

pytestmark = pytest.mark.django_db(transaction=True)

smtp_sink = engagement_fixtures.smtp_sink  # a real SMTP server standing for the recipient's


@pytest.fixture
def receiver():
    port = free_port()
    controller = reply_controller(host="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def _notice(person, key: str):
    row, _created = services.outbox_enqueue(kind=MessageKind.NOTICE, recipient=person, dedupe_key=key,
                                           subject=f"Notice {key}", body_text="Something worth reading.")
    return row


def test_a_bounce_comes_back_to_the_receiver_and_stops_mail_to_the_address(world, settings, smtp_sink, receiver):
    plan = f.CommunicationPlanFactory(project=world.project)
    primary = f.StakeholderFactory(plan=plan, user=world.client, side="client", is_primary=True)
    f.StakeholderFactory(plan=plan, user=world.client_lead, side="client", backup_for=primary)

    sent = _notice(world.client, "notice:first")
    services.outbox_send_due()
    assert len(smtp_sink.messages) == 1
    return_path = smtp_sink.mail_from[0]
    assert return_path == settings.EMAIL_RETURN_PATH == f"bounces@{settings.INBOUND_EMAIL_DOMAIN}"
    assert parseaddr(smtp_sink.messages[0]["From"])[1] != return_path  # the reader sees the product's From

    # The recipient's server refuses the mailbox and reports it to the envelope sender, with a null sender of its own.
    report = dsn_bytes(POSTFIX_HARD, message_id=sent.message_id, rcpt=world.client.email).replace(b"\n", b"\r\n")
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        assert smtp.sendmail("", [return_path], report) == {}

    assert InboundMessage.objects.get().outcome == "dsn"
    suppression = Suppression.objects.get()
    assert (suppression.address, suppression.source) == (world.client.email.lower(), "dsn")
    sent.refresh_from_db()
    assert sent.status == MessageStatus.BOUNCED

    later = _notice(world.client, "notice:second")
    services.outbox_send_due()
    later.refresh_from_db()
    assert later.status == MessageStatus.SUPPRESSED
    assert [m["To"] for m in smtp_sink.messages] == [smtp_sink.messages[0]["To"]]  # nothing more to the address


def test_without_a_return_path_the_from_address_is_the_envelope_sender(world, settings, smtp_sink):
    settings.EMAIL_RETURN_PATH = ""
    _notice(world.client, "notice:plain")
    services.outbox_send_due()
    assert smtp_sink.mail_from == [parseaddr(smtp_sink.messages[0]["From"])[1]]
