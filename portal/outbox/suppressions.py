"""Undeliverable addresses: recorded from a hard bounce or a complaint, read by the send path (a suppressed address
gets nothing), cleared by a manager once the person has fixed their address.

A soft bounce (4.x.x) never suppresses: the outbox retries those itself. A password-reset e-mail is sent even to a
suppressed address: the person asked for it a moment ago, and it is how they find out their mailbox works again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.outbox.models import MessageKind, MessageStatus, OutboundMessage, Suppression, SuppressionKind

log = logging.getLogger(__name__)

NEVER_SUPPRESSED = frozenset({MessageKind.PASSWORD_RESET})


def normalise(address: str) -> str:
    return (address or "").strip().strip("<>").lower()


def suppression_record(
    *, address: str, kind: str, reason: str, source: str, message: OutboundMessage | None = None
) -> tuple[Suppression, bool]:
    """Mark `address` undeliverable (idempotent: an address already suppressed keeps its first record). The row that
    bounced, if known and sent, becomes `bounced`. Returns (suppression, created)."""
    if kind not in SuppressionKind.values:
        raise ValueError(f"unknown suppression kind {kind!r}")
    address = normalise(address)
    with transaction.atomic():
        if message is not None:
            OutboundMessage.objects.filter(pk=message.pk, status=MessageStatus.SENT).update(
                status=MessageStatus.BOUNCED, last_error=reason[:2000], updated_at=timezone.now()
            )
        existing = Suppression.objects.filter(address=address, cleared_at__isnull=True).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                suppression = Suppression.objects.create(
                    address=address, kind=kind, reason=reason[:2000], source=source[:40], message=message
                )
        except IntegrityError:  # a concurrent report of the same address won
            return Suppression.objects.get(address=address, cleared_at__isnull=True), False
    log.info("outbox: %s is undeliverable (%s from %s): %s", address, kind, source, reason[:200])
    return suppression, True


def suppression_clear(*, suppression: Suppression, actor) -> Suppression:
    """The person fixed their address: mail goes to it again from now on (what was suppressed stays unsent). The
    caller has checked that `actor` may clear it."""
    Suppression.objects.filter(pk=suppression.pk, cleared_at__isnull=True).update(cleared_at=timezone.now(), cleared_by=actor)
    suppression.refresh_from_db()
    log.info("outbox: %s cleared by user %s", suppression.address, getattr(actor, "pk", None))
    return suppression


def suppressed_among(addresses: Iterable[str]) -> dict[str, Suppression]:
    """The suppressions in force for these addresses (lower-cased address -> suppression), in one query."""
    wanted = {normalise(a) for a in addresses if a}
    if not wanted:
        return {}
    return {s.address: s for s in Suppression.objects.filter(address__in=wanted, cleared_at__isnull=True)}


def blocks(row: OutboundMessage, suppressed: dict[str, Suppression] | None = None) -> Suppression | None:
    """The suppression that stops this row, if any (`suppressed` prefetched for a batch, else one query)."""
    if row.kind in NEVER_SUPPRESSED:
        return None
    address = normalise(row.to_email)
    if suppressed is not None:
        return suppressed.get(address)
    return Suppression.objects.filter(address=address, cleared_at__isnull=True).first()
