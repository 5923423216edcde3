"""The SMTP receiver for replies (aiosmtpd): accepts mail for the inbound domain only, hands each message to
`receive_message` before answering, so the sending server keeps the message (and retries) until it was dealt with."""

from __future__ import annotations

import logging

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from conversations.inbound.service import receive_message

log = logging.getLogger(__name__)


def _deliver(content: bytes, recipients: list[str], mail_from: str) -> str:
    mail_from = "" if mail_from in ("<>", "", None) else mail_from  # aiosmtpd reads `MAIL FROM:<>` as "<>"
    close_old_connections()
    try:
        return receive_message(content, recipients=recipients, mail_from=mail_from, source="smtp").outcome
    finally:
        close_old_connections()


class ReplyHandler:
    """aiosmtpd's handler hooks: RCPT refuses other domains (550), DATA processes the message (250, or 451 on an
    unexpected error: the sender tries again later, and a message seen before changes nothing)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd hook name)
        if address.rpartition("@")[2].lower() != settings.INBOUND_EMAIL_DOMAIN:
            return "550 5.1.1 No such recipient here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", errors="surrogateescape")
        try:
            await sync_to_async(_deliver, thread_sensitive=False)(content, list(envelope.rcpt_tos), envelope.mail_from)
        except Exception:
            log.exception("inbound: a message from %s could not be processed", envelope.mail_from)
            return "451 4.3.0 Could not process the message now; try again later"
        return "250 OK"


def reply_controller(*, host: str | None = None, port: int | None = None) -> Controller:
    """An aiosmtpd Controller for the receiver (call `.start()` and `.stop()`), at most
    `INBOUND_MAX_MESSAGE_BYTES` per message."""
    return Controller(
        ReplyHandler(),
        hostname=host or settings.INBOUND_SMTP_HOST,
        port=port or settings.INBOUND_SMTP_PORT,
        data_size_limit=settings.INBOUND_MAX_MESSAGE_BYTES,
        ident="Rapport reply receiver",
    )
