"""Writes of conversations: post, edit and remove a comment; follow a thread; read the inbox.

`comment_post` is the one way a comment is made, from the page, the API or a reply by e-mail (`via`): it checks who
may write what, renders the text, records the mentions, follows the thread for its author, its assignee and the
people mentioned, fills the inboxes of the people who may read it, writes the audit row and, once committed, queues
the mention e-mails.
"""

from __future__ import annotations

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations import emails
from conversations.attachments import attach_file as attach_file  # the files' services, re-exported
from conversations.attachments import attachment_remove as attachment_remove
from conversations.attachments import attachments_add, uploads_check
from conversations.models import Comment, Follow, Mention, Notification, NotificationKind
from conversations.permissions import Thread, can_edit, can_remove
from conversations.selectors import mentionable_by_address
from conversations.text import mentioned_addresses, render
from projects.models import STAFF_ROLES, Membership
from projects.permissions import require_can_mark_internal
from projects.services.audit import audit_record


def _hidden_from_clients(comment: Comment, thread: Thread) -> bool:
    return comment.internal or thread.internal


def _mentioned(thread: Thread, body: str, internal: bool) -> dict:
    return mentionable_by_address(thread.access, mentioned_addresses(body), internal=internal or thread.internal)


def _readers(thread: Thread, comment: Comment, people_ids) -> list[int]:
    """Those of `people_ids` who may read `comment`: active members of the project, and only the team when it is
    hidden from clients."""
    members = Membership.objects.filter(project=thread.access.project, user_id__in=people_ids, user__is_active=True)
    if _hidden_from_clients(comment, thread):
        members = members.filter(role__in=STAFF_ROLES)
    return list(members.values_list("user_id", flat=True))


def _follow(thread: Thread, people_ids) -> None:
    """Follow the thread for these people, unless one of them turned it off (their choice stays)."""
    Follow.objects.bulk_create(
        [Follow(person_id=pk, **thread.lookup) for pk in set(people_ids)], ignore_conflicts=True
    )


def _assignee_id(thread: Thread) -> int | None:
    return getattr(thread.target, "owner_id", None)


def _notify(thread: Thread, comment: Comment, *, mentioned: list[int], actor) -> list[int]:
    """Inbox lines for the people mentioned now and for the thread's followers; returns the lines' ids."""
    mentioned = [pk for pk in _readers(thread, comment, mentioned) if pk != actor.pk]
    followers = Follow.objects.filter(active=True, **thread.lookup).exclude(person_id__in=[actor.pk, *mentioned])
    repliers = _readers(thread, comment, followers.values_list("person_id", flat=True))
    rows = [(pk, NotificationKind.MENTION) for pk in mentioned] + [(pk, NotificationKind.REPLY) for pk in repliers]
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=pk, kind=kind, project=thread.access.project, actor=actor, comment=comment, **thread.lookup)
            for pk, kind in rows
        ],
        ignore_conflicts=True,
    )
    return list(Notification.objects.filter(comment=comment).values_list("pk", flat=True))


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write something first.")]})
    return body


@transaction.atomic
def comment_post(*, actor, thread: Thread, body: str, internal: bool = False, via: str = "portal") -> Comment:
    """Post `body` as `actor` on `thread` (obtained through `thread_access` for the same person).

    Only the team may post an internal comment (PermissionDenied otherwise). Mentions of people who may not read the
    comment stay plain text and notify nobody. Safe from the page, the API and a mail receiver alike.
    """
    require_can_mark_internal(thread.access, internal)
    body = _clean_body(body)
    people = _mentioned(thread, body, internal)
    comment = Comment(
        project=thread.access.project, author=actor, body=body, body_html=render(body, people), internal=internal,
        via=via, **thread.lookup,
    )
    comment.full_clean()
    comment.save()
    Mention.objects.bulk_create([Mention(comment=comment, person=p) for p in people.values()])
    _follow(thread, [actor.pk, *[p.pk for p in people.values()], *filter(None, [_assignee_id(thread)])])
    line_ids = _notify(thread, comment, mentioned=[p.pk for p in people.values()], actor=actor)
    audit_record(
        actor=actor, action="comment.post", obj=comment, project=thread.access.project,
        changes={"body": body, "internal": internal, "via": via}, internal=_hidden_from_clients(comment, thread),
    )
    for pk in line_ids:
        transaction.on_commit(partial(emails.queue_inbox_email, notification_id=pk))
    return comment


