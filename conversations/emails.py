"""The inbox e-mail: one message per person for a burst of inbox lines they chose to hear of by e-mail (mentions by
default; replies and changes to their tasks if they wish), across every thread and task.

The first such line queues one outbox row that waits `COMMENT_MAIL_DELAY_MINUTES` (then for the person's working
hours); later lines while it waits add nothing but join it. The row is rendered when it is sent, from the person's
lines that are still unread and told by no other e-mail or digest: what they read in the portal meanwhile is not
e-mailed, and when nothing is left the row is skipped. A line names the row that told it, so a retried send tells
the same.
"""

from __future__ import annotations

import datetime as dt
from email.utils import formataddr

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from conversations.models import LINE_PREFERENCES, TARGET_FIELDS, Notification, NotificationKind
from conversations.text import plain
from portal.accounts.models import Delivery
from portal.core.time import next_working_instant
from portal.outbox.email import Rendered, absolute, base_headers, render_email
from portal.outbox.models import MessageKind, MessageStatus, OutboundMessage
from portal.outbox.replies import reply_address
from portal.outbox.services import outbox_enqueue

RENDERER = "conversations.emails.render_inbox"
EMAILED_KINDS = LINE_PREFERENCES  # the kinds this e-mail may carry, each by the person's preference


def thread_url(project_slug: str, field: str, target_id: int, comment_id: int | None = None) -> str:
    """The thread's page (with the comment's anchor)."""
    path = reverse(f"conversations:{field}-comments", kwargs={"slug": project_slug, "pk": target_id})
    return path + (f"#comment-{comment_id}" if comment_id else "")


def _thread_of(notification: Notification) -> tuple[str, int]:
    field = TARGET_FIELDS[notification.target_kind]
    return field, getattr(notification, f"{field}_id")


def line_path(notification: Notification) -> str:
    """Where a line leads: the comment in its thread, the task, the decision to answer, the task's report form."""
    slug = notification.project.slug
    if notification.comment_id:
        field, target_id = _thread_of(notification)
        return thread_url(slug, field, target_id, notification.comment_id)
    if notification.kind == NotificationKind.DECISION_AWAITING:
        return reverse("engagement:decision", args=[slug, notification.decision_id])
    if notification.kind == NotificationKind.REPORT_AWAITING:
        return reverse("projects:task-report", args=[slug, notification.task_id])
    return reverse("projects:task", args=[slug, notification.task_id])


def line_url(notification: Notification) -> str:
    return absolute(line_path(notification))


def _emailed(notification: Notification, person) -> bool:
    """Whether the person hears of this line by e-mail. A task just given to a client is told by its own e-mail
    (`task_assigned`), so a line saying only that is not repeated."""
    preference = EMAILED_KINDS.get(notification.kind)
    if preference is None or getattr(person, preference) != Delivery.EMAIL:
        return False
    if notification.kind == NotificationKind.TASK_CHANGED and set(notification.changed) <= {"owner"} and person.is_client:
        return not person.email_nudges
    return True


def queue_inbox_email(*, notification_id: int) -> bool:
    """Queue the person's inbox e-mail for this line unless one for them is still waiting (it will carry this line
    too). Nothing for a kind they hear of otherwise, nor for what they already read. True when queued now."""
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or notification.read_at is not None or notification.email_message is not None:
        return False
    person = notification.recipient
    if not person.is_active or not _emailed(notification, person):
        return False
    prefix = f"inbox:{person.pk}:"
    if OutboundMessage.objects.filter(dedupe_key__startswith=prefix, status=MessageStatus.PENDING).exists():
        return False
    delay = dt.timedelta(minutes=settings.COMMENT_MAIL_DELAY_MINUTES)
    _row, created = outbox_enqueue(
        kind=MessageKind.NOTICE, recipient=person, dedupe_key=f"{prefix}{notification.pk}", payload={"render": RENDERER},
        send_after=next_working_instant(timezone.now() + delay, person.time_zone), project_id=notification.project_id,
    )
    return created


queue_mention_email = queue_inbox_email


def _groups(lines: list[Notification], people: dict) -> list[dict]:
    """The lines by thread or task, in the order they came."""
    groups: dict[tuple, dict] = {}
    for n in lines:
        group = groups.setdefault((n.target_kind, n.target_id), {
            "target": n.target, "project": n.project, "url": line_url(n), "lines": [],
        })
        group["lines"].append({"n": n, "text": plain(n.comment.body, people) if n.comment_id else "",
                               "changed": n.changed_labels})
    return list(groups.values())


def render_inbox(row: OutboundMessage) -> Rendered | None:
    """The e-mail of `row` at send time: the person's unread lines of e-mailed kinds not told by another e-mail or
    digest (None when there is none left)."""
    person = row.recipient
    if person is None:
        return None
    thread = row.payload.get("thread") or {}  # a row queued for one thread only (before bundles spanned threads)
    lines = [
        n for n in Notification.objects.for_person(person)
        .filter(kind__in=list(EMAILED_KINDS), read_at__isnull=True, settled_at__isnull=True,
                **{f"{k}_id": v for k, v in thread.items()})
        .filter(Q(comment__isnull=True) | Q(comment__removed_at__isnull=True))
        .filter(Q(email_message__isnull=True) | Q(email_message=row.pk))
        .select_related("comment__author", "actor", "project", "task", "decision", "meeting", "risk")
        .prefetch_related("comment__mentions__person")
        .order_by("created_at", "id")
        if _emailed(n, person)
    ]
    if not lines:
        return None
    Notification.objects.filter(pk__in=[n.pk for n in lines]).update(email_message=row.pk)
    people = {m.person.email.lower(): m.person for n in lines if n.comment_id for m in n.comment.mentions.all()}
    groups = _groups(lines, people)
    only_mentions = len(groups) == 1 and all(n.kind == NotificationKind.MENTION for n in lines)
    first = groups[0]
    context = {
        "person": person,
        "groups": groups,
        "count": len(lines),
        "single_thread": only_mentions,
        # one thread of mentions (the common case) reads as before
        "project": first["project"],
        "target": first["target"],
        "comments": [(line["n"].comment, line["text"]) for line in first["lines"]] if only_mentions else [],
        "thread_url": first["url"],
        "inbox_url": absolute(reverse("conversations:inbox")),
    }
    rendered = render_email("comment_mention", context, language=person.language, time_zone=person.time_zone)
    headers = base_headers(kind=MessageKind.NOTICE, language=person.language)
    headers["From"] = formataddr(("Rapport", settings.RAPPORT_NOTIFY_EMAIL))
    if only_mentions:
        # About one thread: a reply becomes a comment on it; one to an internal comment stays internal. An e-mail
        # spanning threads has no reply address, as a reply could not say where it belongs.
        field, target_id = _thread_of(lines[0])
        headers["Reply-To"] = reply_address(
            person=person, kind=lines[0].target_kind, object_id=target_id, project_id=lines[0].project_id,
            internal=any(n.comment.internal for n in lines),
        )
    rendered.headers = headers
    return rendered


render_mentions = render_inbox  # rows queued under the former name
