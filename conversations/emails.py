"""The mention e-mail: "you were mentioned", one message per person and thread for a burst of comments.

The first mention queues one outbox row that waits `COMMENT_MAIL_DELAY_MINUTES` (then for the person's working
hours); later mentions on the same thread while it waits add nothing. The row is rendered when it is sent, from the
person's mentions on that thread that are still unread: what they read in the portal meanwhile is not e-mailed, and
when nothing is left the row is skipped. A notification names the row that told it, so a retried send tells the same.
"""

from __future__ import annotations

import datetime as dt
from email.utils import formataddr

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from conversations.models import TARGET_FIELDS, Notification, NotificationKind
from conversations.text import plain
from portal.core.time import next_working_instant
from portal.outbox.email import Rendered, absolute, base_headers, render_email
from portal.outbox.models import MessageKind, MessageStatus, OutboundMessage
from portal.outbox.replies import reply_address
from portal.outbox.services import outbox_enqueue

RENDERER = "conversations.emails.render_mentions"


def thread_url(project_slug: str, field: str, target_id: int, comment_id: int | None = None) -> str:
    """The thread's page (with the comment's anchor)."""
    path = reverse(f"conversations:{field}-comments", kwargs={"slug": project_slug, "pk": target_id})
    return path + (f"#comment-{comment_id}" if comment_id else "")


def _thread_of(notification: Notification) -> tuple[str, int]:
    field = TARGET_FIELDS[notification.target_kind]
    return field, getattr(notification, f"{field}_id")


def queue_mention_email(*, notification_id: int) -> bool:
    """Queue the mention e-mail for this notification unless one for the same person and thread is still waiting.
    Not sent to people who turned off e-mailed notices, nor for what they already read. True when queued now."""
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or notification.read_at is not None or notification.email_message is not None:
        return False
    person = notification.recipient
    if not person.is_active or not person.email_nudges:
        return False
    field, target_id = _thread_of(notification)
    prefix = f"mention:{person.pk}:{field}:{target_id}:"
    if OutboundMessage.objects.filter(dedupe_key__startswith=prefix, status=MessageStatus.PENDING).exists():
        return False
    delay = dt.timedelta(minutes=settings.COMMENT_MAIL_DELAY_MINUTES)
    _row, created = outbox_enqueue(
        kind=MessageKind.NOTICE, recipient=person, dedupe_key=f"{prefix}{notification.pk}",
        payload={"render": RENDERER, "thread": {field: target_id}},
        send_after=next_working_instant(timezone.now() + delay, person.time_zone), project_id=notification.project_id,
    )
    return created


def render_mentions(row: OutboundMessage) -> Rendered | None:
    """The e-mail of `row` at send time: the person's unread mentions on its thread not told by another e-mail
    (None when there is none left)."""
    person = row.recipient
    if person is None:
        return None
    thread = row.payload.get("thread") or {}
    mentions = list(
        Notification.objects.for_person(person)
        .filter(kind=NotificationKind.MENTION, read_at__isnull=True, comment__removed_at__isnull=True, **{f"{k}_id": v for k, v in thread.items()})
        .filter(Q(email_message__isnull=True) | Q(email_message=row.pk))
        .select_related("comment__author", "project", "task", "decision", "meeting", "risk")
        .prefetch_related("comment__mentions__person")
        .order_by("created_at", "id")
    )
    if not mentions:
        return None
    Notification.objects.filter(pk__in=[n.pk for n in mentions]).update(email_message=row.pk)
    first = mentions[0]
    field, target_id = _thread_of(first)
    people = {m.person.email.lower(): m.person for n in mentions for m in n.comment.mentions.all()}
    context = {
        "person": person,
        "project": first.project,
        "target": first.target,
        "comments": [(n.comment, plain(n.comment.body, people)) for n in mentions],
        "thread_url": absolute(thread_url(first.project.slug, field, target_id, first.comment_id)),
    }
    rendered = render_email("comment_mention", context, language=person.language, time_zone=person.time_zone)
    headers = base_headers(kind=MessageKind.NOTICE, language=person.language)
    headers["From"] = formataddr(("Rapport", settings.RAPPORT_NOTIFY_EMAIL))
    # A reply becomes a comment on the thread; one to an internal comment stays internal.
    headers["Reply-To"] = reply_address(
        person=person, kind=first.target_kind, object_id=target_id, project_id=first.project_id,
        internal=any(n.comment.internal for n in mentions),
    )
    rendered.headers = headers
    return rendered
