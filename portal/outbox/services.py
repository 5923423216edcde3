"""The outbox: enqueue (idempotent by dedupe key), claim, send, retry, requeue.

Delivery is at-least-once with a claim in between: a row is claimed (pending → sending,
committed) before the SMTP conversation and marked sent right after it. A worker killed
between the two leaves the row in `sending`; `outbox_requeue_stuck` returns it to
pending once its claim is `OUTBOX_STUCK_AFTER_SECONDS` old (two minutes by default), so a row is
never lost, and is sent twice only if the kill fell between the server's "250 OK" and our UPDATE.

The claim is fenced by its time (`claimed_at`): a sender checks, right before the SMTP conversation,
that the row is still in `sending` under its own claim, renewing the claim when it has been waiting in a
batch for a while. A live worker whose row was requeued under it (a batch slower than the threshold)
skips the row instead of sending it a second time.

Many rows go out over one SMTP connection (`outbox_send_many`: a digest batch, the sweep): they are
claimed a few at a time (`CLAIM_CHUNK` rows: locked, then moved in one UPDATE) and each is still marked sent right
after its own "250 OK", so a worker killed mid-batch leaves at most one chunk in `sending` for the
requeue, and nothing that was sent is sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from portal.outbox import bundles
from portal.outbox.email import Rendered, build_message, msgid, one_line
from portal.outbox.models import MessageStatus, OutboundMessage
from portal.outbox.suppressions import blocks, suppressed_among

log = logging.getLogger(__name__)

# The worker tasks (`portal.outbox.tasks`, registered by the app's `ready`) are called by name: tasks call the
# services, never the other way round.
SEND_TASK = "outbox.send"
SEND_BATCH_TASK = "outbox.send_batch"

SENT = "sent"
RETRY = "retry"
FAILED = "failed"
SKIPPED = "skipped"
SUPERSEDED = "superseded"
SUPPRESSED = "suppressed"
NOT_CLAIMED = "not-claimed"
MAX_BACKOFF_SECONDS = 6 * 3600
CLAIM_CHUNK = 20  # rows claimed per UPDATE when sending many; at most this many wait for the requeue after a crash


@transaction.atomic
def outbox_enqueue(
    *,
    kind: str,
    dedupe_key: str,
    recipient=None,
    to_email: str | None = None,
    subject: str = "",
    body_text: str = "",
    body_html: str = "",
    headers: dict | None = None,
    attachments: list | None = None,
    payload: dict | None = None,
    send_after: dt.datetime | None = None,
    project_id: int | None = None,
    message_id: str | None = None,
    dispatch: bool = True,
) -> tuple[OutboundMessage, bool]:
    """Queue one e-mail. Safe to call twice: the second call with the same key returns the row untouched.

    The new row is handed to a worker after the commit; a caller queueing many rows at once passes `dispatch=False`
    and hands them over together (`outbox_dispatch_many`: one task, one SMTP connection per batch).

    `payload["render"]` names a function `(row) -> Rendered | None` called at send time
    (None skips the row). `payload["supersede_prefix"]` + `payload["order"]` make older
    pending rows with the same prefix `superseded` (iTIP ordering, emails.md §4.4).
    """
    existing = OutboundMessage.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    row = OutboundMessage(
        kind=kind,
        recipient=recipient,
        to_email=to_email or recipient.email,
        dedupe_key=dedupe_key,
        message_id=message_id or msgid(dedupe_key),
        subject=one_line(subject, 300),
        body_text=body_text,
        body_html=body_html,
        headers=headers or {},
        attachments=attachments or [],
        payload=payload or {},
        send_after=send_after or timezone.now(),
        project_id_ref=project_id,
    )
    row.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # a concurrent enqueue won the race: same key, same message
        return OutboundMessage.objects.get(dedupe_key=dedupe_key), False
    _supersede_older(row)
    if dispatch:
        transaction.on_commit(partial(_dispatch, row.pk))
    return row, True


def _supersede_older(row: OutboundMessage) -> None:
    prefix = row.payload.get("supersede_prefix")
    if not prefix:
        return
    order = row.payload.get("order", 0)
    older = [
        other.pk
        for other in OutboundMessage.objects.filter(
            dedupe_key__startswith=prefix, status__in=[MessageStatus.PENDING, MessageStatus.FAILED]
        ).exclude(pk=row.pk).only("pk", "payload")
        if other.payload.get("order", 0) < order
    ]
    if older:
        OutboundMessage.objects.filter(pk__in=older, status__in=[MessageStatus.PENDING, MessageStatus.FAILED]).update(
            status=MessageStatus.SUPERSEDED
        )


def outbox_supersede_pending(*, dedupe_prefix: str) -> int:
    """Rows with this key prefix that have not gone out yet (pending, or failed and requeueable) will not: what they
    say is no longer true (an invitation's link replaced or withdrawn). A row inside an SMTP conversation is past
    stopping. Returns how many were stopped."""
    return OutboundMessage.objects.filter(
        dedupe_key__startswith=dedupe_prefix, status__in=[MessageStatus.PENDING, MessageStatus.FAILED]
    ).update(status=MessageStatus.SUPERSEDED, updated_at=timezone.now())


def outbox_dispatch_many(message_ids: list[int]) -> None:
    """Hand rows queued together (a digest batch, a reminder run's batch) to one worker task that sends them over one
    connection; if the broker is down, `send_pending` finds them later."""
    if not message_ids:
        return
    try:
        current_app.tasks[SEND_BATCH_TASK].apply_async(args=[list(message_ids)], retry=False)
    except Exception:  # the rows are in the database; the periodic sweep sends them
        log.warning("outbox: could not dispatch %s messages; the periodic sweep will send them", len(message_ids), exc_info=True)


def _dispatch(message_id: int) -> None:
    """Hand the row to a worker now; if the broker is down, `send_pending` finds it later."""
    try:
        current_app.tasks[SEND_TASK].apply_async(args=[message_id], retry=False)
    except Exception:  # the row is in the database; the periodic sweep sends it
        log.warning("outbox: could not dispatch message %s; the periodic sweep will send it", message_id, exc_info=True)


def outbox_claim(*, message_id: int, now: dt.datetime | None = None) -> bool:
    """pending → sending with attempts + 1, only if due. True when this caller owns the row."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = OutboundMessage.objects.filter(
            pk=message_id, status=MessageStatus.PENDING, send_after__lte=now
        ).update(status=MessageStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    return claimed == 1


def outbox_claim_many(*, ids: list[int], now: dt.datetime | None = None) -> list[int]:
    """pending → sending with attempts + 1 for every due row among `ids` (committed). Returns the ids this caller
    owns now, in the order given. The due rows are locked first, so a concurrent claimer waits and then no longer
    finds them pending."""
    if not ids:
        return []
    now = now or timezone.now()
    with transaction.atomic():
        due = OutboundMessage.objects.select_for_update().filter(pk__in=ids, status=MessageStatus.PENDING, send_after__lte=now)
        due = due.order_by("pk")  # every claimer locks in the same order: no deadlock between overlapping batches
        mine = set(due.values_list("pk", flat=True))
        OutboundMessage.objects.filter(pk__in=mine).update(status=MessageStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    return [pk for pk in ids if pk in mine]


def outbox_send(*, message_id: int, now: dt.datetime | None = None, connection=None) -> str:
    """Claim and send one row. Not one transaction on purpose: the claim is committed before SMTP."""
    now = now or timezone.now()
    if not outbox_claim(message_id=message_id, now=now):
        return NOT_CLAIMED
    row = OutboundMessage.objects.select_related("recipient").get(pk=message_id)
    return _send_claimed(row, now=now, connection=connection)


def outbox_send_many(*, ids: list[int], now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """Send many rows over one SMTP connection: claimed `CLAIM_CHUNK` at a time, each marked sent after its own
    "250 OK". Returns (id, result) per row; rows that were not pending (sent, claimed elsewhere, gone) are NOT_CLAIMED.
    After a failed send the connection is dropped and the next row opens a fresh one."""
    results: list[tuple[int, str]] = []
    smtp = get_connection()
    try:
        for start in range(0, len(ids), CLAIM_CHUNK):
            chunk = ids[start : start + CLAIM_CHUNK]
            moment = now or timezone.now()
            mine = outbox_claim_many(ids=chunk, now=moment)
            started = time.monotonic()
            rows = OutboundMessage.objects.select_related("recipient").in_bulk(mine)
            suppressed = suppressed_among(row.to_email for row in rows.values())
            claimed = set(mine)
            for pk in chunk:
                if pk not in claimed:
                    results.append((pk, NOT_CLAIMED))
                    continue
                if not _still_mine(rows[pk], claimed_for=time.monotonic() - started):
                    results.append((pk, NOT_CLAIMED))
                    continue
                result = _send_claimed(rows[pk], now=moment, connection=smtp, suppressed=suppressed)
                if result in (RETRY, FAILED):
                    smtp.close()
                results.append((pk, result))
    finally:
        smtp.close()
    return results


def _still_mine(row: OutboundMessage, *, claimed_for: float) -> bool:
    """True when `row` may be sent by this caller. A claim younger than a quarter of the stuck threshold cannot
    have been requeued; an older one is renewed in one conditional UPDATE, which fails when the sweep took it."""
    if claimed_for < settings.OUTBOX_STUCK_AFTER_SECONDS / 4:
        return True
    renewed = timezone.now()
    kept = OutboundMessage.objects.filter(pk=row.pk, status=MessageStatus.SENDING, claimed_at=row.claimed_at).update(
        claimed_at=renewed
    )
    if kept:
        row.claimed_at = renewed
    else:
        log.warning("outbox: message %s was taken back from this worker's batch; it is not sent from here", row.pk)
    return bool(kept)


def _send_claimed(row: OutboundMessage, *, now: dt.datetime, connection=None, suppressed: dict | None = None) -> str:
    if _is_superseded(row):
        _finish(row, MessageStatus.SUPERSEDED)
        return SUPERSEDED
    suppression = blocks(row, suppressed)
    if suppression is not None:
        _finish(row, MessageStatus.SUPPRESSED, error=f"{suppression.get_kind_display()}: {suppression.reason}"[:2000])
        return SUPPRESSED
    if row.recipient_id and not row.recipient.is_active:
        _finish(row, MessageStatus.SKIPPED, error="recipient deactivated")
        return SKIPPED
    bundle = adopted = None
    try:
        if row.payload.get(bundles.KEY):
            if not bundles.still_mine(row):  # told by a bundle sent earlier in this batch
                return NOT_CLAIMED
            bundle = bundles.bundle_gather(row)
            if not bundle.waiting:
                bundles.bundle_finish(bundle, sent=True)
                _finish(row, MessageStatus.SKIPPED, error="no longer waiting")
                return SKIPPED
            adopted = bundles.bundle_render(bundle)
            if adopted is not None and adopted[1] is None:  # the one left had nothing to say any more
                bundle.waiting.clear()
                bundles.bundle_finish(bundle, sent=True)
                _finish(row, MessageStatus.SKIPPED, error="no longer waiting")
                return SKIPPED
            if adopted is not None:
                bundles.bundle_adopt(row, *adopted)
        if row.payload.get("render") and not (bundle is not None and adopted is not None):  # not written above
            rendered = import_string(row.payload["render"])(row)
            if rendered is None:
                _finish(row, MessageStatus.SKIPPED, error="nothing to send any more")
                return SKIPPED
            _store_rendering(row, rendered)
        message = build_message(row, connection=connection)
    except Exception as exc:  # a rendering bug must not leave the row in `sending` forever
        log.exception("outbox: message %s could not be built", row.pk)
        if bundle is not None:
            bundles.bundle_finish(bundle, sent=False)
        _finish(row, MessageStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        return FAILED
    try:
        if connection is not None:
            connection.open()  # a no-op while open; raises like send() would when the server is unreachable
        message.send()
    except Exception as exc:
        if bundle is not None:
            bundles.bundle_finish(bundle, sent=False)
        return _retry_or_fail(row, exc, now=now)
    if bundle is not None:
        bundles.bundle_finish(bundle, sent=True)
    _finish(row, MessageStatus.SENT)
    return SENT


def _is_superseded(row: OutboundMessage) -> bool:
    prefix = row.payload.get("supersede_prefix")
    if not prefix:
        return False
    order = row.payload.get("order", 0)
    newer = OutboundMessage.objects.filter(dedupe_key__startswith=prefix).exclude(pk=row.pk).only("payload")
    return any(other.payload.get("order", 0) > order for other in newer)


def _store_rendering(row: OutboundMessage, rendered: Rendered) -> None:
    row.subject = one_line(rendered.subject, 300)
    row.body_text = rendered.body_text
    row.body_html = rendered.body_html
    row.headers = {**row.headers, **rendered.headers}
    row.attachments = rendered.attachments
    OutboundMessage.objects.filter(pk=row.pk).update(
        subject=row.subject, body_text=row.body_text, body_html=row.body_html, headers=row.headers, attachments=row.attachments
    )


def _finish(row: OutboundMessage, status: str, error: str = "") -> None:
    fields = {"status": status, "last_error": error}
    if status == MessageStatus.SENT:
        fields["sent_at"] = timezone.now()
    OutboundMessage.objects.filter(pk=row.pk, status=MessageStatus.SENDING, claimed_at=row.claimed_at).update(**fields)


def is_transient(exc: Exception) -> bool:
    """4xx replies, dropped connections and timeouts are worth another try; 5xx replies are not."""
    codes: list[int] = []
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
    elif isinstance(exc, smtplib.SMTPResponseException):
        codes = [exc.smtp_code]
    if codes:
        return any(400 <= code < 500 for code in codes)
    return isinstance(exc, smtplib.SMTPException | OSError)


def backoff_seconds(attempts: int) -> int:
    return min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def _retry_or_fail(row: OutboundMessage, exc: Exception, *, now: dt.datetime) -> str:
    attempts = OutboundMessage.objects.filter(pk=row.pk).values_list("attempts", flat=True).first() or 0
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if is_transient(exc) and attempts < settings.OUTBOX_MAX_ATTEMPTS:
        OutboundMessage.objects.filter(pk=row.pk, status=MessageStatus.SENDING, claimed_at=row.claimed_at).update(
            status=MessageStatus.PENDING, last_error=error, send_after=now + dt.timedelta(seconds=backoff_seconds(attempts))
        )
        log.info("outbox: message %s will be retried (attempt %s): %s", row.pk, attempts, error)
        return RETRY
    _finish(row, MessageStatus.FAILED, error=error)
    log.warning("outbox: message %s failed after %s attempts: %s", row.pk, attempts, error)
    return FAILED


def outbox_send_due(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send every due pending row (oldest first), at most `limit`. Each row is claimed, so two sweeps never double-send."""
    now = now or timezone.now()
    ids = list(
        OutboundMessage.objects.filter(status=MessageStatus.PENDING, send_after__lte=now)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for _pk, result in outbox_send_many(ids=ids, now=now):
        counts[result] = counts.get(result, 0) + 1
    return counts


@transaction.atomic
def outbox_requeue_stuck(*, now: dt.datetime | None = None, stuck_after: dt.timedelta | None = None) -> int:
    """Rows left in `sending` longer than one SMTP conversation can take belong to a dead worker: back to pending.
    A live sender never holds a claim that long without renewing it (`_still_mine`)."""
    now = now or timezone.now()
    stuck_after = stuck_after if stuck_after is not None else dt.timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
    return OutboundMessage.objects.filter(
        Q(claimed_at__lte=now - stuck_after) | Q(claimed_at__isnull=True), status=MessageStatus.SENDING
    ).update(status=MessageStatus.PENDING, send_after=now)
