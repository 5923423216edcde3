"""Bounces and complaints end to end, counted at a real SMTP server: a DSN (Postfix, Exchange), a complaint's feedback
report or a provider's webhook (Postmark, through django-anymail) marks the address undeliverable; the next e-mail
to it is not sent; the manager sees who cannot be reached and why on the plan page; the backup gets the person's
requests; the manager clears it and mail flows again."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement.emails.decisions import queue_decision_request
from engagement.models.decisions import DecisionStatus, Involvement
from engagement.selectors.unreachable import unreachable_contacts
from engagement.services.nudges import nudges_send
from portal.outbox import services
from portal.outbox.bounces import handle_dsn
from portal.outbox.models import MessageKind, MessageStatus, OutboundMessage, Suppression, SuppressionKind
from tests import factories as f
from tests.engagement.conftest import parse
from tests.engagement.dsn_samples import ARF_COMPLAINT, EXCHANGE_HARD, POSTFIX_DELAYED, POSTFIX_HARD, dsn_bytes

pytestmark = pytest.mark.django_db

WEBHOOK = "/anymail/postmark/tracking/"
SECRET = "provider:test-webhook-secret"  # portal/settings/test.py


def _plan_with_backup(world):
    plan = f.CommunicationPlanFactory(project=world.project)
    primary = f.StakeholderFactory(plan=plan, user=world.client, side="client", is_primary=True)
    f.StakeholderFactory(plan=plan, user=world.client_lead, side="client", backup_for=primary)
    return plan


def _notice(person, key: str) -> OutboundMessage:
    row, _created = services.outbox_enqueue(kind=MessageKind.NOTICE, recipient=person, dedupe_key=key,
                                           subject=f"Notice {key}", body_text="Something worth reading.")
    return row


def _to(sink, address: str) -> list:
    return [m for m in sink.messages if address in str(m["To"])]


def _sent_notice(world, sink) -> OutboundMessage:
    row = _notice(world.client, "notice:first")
    services.outbox_send_due()
    assert len(_to(sink, world.client.email)) == 1
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT
    return row


def _postmark(client, payload: dict, secret: str = SECRET):
    auth = "Basic " + base64.b64encode(secret.encode()).decode()
    return client.post(WEBHOOK, data=json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=auth)


def _postmark_bounce(email: str, bounce_type: str = "HardBounce") -> dict:
    # Postmark's bounce webhook, as its documentation shows it.
    return {
        "RecordType": "Bounce", "MessageStream": "outbound", "ID": 4323372036854775807, "Type": bounce_type,
        "TypeCode": 1 if bounce_type == "HardBounce" else 4096, "Name": "Hard bounce", "Tag": "",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "Metadata": {}, "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email, "From": "no-reply@rapport.example", "BouncedAt": "2026-12-07T06:40:00.9070259Z",
        "DumpAvailable": True, "Inactive": True, "CanActivate": True, "Subject": "Notice",
    }


def _postmark_complaint(email: str) -> dict:
    return {
        "RecordType": "SpamComplaint", "MessageStream": "outbound", "ID": 42, "Type": "SpamComplaint", "TypeCode": 512,
        "Name": "Spam complaint", "Tag": "", "MessageID": "00000000-0000-0000-0000-000000000000", "Metadata": {},
        "ServerID": 1234, "Description": "", "Details": "Test spam complaint details", "Email": email,
        "From": "no-reply@rapport.example", "BouncedAt": "2026-12-07T07:00:00Z", "DumpAvailable": True,
        "Inactive": True, "CanActivate": False, "Subject": "Notice",
    }


def _then_suppressed_routed_shown_and_cleared(world, client, sink, kind: str) -> None:
    """What follows any permanent report about Boris's address: checked the same way for every source."""
    suppression = Suppression.objects.get(address=world.client.email, cleared_at__isnull=True)
    assert suppression.kind == kind
    before = len(_to(sink, world.client.email))

    # The next e-mail to him is not sent, and the operator sees why.
    later = _notice(world.client, "notice:later")
    services.outbox_send_due()
    later.refresh_from_db()
    assert later.status == MessageStatus.SUPPRESSED and later.last_error
    assert len(_to(sink, world.client.email)) == before

    # His role falls back to his backup: a decision request goes to Lena at once, saying why; none to Boris.
    decision = f.DecisionFactory(project=world.project, title="Hosting provider", involvement=Involvement.CONSULTED,
                                 status=DecisionStatus.APPROVED)
    queue_decision_request(decision_id=decision.pk)
    services.outbox_send_due(now=timezone.now() + dt.timedelta(days=3))  # a request: after the bundle window, in working hours
    assert not OutboundMessage.objects.filter(kind=MessageKind.DECISION_REQUEST, recipient=world.client).exists()
    to_lena = [m for m in _to(sink, world.client_lead.email) if m["X-Rapport-Kind"] == MessageKind.DECISION_REQUEST]
    assert len(to_lena) == 1
    assert "Boris Client cannot be reached by e-mail" in to_lena[0].get_body(("plain",)).get_content()
    assert len(_to(sink, world.client.email)) == before

    # The manager sees who cannot be reached, why, and who covers; the client lead does not see the panel.
    client.force_login(world.manager)
    page = client.get(reverse("engagement:plan", args=[world.project.slug])).content.decode()
    assert "Cannot be reached by e-mail" in page and "bob@acme.example" in page
    assert "goes to Lena Lead (backup)" in page
    client.force_login(world.client_lead)
    assert "Cannot be reached by e-mail" not in client.get(reverse("engagement:plan", args=[world.project.slug])).content.decode()

    # Only the project's manager may clear it; once cleared, mail reaches him again.
    clear = reverse("engagement:plan-unreachable-clear", args=[world.project.slug, suppression.pk])
    assert client.post(clear).status_code in (403, 404)
    client.force_login(world.manager)
    assert client.post(clear).status_code == 302
    suppression.refresh_from_db()
    assert suppression.cleared_by == world.manager and suppression.cleared_at is not None
    _notice(world.client, "notice:after-fix")
    services.outbox_send_due()
    assert len(_to(sink, world.client.email)) == before + 1
    later.refresh_from_db()
    assert later.status == MessageStatus.SUPPRESSED  # what was held back stays unsent: it is stale by now


