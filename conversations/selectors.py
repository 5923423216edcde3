"""Scoped reads of conversations: a thread, the people one may mention, follows, a person's inbox."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from conversations.models import Attachment, Comment, Follow, Notification
from conversations.permissions import Thread
from engagement.selectors.awaiting import decisions_awaiting, reports_awaiting
from projects.models import STAFF_ROLES, Membership
from projects.permissions import ProjectAccess

INBOX_PER_PAGE = 30
MENTION_SUGGESTIONS = 8


def thread_comments(thread: Thread) -> QuerySet[Comment]:
    """The thread, oldest first, as the reader may see it (internal comments only for the team): one query however
    long, the authors and removers joined."""
    return (
        Comment.objects.filter(**thread.lookup)
        .visible_to(thread.access)
        .select_related("author", "removed_by")
        .order_by("created_at", "id")
    )


def thread_files(thread: Thread) -> QuerySet[Attachment]:
    """The files of a thread, oldest first, as the reader may see them: none removed (nor on a removed comment), and
    for a client none internal (nor on an internal comment). One query, uploaders joined."""
    return (
        Attachment.objects.filter(**thread.lookup)
        .present()
        .visible_to(thread.access)
        .select_related("uploaded_by", "project")
        .order_by("created_at", "id")
    )


def mentionable_people(access: ProjectAccess, *, internal: bool = False, query: str = "") -> QuerySet:
    """Active members of the project the author may mention: everyone on it, or only the team when the comment (or
    its object) is internal, since a client could not read it. `query` narrows by name or e-mail."""
    members = Membership.objects.filter(project=access.project)
    if internal:
        members = members.filter(role__in=STAFF_ROLES)
    people = get_user_model().objects.filter(pk__in=members.values("user_id"), is_active=True)
    query = (query or "").strip().lstrip("@")
    if query:
        people = people.filter(full_name__icontains=query) | people.filter(email__istartswith=query)
    return people.order_by("full_name", "email")


def mentionable_by_address(access: ProjectAccess, addresses: set[str], *, internal: bool) -> dict:
    """{lower-cased e-mail: person} for the mentioned addresses that name someone the author may mention (one query;
    addresses are matched whatever their case)."""
    if not addresses:
        return {}
    same = Q()
    for address in addresses:
        same |= Q(email__iexact=address)
    return {p.email.lower(): p for p in mentionable_people(access, internal=internal).filter(same)}


def is_following(thread: Thread, person) -> bool:
    return Follow.objects.filter(person=person, active=True, **thread.lookup).exists()


def unread_count(person) -> int:
    """The bell's number: one COUNT over the person's unread notifications."""
    return Notification.objects.for_person(person).unread().count()


@dataclass
class InboxPage:
    page: Page
    days: list[tuple]  # (date in the reader's zone, [Notification, ...]), newest first
    unread: int


def inbox_notifications(person) -> QuerySet[Notification]:
    return (
        Notification.objects.for_person(person)
        .select_related("actor", "project", "comment", "task", "decision", "meeting", "risk")
        .order_by("-created_at", "-id")
    )


def inbox_page(person, *, page: int | str = 1, unread_only: bool = False) -> InboxPage:
    """One page of the inbox, grouped by day in the reader's zone; a fixed number of queries at any length."""
    rows = inbox_notifications(person)
    if unread_only:
        rows = rows.unread()
    current = Paginator(rows, INBOX_PER_PAGE).get_page(page)
    items = list(current.object_list)
    days = [(date, list(group)) for date, group in itertools.groupby(items, key=lambda n: timezone.localtime(n.created_at).date())]
    return InboxPage(page=current, days=days, unread=unread_count(person))


def awaiting_me(person) -> dict:
    """What waits for the person's answer, read from the one definition of "awaiting" (decisions, reports)."""
    return {"decisions": list(decisions_awaiting(person)), "reports": reports_awaiting(person)}
