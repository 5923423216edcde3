"""Inbox lines that are not comments: a task of mine changed by someone else, a decision or a report awaiting me.

Plugged into `projects.inbox` when the app is ready, so the task, report and decision services (in layers below,
which never import this app) tell it what they changed, inside their transaction:

- **task changed**: the task's owner (and its previous owner when it was given to someone else) get one line naming
  the fields that changed; a burst of changes before they read or were told of it stays one line.
- **awaiting**: a decision asked of a person and a report due from them are one line each until they act on it (an
  answer, a report) or it stops waiting (closed, no longer asked), which settles (and reads) it. A report falls due
  with time, not with a change, so `awaiting_sync` (every half hour) also settles and opens lines from the one
  definition of "awaiting" (`engagement.selectors.awaiting`).

It also gives the weekly digests the unread lines a person chose to read there (`digest_lines`), and records which
digest told them (`digested`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import partial

from django.db import transaction
from django.db.models import BigIntegerField, Case, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from conversations import emails
from conversations.models import LINE_PREFERENCES, TARGET_FIELDS, Notification, NotificationKind
from engagement.models import Decision
from engagement.selectors.awaiting import report_awaited, reports_awaiting_by_person
from portal.accounts.models import Delivery, User
from portal.core.time import zone
from projects.inbox import DigestLine, Event
from projects.models import STAFF_ROLES, Membership, ProjectStatus, Task, TaskSide

K = NotificationKind
# The task fields whose change its owner hears of (completion time, percent and side follow from others).
TOLD_FIELDS = ("title", "description", "owner", "start_date", "due_date", "status", "priority", "internal",
               "report_cadence_days")
# The kinds a digest lists as lines (what awaits a person is in every digest already, as its own part).
DIGEST_KINDS = LINE_PREFERENCES


def _settle(rows, now: dt.datetime) -> int:
    return rows.filter(settled_at__isnull=True).update(settled_at=now, read_at=Coalesce("read_at", Value(now)))


def task_changed(event: Event, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    task = event.task or Task.objects.select_related("project", "owner").get(pk=event.task_id)
    changed = [name for name in TOLD_FIELDS if name in event.changed]
    people = {task.owner_id, *event.people} - {event.actor_id, None}
    if changed and people:
        _tell_task_people(task, people, changed, event.actor_id, now)
    report_sync(task, now)


def _tell_task_people(task: Task, people: set, changed: list[str], actor_id: int | None, now: dt.datetime) -> None:
    members = Membership.objects.filter(project_id=task.project_id, user_id__in=people, user__is_active=True)
    if task.internal:
        members = members.filter(role__in=STAFF_ROLES)
    people = set(members.values_list("user_id", flat=True))
    if not people:
        return
    waiting = {n.recipient_id: n for n in Notification.objects.filter(
        kind=K.TASK_CHANGED, task=task, recipient_id__in=people, read_at__isnull=True, email_message__isnull=True)}
    for line in waiting.values():  # still unread and untold: the same line, now naming these changes too
        line.changed = [name for name in TOLD_FIELDS if name in {*line.changed, *changed}]
        line.actor_id, line.created_at = actor_id, now
        line.save(update_fields=["changed", "actor", "created_at"])
    new = [Notification(recipient_id=pk, kind=K.TASK_CHANGED, project_id=task.project_id, actor_id=actor_id, task=task,
                        changed=changed, created_at=now) for pk in sorted(people - set(waiting))]
    Notification.objects.bulk_create(new)
    for line in new:
        transaction.on_commit(partial(emails.queue_inbox_email, notification_id=line.pk))


def _report_awaited_from(task: Task, now: dt.datetime) -> int | None:
    """The owner whose report this task awaits now, or None (the rule of `engagement.selectors.awaiting`)."""
    if not task.is_open or task.internal or task.side != TaskSide.CLIENT:
        return None
    project = task.project
    if project.archived_at is not None or project.status in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        return None  # the rule of `Project.objects.open()`, on the row in hand
    return task.owner_id if report_awaited(task, now, now.astimezone(zone(task.owner.time_zone)).date()) else None


def report_sync(task: Task, now: dt.datetime) -> None:
    owner_id = _report_awaited_from(task, now)
    _settle(Notification.objects.filter(kind=K.REPORT_AWAITING, task=task).exclude(recipient_id=owner_id), now)
    if owner_id is not None:
        Notification.objects.bulk_create(
            [Notification(recipient_id=owner_id, kind=K.REPORT_AWAITING, project_id=task.project_id, task=task, created_at=now)],
            ignore_conflicts=True,
        )


def decision_sync(decision_id: int, actor_id: int | None, now: dt.datetime | None = None) -> None:
    """Open a line for everyone the decision awaits now and settle the others'."""
    now = now or timezone.now()
    awaited = dict(Decision.objects.filter(pk=decision_id).awaiting_rows().values_list("awaited_id", "project_id"))
    _settle(Notification.objects.filter(kind=K.DECISION_AWAITING, decision_id=decision_id).exclude(recipient_id__in=awaited), now)
    Notification.objects.bulk_create(
        [Notification(recipient_id=pk, kind=K.DECISION_AWAITING, project_id=project_id, decision_id=decision_id,
                      actor_id=actor_id, created_at=now) for pk, project_id in awaited.items()],
        ignore_conflicts=True,
    )


