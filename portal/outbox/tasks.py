"""Outbox tasks: ids in, one service call each. The periodic sweep makes countdowns an optimisation only."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from portal.core.jobs import periodic_job
from portal.outbox import services
from portal.outbox.models import OutboundMessage


@shared_task(
    name="outbox.send",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def send_message(self, message_id: int) -> str:
    if not OutboundMessage.objects.filter(id=message_id).exists():
        return "gone"
    result = services.outbox_send(message_id=message_id)
    if result == services.RETRY:
        attempts = OutboundMessage.objects.filter(id=message_id).values_list("attempts", flat=True).first() or 1
        raise self.retry(countdown=services.backoff_seconds(attempts), max_retries=None)
    return result


@shared_task(name="outbox.send_pending", acks_late=True, ignore_result=True)
@periodic_job("outbox.send_pending")
def send_pending() -> dict:
    return services.outbox_send_due()


@shared_task(name="outbox.requeue_stuck", acks_late=True, ignore_result=True)
@periodic_job("outbox.requeue_stuck")
def requeue_stuck() -> int:
    return services.outbox_requeue_stuck()


@shared_task(
    name="outbox.send_batch",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def send_batch(message_ids: list[int]) -> dict:
    """Rows queued together (a digest batch), over one SMTP connection. Each retried row gets its own delayed
    `outbox.send`, as a single send would; rows already sent or claimed elsewhere are left alone."""
    counts: dict[str, int] = {}
    for pk, result in services.outbox_send_many(ids=message_ids):
        counts[result] = counts.get(result, 0) + 1
        if result == services.RETRY:
            attempts = OutboundMessage.objects.filter(id=pk).values_list("attempts", flat=True).first() or 1
            try:
                send_message.apply_async(args=[pk], countdown=services.backoff_seconds(attempts), retry=False)
            except Exception:  # noqa: BLE001 — the row is pending with its send_after; the sweep sends it
                services.log.warning("outbox: could not schedule the retry of %s; the sweep will send it", pk)
    return counts
