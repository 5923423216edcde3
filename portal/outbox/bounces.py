"""Bounces and complaints: a delivery status notification (RFC 3464) or a feedback report (RFC 5965) received by the
inbound SMTP receiver, or a provider's tracking webhook through django-anymail, marks the address undeliverable.

A report is trusted only when it names one of our own messages: the DSN's attached headers carry the original
Message-ID, which is ours and unguessable (an HMAC of the message's key), and it must belong to a row we sent. A
forged DSN naming an address we never wrote to suppresses nothing. The provider's webhook is trusted by its own
authentication (`ANYMAIL["WEBHOOK_SECRET"]`, HTTP basic auth), so its event is matched by recipient address.

Only permanent failures suppress: a DSN with a 5.x.x status and the action `failed`, a provider's hard bounce or
rejection, a complaint. A 4.x.x status (`delayed`, a full mailbox) is a soft bounce: recognised, logged, nothing
suppressed.
"""

from __future__ import annotations

import base64
import email.message
import email.policy
import logging
import quopri
import re
from email.parser import HeaderParser

from portal.outbox.models import MessageStatus, OutboundMessage, SuppressionKind
from portal.outbox.suppressions import normalise, suppression_record

log = logging.getLogger(__name__)

ENHANCED_STATUS = re.compile(r"\b([245])\.\d{1,3}\.\d{1,3}\b")
SENT_STATUSES = (MessageStatus.SENT, MessageStatus.BOUNCED)


def handle_dsn(message: email.message.EmailMessage) -> bool:
    """True when `message` is a bounce report (a DSN, or a complaint's feedback report) and was handled — whether it
    suppressed an address or not; False for any other mail (the caller treats it as ordinary mail)."""
    if message.get_content_type() != "multipart/report":
        return False
    report_type = (message.get_param("report-type") or "").lower()
    if report_type == "delivery-status":
        _handle_delivery_status(message)
        return True
    if report_type == "feedback-report":
        _handle_feedback_report(message)
        return True
    return False


def _parts(message: email.message.EmailMessage) -> list[email.message.Message]:
    return [part for part in message.walk() if part is not message]


def _original_headers(message: email.message.EmailMessage) -> email.message.Message | None:
    """The bounced message's headers: a message/rfc822 part (the whole message) or a text/rfc822-headers part."""
    for part in _parts(message):
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/rfc822-headers"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                return payload[0]
        if kind == "text/rfc822-headers":
            return HeaderParser(policy=email.policy.default).parsestr(part.get_content())
    return None


def _original_row(message: email.message.EmailMessage) -> OutboundMessage | None:
    headers = _original_headers(message)
    if headers is None:
        return None
    message_id = str(headers.get("Message-ID") or "").strip()
    if not message_id:
        return None
    if not message_id.startswith("<"):
        message_id = f"<{message_id}>"
    return OutboundMessage.objects.filter(message_id=message_id, status__in=SENT_STATUSES).first()


def _address(field_value) -> str:
    """`rfc822; someone@example.com` -> `someone@example.com`."""
    value = str(field_value or "")
    return normalise(value.split(";", 1)[1] if ";" in value else value)


def _status_blocks(part: email.message.Message) -> list[email.message.Message]:
    """The field blocks of a message/delivery-status part: parsed by the stdlib, or (a part sent with a transfer
    encoding the parser left as text) read from its decoded text, one block per paragraph."""
    blocks = part.get_payload()
    encoding = str(part.get("Content-Transfer-Encoding") or "").strip().lower()
    if isinstance(blocks, list) and encoding not in ("base64", "quoted-printable"):
        return blocks
    encoded = "".join(b.as_string() if isinstance(b, email.message.Message) else str(b) for b in blocks) if isinstance(
        blocks, list) else str(blocks)
    raw = base64.b64decode(encoded) if encoding == "base64" else quopri.decodestring(encoded.encode())
    text = raw.decode("utf-8", "replace").replace("\r\n", "\n")
    parser = HeaderParser(policy=email.policy.default)
    return [parser.parsestr(chunk.strip() + "\n") for chunk in text.split("\n\n") if chunk.strip()]


def _recipient_blocks(message: email.message.EmailMessage) -> list[email.message.Message]:
    for part in _parts(message):
        if part.get_content_type() == "message/delivery-status":
            return [b for b in _status_blocks(part) if b.get("Final-Recipient") or b.get("Original-Recipient")]
    return []