@pytest.mark.parametrize("template", [POSTFIX_HARD, EXCHANGE_HARD], ids=["postfix", "exchange"])
def test_a_dsn_suppresses_the_address_and_the_backup_takes_the_role(world, client, smtp_sink, template):
    _plan_with_backup(world)
    sent = _sent_notice(world, smtp_sink)
    report = parse(dsn_bytes(template, message_id=sent.message_id, rcpt=world.client.email.upper()))
    assert handle_dsn(report) is True
    sent.refresh_from_db()
    assert sent.status == MessageStatus.BOUNCED and "5.1.1" in sent.last_error
    suppression = Suppression.objects.get()
    assert suppression.source == "dsn" and suppression.message == sent and suppression.reason.startswith("5.1.1")
    assert handle_dsn(report) is True and Suppression.objects.count() == 1  # the same report twice: one record
    _then_suppressed_routed_shown_and_cleared(world, client, smtp_sink, SuppressionKind.HARD)


def test_a_complaint_report_suppresses_the_address(world, client, smtp_sink):
    _plan_with_backup(world)
    sent = _sent_notice(world, smtp_sink)
    assert handle_dsn(parse(dsn_bytes(ARF_COMPLAINT, message_id=sent.message_id, rcpt=world.client.email))) is True
    _then_suppressed_routed_shown_and_cleared(world, client, smtp_sink, SuppressionKind.COMPLAINT)


def test_a_postmark_bounce_webhook_suppresses_the_address(world, client, smtp_sink):
    _plan_with_backup(world)
    sent = _sent_notice(world, smtp_sink)
    assert _postmark(client, _postmark_bounce("Bob@Acme.example")).status_code == 200
    suppression = Suppression.objects.get()
    assert suppression.source == "webhook:Postmark" and suppression.message == sent
    _then_suppressed_routed_shown_and_cleared(world, client, smtp_sink, SuppressionKind.HARD)


def test_a_postmark_complaint_webhook_suppresses_the_address(world, client, smtp_sink):
    _plan_with_backup(world)
    _sent_notice(world, smtp_sink)
    assert _postmark(client, _postmark_complaint(world.client.email)).status_code == 200
    _then_suppressed_routed_shown_and_cleared(world, client, smtp_sink, SuppressionKind.COMPLAINT)


