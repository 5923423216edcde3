"""What operators read about the outbox."""

from __future__ import annotations

from django.db.models import Count, Min
from django.utils import timezone

from portal.outbox.models import MessageStatus, OutboundMessage, Suppression


def outbox_summary(*, now=None) -> dict:
    """Rows per status (queued, sending, failed, bounced, suppressed, ...), the addresses suppressed now, and how long the oldest due queued row has waited, in seconds."""
    now = now or timezone.now()
    counts = {status: 0 for status in MessageStatus.values}
    for row in OutboundMessage.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    oldest = OutboundMessage.objects.filter(status=MessageStatus.PENDING, send_after__lte=now).aggregate(at=Min("send_after"))["at"]
    stuck = OutboundMessage.objects.filter(status=MessageStatus.SENDING).aggregate(at=Min("claimed_at"))["at"]
    return {
        "by_status": counts,
        "oldest_due_pending_s": round((now - oldest).total_seconds()) if oldest else 0,
        "oldest_sending_s": round((now - stuck).total_seconds()) if stuck else 0,
        "undeliverable_addresses": Suppression.objects.filter(cleared_at__isnull=True).count(),
    }