@transaction.atomic
def comment_post_with_files(*, actor, thread: Thread, body: str, uploads=(), internal: bool = False, via: str = "portal") -> Comment:
    """Post a comment with files on it: every file is checked before anything is written, and a refused file leaves
    neither the comment nor any file behind (the error lists each refused file under `files`)."""
    uploads = list(uploads)
    if uploads:
        uploads_check(uploads)
    comment = comment_post(actor=actor, thread=thread, body=body, internal=internal, via=via)
    if uploads:
        attachments_add(actor=actor, thread=thread, uploads=uploads, comment=comment)
    return comment


@transaction.atomic
def comment_edit(*, actor, comment: Comment, thread: Thread, body: str) -> Comment:
    """The author changes the text within the edit window (`COMMENT_EDIT_WINDOW_MINUTES`); people mentioned for the
    first time are told like on a new comment."""
    if not can_edit(comment, actor):
        raise PermissionDenied(_("Only its author can edit a comment, and only in the first minutes."))
    body = _clean_body(body)
    if body == comment.body:
        return comment
    old = comment.body
    people = _mentioned(thread, body, comment.internal)
    known = set(comment.mentions.values_list("person_id", flat=True))
    new_people = [p for p in people.values() if p.pk not in known]
    comment.body, comment.body_html, comment.edited_at = body, render(body, people), timezone.now()
    comment.full_clean()
    comment.save(update_fields=["body", "body_html", "edited_at", "updated_at"])
    Mention.objects.bulk_create([Mention(comment=comment, person=p) for p in new_people], ignore_conflicts=True)
    _follow(thread, [p.pk for p in new_people])
    mention_ids = []
    if new_people:
        mentioned = [pk for pk in _readers(thread, comment, [p.pk for p in new_people]) if pk != actor.pk]
        Notification.objects.bulk_create(
            [
                Notification(recipient_id=pk, kind=NotificationKind.MENTION, project=thread.access.project, actor=actor,
                             comment=comment, **thread.lookup)
                for pk in mentioned
            ],
            ignore_conflicts=True,
        )
        mention_ids = list(
            Notification.objects.filter(comment=comment, kind=NotificationKind.MENTION, recipient_id__in=mentioned)
            .values_list("pk", flat=True)
        )
    audit_record(
        actor=actor, action="comment.edit", obj=comment, project=thread.access.project,
        changes={"body": {"old": old, "new": body}}, internal=_hidden_from_clients(comment, thread),
    )
    for pk in mention_ids:
        transaction.on_commit(partial(emails.queue_inbox_email, notification_id=pk))
    return comment


@transaction.atomic
def comment_remove(*, actor, comment: Comment, thread: Thread) -> Comment:
    """The author or the manager removes a comment: it stays in the database and the audit log with its text, the
    thread shows it as removed, and its unread inbox lines are put away."""
    if not can_remove(comment, thread.access):
        raise PermissionDenied(_("Only its author or the project's manager can remove a comment."))
    comment.removed_at, comment.removed_by = timezone.now(), actor
    comment.save(update_fields=["removed_at", "removed_by", "updated_at"])
    Notification.objects.filter(comment=comment, read_at__isnull=True).update(read_at=comment.removed_at)
    audit_record(
        actor=actor, action="comment.remove", obj=comment, project=thread.access.project,
        changes={"body": comment.body, "author": comment.author_id}, internal=_hidden_from_clients(comment, thread),
    )
    return comment


@transaction.atomic
def follow_set(*, actor, thread: Thread, following: bool) -> Follow:
    """Follow a thread or stop following it; the choice stays when the person comments or is mentioned later."""
    follow, _created = Follow.objects.update_or_create(person=actor, defaults={"active": following}, **thread.lookup)
    return follow


def notifications_read(*, actor, ids=None, thread: Thread | None = None) -> int:
    """Mark the person's unread notifications read: these `ids`, those of one thread's comments, or all. Returns how
    many."""
    rows = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    if thread is not None:  # the thread's comments, not what awaits the person on its object
        rows = rows.filter(comment__isnull=False, **thread.lookup)
    return rows.update(read_at=timezone.now())


def notification_open(*, actor, notification_id: int) -> Notification:
    """The person's own notification, marked read (404 for anyone else's)."""
    notification = Notification.objects.for_person(actor).select_related("project", "comment").filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(read_at=notification.read_at)
    return notification