def _handle_delivery_status(message: email.message.EmailMessage) -> None:
    blocks = _recipient_blocks(message)
    row = _original_row(message)
    for block in blocks:
        action = str(block.get("Action") or "").strip().lower()
        status = str(block.get("Status") or "").strip()
        final = _address(block.get("Final-Recipient"))
        original = _address(block.get("Original-Recipient"))
        diagnostic = " ".join(str(block.get("Diagnostic-Code") or "").split())
        if action != "failed" or not status.startswith("5"):
            log.info("outbox: soft bounce for %s (%s %s): nothing suppressed", final or original, action, status)
            continue
        if row is None:
            log.warning("outbox: a DSN for %s names no message of ours; ignored", final or original)
            continue
        if normalise(row.to_email) not in (final, original):
            # Forwarded on: the forwarding target failed, yet our address is the one that cannot be reached.
            diagnostic = f"{diagnostic} (forwarded to {final})".strip()
        reason = f"{status} {diagnostic}".strip()
        suppression_record(address=row.to_email, kind=SuppressionKind.HARD, reason=reason, source="dsn", message=row)


def _handle_feedback_report(message: email.message.EmailMessage) -> None:
    row = _original_row(message)
    if row is None:
        log.warning("outbox: a complaint names no message of ours; ignored")
        return
    feedback_type = ""
    for part in _parts(message):
        if part.get_content_type() == "message/feedback-report":
            blocks = part.get_payload()
            first = blocks[0] if isinstance(blocks, list) and blocks else None
            if first is not None:
                feedback_type = str(first.get("Feedback-Type") or "").strip()
    reason = f"marked as spam ({feedback_type or 'abuse'})"
    suppression_record(address=row.to_email, kind=SuppressionKind.COMPLAINT, reason=reason, source="feedback-report", message=row)


# --- provider webhooks (django-anymail) -------------------------------------------------------------------------

HARD_EVENTS = {"bounced": SuppressionKind.HARD, "rejected": SuppressionKind.HARD, "complained": SuppressionKind.COMPLAINT}
SOFT_PROVIDER_TYPES = {"SoftBounce", "Transient", "DnsError"}  # Postmark's bounce types that are not permanent


def handle_tracking_event(*, event, esp_name: str) -> bool:
    """One normalised anymail tracking event. True when it suppressed (or confirmed) an address."""
    kind = HARD_EVENTS.get(getattr(event, "event_type", ""))
    address = normalise(getattr(event, "recipient", "") or "")
    if kind is None or not address:
        return False
    details = " ".join(str(getattr(event, "mta_response", "") or getattr(event, "description", "") or "").split())
    if kind == SuppressionKind.HARD and _is_soft(event, details):
        log.info("outbox: soft bounce for %s from %s: nothing suppressed", address, esp_name)
        return False
    row = _row_for_event(event, address)
    reason = details or str(getattr(event, "reject_reason", "") or event.event_type)
    suppression_record(address=address, kind=kind, reason=reason, source=f"webhook:{esp_name}"[:40], message=row)
    return True


def _is_soft(event, details: str) -> bool:
    esp_event = getattr(event, "esp_event", None)
    if isinstance(esp_event, dict) and esp_event.get("Type") in SOFT_PROVIDER_TYPES:
        return True
    code = ENHANCED_STATUS.search(details)
    return bool(code and code.group(1) == "4")


def _row_for_event(event, address: str) -> OutboundMessage | None:
    """The bounced row: by our Message-ID when the provider echoes it, else the last one sent to the address."""
    sent = OutboundMessage.objects.filter(to_email__iexact=address, status__in=SENT_STATUSES)
    message_id = str(getattr(event, "message_id", "") or "").strip()
    if message_id:
        row = sent.filter(message_id__in=[message_id, f"<{message_id.strip('<>')}>"]).first()
        if row is not None:
            return row
    return sent.order_by("-sent_at").first()


def on_tracking(sender, event, esp_name, **kwargs) -> None:
    """django-anymail delivers its webhooks' events only as the `tracking` signal: this receiver hands each one to
    `handle_tracking_event` and does nothing else."""
    handle_tracking_event(event=event, esp_name=esp_name)