@transaction.atomic
def awaiting_sync(now: dt.datetime | None = None) -> None:
    """Every open decision and report line matches what awaits whom now: reports fall due with time (a fixed number
    of queries)."""
    now = now or timezone.now()
    owners = User.objects.filter(
        pk__in=Task.objects.open().visible_to_clients().filter(side=TaskSide.CLIENT).values("owner_id"), is_active=True
    )
    reports = {(pk, task.pk): task.project_id for pk, tasks in reports_awaiting_by_person(list(owners), now=now).items()
               for task in tasks}
    decisions = {(pk, d): project for d, pk, project in Decision.objects.awaiting_rows().values_list("pk", "awaited_id", "project_id")}
    for kind, field, awaited in ((K.REPORT_AWAITING, "task", reports), (K.DECISION_AWAITING, "decision", decisions)):
        stale = [
            n.pk for n in Notification.objects.filter(kind=kind, settled_at__isnull=True).only("recipient_id", f"{field}_id")
            if (n.recipient_id, getattr(n, f"{field}_id")) not in awaited
        ]
        _settle(Notification.objects.filter(pk__in=stale), now)
        Notification.objects.bulk_create(
            [Notification(recipient_id=pk, kind=kind, project_id=project, created_at=now, **{f"{field}_id": target})
             for (pk, target), project in awaited.items()],
            ignore_conflicts=True,
        )


def digest_lines(people: list) -> dict[int, list[DigestLine]]:
    """{person id: unread lines not yet told} of the kinds each person reads in their digest (one query)."""
    wanted = Q(pk__in=[])
    for kind, preference in DIGEST_KINDS.items():
        ids = [p.pk for p in people if getattr(p, preference) == Delivery.DIGEST]
        if ids:
            wanted |= Q(kind=kind, recipient_id__in=ids)
    by_id = {p.pk: p for p in people}
    rows = (
        Notification.objects.filter(wanted, read_at__isnull=True, email_message__isnull=True, settled_at__isnull=True)
        .filter(Q(comment__isnull=True) | Q(comment__removed_at__isnull=True))
        .select_related("actor", "project", "comment", *TARGET_FIELDS.values())
        .order_by("created_at", "id")
    )
    out: dict[int, list[DigestLine]] = defaultdict(list)
    for n in rows:
        if by_id[n.recipient_id].is_client and (n.comment_id and n.comment.internal):
            continue
        out[n.recipient_id].append(DigestLine(
            id=n.pk, kind=n.kind, who=n.actor.display_name if n.actor else "", title=str(getattr(n.target, "title", "")),
            project=n.project.name, url=emails.line_url(n), at=n.created_at,
        ))
    return dict(out)


class ConversationsInbox:
    """What `projects.inbox` calls."""

    def tell(self, event: Event) -> None:
        if event.kind == "task":
            task_changed(event)
        elif event.kind == "decision":
            decision_sync(event.decision_id, event.actor_id)

    def digest_lines(self, people: list) -> dict[int, list[DigestLine]]:
        return digest_lines(people)

    def digested(self, told: dict[int, list[int]]) -> None:
        which = [When(pk__in=ids, then=Value(message_id)) for message_id, ids in told.items()]
        Notification.objects.filter(pk__in=[pk for ids in told.values() for pk in ids], email_message__isnull=True).update(
            email_message=Case(*which, output_field=BigIntegerField())
        )