def test_the_webhook_refuses_a_wrong_secret_and_a_soft_bounce_suppresses_nothing(world, client, smtp_sink):
    _sent_notice(world, smtp_sink)
    assert _postmark(client, _postmark_bounce(world.client.email), secret="provider:guess").status_code == 400
    assert _postmark(client, _postmark_bounce(world.client.email, "SoftBounce")).status_code == 200
    assert not Suppression.objects.exists()
    _notice(world.client, "notice:still")
    services.outbox_send_due()
    assert len(_to(smtp_sink, world.client.email)) == 2


def test_a_delayed_dsn_is_recognised_and_suppresses_nothing(world, smtp_sink):
    sent = _sent_notice(world, smtp_sink)
    assert handle_dsn(parse(dsn_bytes(POSTFIX_DELAYED, message_id=sent.message_id, rcpt=world.client.email))) is True
    assert not Suppression.objects.exists()
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT


def test_a_dsn_naming_no_message_of_ours_suppresses_nothing(world, smtp_sink):
    _sent_notice(world, smtp_sink)
    forged = parse(dsn_bytes(POSTFIX_HARD, message_id="<guessed@rapport.example>", rcpt=world.client.email))
    assert handle_dsn(forged) is True
    assert not Suppression.objects.exists()


def test_ordinary_mail_is_not_a_dsn(world):
    reply = parse(b"From: bob@acme.example\r\nTo: pm@example.com\r\nSubject: Re: Hosting\r\n\r\nYes, fine.\r\n")
    assert handle_dsn(reply) is False


def test_a_password_reset_still_reaches_a_suppressed_address(world, smtp_sink):
    sent = _sent_notice(world, smtp_sink)
    handle_dsn(parse(dsn_bytes(POSTFIX_HARD, message_id=sent.message_id, rcpt=world.client.email)))
    services.outbox_enqueue(kind=MessageKind.PASSWORD_RESET, recipient=world.client, dedupe_key="reset:1",
                            subject="Reset", body_text="The link.")
    services.outbox_send_due()
    assert [m["Subject"] for m in _to(smtp_sink, world.client.email)] == ["Notice notice:first", "Reset"]


def test_an_unreachable_primary_s_nudges_escalate_to_the_backup_at_once(world, smtp_sink):
    import datetime as dt

    _plan_with_backup(world)
    sent = _sent_notice(world, smtp_sink)
    handle_dsn(parse(dsn_bytes(POSTFIX_HARD, message_id=sent.message_id, rcpt=world.client.email)))
    f.TaskFactory(project=world.project, owner=world.client, title="Homepage copy", due_date=dt.date(2026, 11, 25))
    tuesday_0930_msk = dt.datetime(2026, 12, 1, 6, 30, tzinfo=dt.UTC)
    nudges_send(now=tuesday_0930_msk)
    assert not OutboundMessage.objects.filter(kind=MessageKind.NUDGE, recipient=world.client).exists()
    bundle = OutboundMessage.objects.get(kind=MessageKind.ESCALATION, recipient=world.client_lead)
    assert "Boris Client cannot be reached by e-mail" in bundle.body_text


def test_the_manager_s_list_is_one_query(world):
    plan = _plan_with_backup(world)
    for n, person in enumerate((world.client, world.client_lead)):
        Suppression.objects.create(address=person.email, kind=SuppressionKind.HARD, reason=f"5.1.1 #{n}", source="dsn")
    Suppression.objects.create(address="gina@globex.example", kind=SuppressionKind.HARD, reason="other project", source="dsn")
    stakeholders = list(plan.stakeholders.select_related("user", "backup_for__user"))
    with CaptureQueriesContext(connection) as queries:
        contacts = unreachable_contacts(project=world.project, stakeholders=stakeholders)
    assert len(queries) == 1
    assert [(c.name, c.backups) for c in contacts] == [("Boris Client", ("Lena Lead",)), ("Lena Lead", ())]


def test_a_dsn_whose_report_part_is_base64_encoded_is_read_too(world, smtp_sink):
    from tests.engagement.dsn_samples import with_report_in_base64

    sent = _sent_notice(world, smtp_sink)
    raw = with_report_in_base64(dsn_bytes(POSTFIX_HARD, message_id=sent.message_id, rcpt=world.client.email))
    assert b"Content-Transfer-Encoding: base64" in raw and b"Status: 5.1.1" not in raw
    assert handle_dsn(parse(raw)) is True
    assert Suppression.objects.get().reason.startswith("5.1.1")
