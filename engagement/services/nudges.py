"""Daily nudges and backup fail-over (emails.md §3 (d), docs/notifications.md).

The job runs hourly; a person is nudged in their local morning on working days, with one
bundle for everything they owe (`nudge:<person>:<local-date>`), so an item is nudged at
most once a day, and not at all on the day of their weekly digest, which lists the same.
When a primary contact has not answered within the plan's response target, their backup is
asked to cover, once per item: every item a run escalates to one backup goes into one bundle,
and the manager gets one notice per run listing every escalation (the items are recorded in
the bundle's payload, so a later run never escalates them again). Both wait for the
recipient's working hours.

While a person is away (a declared absence covering their local day) they get no nudge, and everything they
owe goes to their backup at once, the bundle saying until when they are away. A person whose address is
undeliverable (a hard bounce or a complaint) is treated the same way until the manager clears it. A project in a quiet period
sends neither nudges nor escalations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from engagement.emails.common import automated_headers, portal_url
from engagement.models import Absence, Stakeholder
from engagement.models.plan import CommunicationPlan
from engagement.selectors.absences import is_quiet, quiet_days, unavailable_on
from engagement.selectors.awaiting import decisions_awaiting_by_person, report_awaited
from engagement.services.digests import digest_slot
from engagement.services.links import A, action_link_create, action_link_url, unsubscribe_url
from portal.accounts.models import Delivery, User
from portal.core.time import next_working_instant, zone
from portal.outbox.email import render_email
from portal.outbox.models import MessageKind, MessageStatus, OutboundMessage
from portal.outbox.replies import reply_address
from portal.outbox.services import outbox_enqueue
from projects.models import Membership, Project, Task, TaskSide

MORNING_HOURS = 3  # the window after NUDGE_LOCAL_HOUR in which a missed run still nudges
DEFAULT_RESPONSE_HOURS = 48


@dataclass
class Item:
    kind: str  # "report" or "decision"
    obj: object
    project: Project
    since: dt.datetime
    overdue: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.obj.pk}"

    def age_days(self, now: dt.datetime) -> int:
        return max((now - self.since).days, 0)


def _in_morning(now: dt.datetime, time_zone: str) -> dt.date | None:
    local = now.astimezone(zone(time_zone))
    start = settings.NUDGE_LOCAL_HOUR
    if local.weekday() >= 5 or not (start <= local.hour < start + MORNING_HOURS):
        return None
    return local.date()


def _items(people: dict[int, User], now: dt.datetime) -> dict[int, list[Item]]:
    roles = {(m.user_id, m.project_id): m.role for m in Membership.objects.filter(
        user_id__in=people, project__in=Project.objects.open()).only("user_id", "project_id", "role")}
    project_ids = {p for _u, p in roles}
    projects = {p.pk: p for p in Project.objects.filter(pk__in=project_ids).select_related("manager")}
    items: dict[int, list[Item]] = defaultdict(list)
    for task in Task.objects.open().visible_to_clients().filter(owner_id__in=people, side=TaskSide.CLIENT, project_id__in=project_ids):
        local_today = now.astimezone(zone(people[task.owner_id].time_zone)).date()
        overdue = task.due_date is not None and task.due_date < local_today
        if report_awaited(task, now, local_today):
            items[task.owner_id].append(Item("report", task, projects[task.project_id], task.report_due_at(), overdue))
    for person_id, decisions in decisions_awaiting_by_person(people, project_ids=project_ids).items():
        for decision in decisions:
            items[person_id].append(Item("decision", decision, projects[decision.project_id], decision.requested_at))
    return items


@transaction.atomic
def nudges_send(*, now: dt.datetime | None = None) -> int:
    """Queue today's nudge bundles and due escalations. Safe to run twice; returns how many rows were queued."""
    now = now or timezone.now()
    clients = {person.pk: person for person in User.objects.filter(is_active=True, kind=User.Kind.CLIENT)}
    today = {pk: now.astimezone(zone(person.time_zone)).date() for pk, person in clients.items()}
    away = unavailable_on(people=clients.values(), days=today)  # an unreachable address counts as away
    people = {}
    local_dates = {}
    for pk, person in clients.items():
        local_date = _in_morning(now, person.time_zone)
        if local_date is not None or pk in away:
            people[pk] = person
            local_dates[pk] = local_date
    if not people:
        return 0
    items = _without_quiet(_items(people, now), today)
    told = _requests_told_today(people, today, now)
    queued = 0
    for person_id, owed in items.items():
        person, local_date = people[person_id], local_dates[person_id]
        if local_date is None or person_id in away:
            continue
        owed_before_today = [item for item in owed if not _asked_today(item, person, local_date)
                             and (person_id, item.key) not in told and _by_email(item, person)]
        if person.email_nudges and owed_before_today and not _digest_day(person, local_date, now):
            queued += _queue_nudge(person, owed_before_today, local_date, now)
    queued += _escalate(people, items, now, away)
    return queued


def _without_quiet(items: dict[int, list[Item]], today: dict[int, dt.date]) -> dict[int, list[Item]]:
    """Leave out the items of projects in a quiet period on the person's local day."""
    if not items:
        return items
    days = [today[pid] for pid in items]
    spans = quiet_days(project_ids={i.project.pk for owed in items.values() for i in owed}, start=min(days), end=max(days))
    return {pid: [i for i in owed if not is_quiet(spans, i.project.pk, today[pid])] for pid, owed in items.items()}


def _by_email(item: Item, person: User) -> bool:
    """The person hears of this kind of item by e-mail (their inbox and digest say it otherwise)."""
    return getattr(person, f"notify_{item.kind}") == Delivery.EMAIL


def _requests_told_today(people: dict[int, User], today: dict[int, dt.date], now: dt.datetime) -> set[tuple[int, str]]:
    """(person, item key) of the decision requests that reached each person on their current local day, alone or in
    a message of requests: one asked late yesterday goes in the person's morning, and a nudge that morning would
    repeat it (one query)."""
    rows = OutboundMessage.objects.filter(
        recipient_id__in=list(people), status__in=[MessageStatus.SENT, MessageStatus.BUNDLED],
        sent_at__gte=now - dt.timedelta(days=2), payload__has_key="decision",
    ).values_list("recipient_id", "sent_at", "payload__decision")
    return {(pk, f"decision-{decision}") for pk, sent_at, decision in rows
            if sent_at.astimezone(zone(people[pk].time_zone)).date() == today[pk]}


def _asked_today(item: Item, person: User, local_date: dt.date) -> bool:
    """A decision requested on the person's current local day: its request e-mail said it today."""
    return item.kind == "decision" and item.since.astimezone(zone(person.time_zone)).date() == local_date


def _digest_day(person: User, local_date: dt.date, now: dt.datetime) -> bool:
    """The person's weekly digest goes out on this local day: it lists what a nudge would, so the nudge waits."""
    if not person.email_digest:
        return False
    slot = digest_slot(now=now, time_zone=person.time_zone, weekday=person.digest_weekday, hour=person.digest_hour)
    return slot.at.astimezone(zone(person.time_zone)).date() == local_date


def _reply_to(person: User, items: list[Item], manager: User) -> str:
    """A reminder about one report or decision answers to its thread (a reply becomes a comment, a progress line a
    report); one about several answers to the manager, as no single thread fits."""
    if len(items) != 1:
        return manager.email
    item = items[0]
    kind = "tasks" if item.kind == "report" else "decisions"
    return reply_address(person=person, kind=kind, object_id=item.obj.pk, project_id=item.project.pk)


def _queue_nudge(person: User, owed: list[Item], local_date: dt.date, now: dt.datetime) -> int:
    key = f"nudge:{person.pk}:{local_date.isoformat()}"
    if OutboundMessage.objects.filter(dedupe_key=key).exists():
        return 0
    owed = sorted(owed, key=lambda i: i.since)
    plan_hours = dict(CommunicationPlan.objects.filter(project__in={i.project for i in owed}).values_list("project_id", "client_response_hours"))
    lines = []
    for item in owed:
        if item.kind == "report":
            url = portal_url("projects:task-report", item.project.slug, item.obj.pk)
        else:
            action = A.APPROVE if item.obj.involvement == "approval" else A.ACKNOWLEDGE
            url = action_link_url(action_link_create(person=person, action=action, obj=item.obj))
        lines.append({"item": item, "url": url, "days": item.age_days(now)})
    main = owed[0].project
    unsubscribe = unsubscribe_url(person=person, preference="email_nudges")
    context = {
        "person": person,
        "lines": lines,
        "reports": sum(1 for i in owed if i.kind == "report"),
        "decisions": sum(1 for i in owed if i.kind == "decision"),
        "single": lines[0] if len(lines) == 1 else None,
        "project": main,
        "response_hours": plan_hours.get(main.pk, DEFAULT_RESPONSE_HOURS),
        "my_work_url": portal_url("home"),
        "unsubscribe_url": unsubscribe,
    }
    rendered = render_email("nudge", context, language=person.language, time_zone=person.time_zone)
    headers = automated_headers(kind=MessageKind.NUDGE, language=person.language, sender_name=str(main.manager),
                                reply_to=_reply_to(person, owed, main.manager), list_label="Rapport reminders", list_sub="nudges",
                                unsubscribe=unsubscribe)
    _row, created = outbox_enqueue(kind=MessageKind.NUDGE, recipient=person, dedupe_key=key, subject=rendered.subject,
                                   body_text=rendered.body_text, body_html=rendered.body_html, headers=headers,
                                   project_id=main.pk)
    return int(created)


@dataclass
class Escalation:
    item: Item
    primary: User
    backup: User
    hours: int
    away: Absence | None = None


def _escalate(people: dict[int, User], items: dict[int, list[Item]], now: dt.datetime, away: dict[int, Absence]) -> int:
    """One bundle per backup and one notice per manager for everything this run escalates (at once for an absent primary)."""
    overdue = [(pid, item) for pid, owed in items.items() for item in owed]
    if not overdue:
        return 0
    project_ids = {item.project.pk for _pid, item in overdue}
    targets = dict(CommunicationPlan.objects.filter(project_id__in=project_ids).values_list("project_id", "client_response_hours"))
    backups: dict[tuple[int, int], list[User]] = defaultdict(list)
    for backup in Stakeholder.objects.filter(
        plan__project_id__in=project_ids, backup_for__user_id__in=people, user__isnull=False, user__is_active=True
    ).select_related("user", "backup_for", "plan"):
        backups[(backup.plan.project_id, backup.backup_for.user_id)].append(backup.user)
    per_backup: dict[int, list[Escalation]] = defaultdict(list)
    for person_id, item in sorted(overdue, key=lambda pair: pair[1].since):
        hours = targets.get(item.project.pk, DEFAULT_RESPONSE_HOURS)
        if person_id not in away and item.since > now - dt.timedelta(hours=hours):
            continue
        for backup in backups.get((item.project.pk, person_id), []):
            per_backup[backup.pk].append(Escalation(item, people[person_id], backup, hours, away.get(person_id)))
    done = _escalated_before(list(per_backup))
    per_manager: dict[int, list[Escalation]] = defaultdict(list)
    queued = 0
    for backup_id, escalations in per_backup.items():
        fresh = [e for e in escalations if (backup_id, e.item.key) not in done]
        if fresh:
            queued += _queue_backup_bundle(fresh, now)
            for escalation in fresh:
                per_manager[escalation.item.project.manager_id].append(escalation)
    for escalations in per_manager.values():
        queued += _queue_manager_notice(escalations, now)
    return queued


def _escalated_before(backup_ids: list[int]) -> set[tuple[int, str]]:
    """(backup, item key) of every item already escalated: each item goes to a backup once."""
    done = set()
    for backup_id, key, payload in OutboundMessage.objects.filter(
        kind=MessageKind.ESCALATION, recipient_id__in=backup_ids, dedupe_key__startswith="escalate:"
    ).values_list("recipient_id", "dedupe_key", "payload"):
        done.update((backup_id, item) for item in (payload or {}).get("items", []))
        parts = key.split(":")
        if len(parts) == 4 and parts[3] == "1":  # one e-mail per item, as sent before bundling: `escalate:<item>:<backup>:1`
            done.add((backup_id, parts[1]))
    return done


def _bundle_key(prefix: str, person: User, escalations: list[Escalation], now: dt.datetime) -> str:
    """The same escalations to the same person give the same key, so two runs racing queue one bundle."""
    names = sorted(f"{e.item.key}>{e.backup.pk}" for e in escalations)
    digest = hashlib.sha256("|".join(names).encode()).hexdigest()[:12]
    return f"{prefix}:{person.pk}:{now.astimezone(zone(person.time_zone)).date().isoformat()}:{digest}"


def _view_url(item: Item) -> str:
    if item.kind == "report":
        return portal_url("projects:task", item.project.slug, item.obj.pk)
    return portal_url("engagement:decision", item.project.slug, item.obj.pk)


def _queue_backup_bundle(escalations: list[Escalation], now: dt.datetime) -> int:
    backup = escalations[0].backup
    manager = escalations[0].item.project.manager
    entries = [{"item": e.item, "primary": e.primary, "hours": e.hours, "days": e.item.age_days(now), "away": e.away,
                "view_url": _view_url(e.item),
                "handle_url": action_link_url(action_link_create(person=backup, action=A.HANDLE, obj=e.item.obj))}
               for e in escalations]
    unsubscribe = unsubscribe_url(person=backup, preference="email_nudges")
    context = {"backup": backup, "manager": manager, "entries": entries, "single": entries[0] if len(entries) == 1 else None,
               "unsubscribe_url": unsubscribe}
    rendered = render_email("escalation_backup", context, language=backup.language, time_zone=backup.time_zone)
    headers = automated_headers(kind=MessageKind.ESCALATION, language=backup.language, sender_name=str(manager),
                                reply_to=_reply_to(backup, [e.item for e in escalations], manager), list_label="Rapport reminders", list_sub="nudges",
                                unsubscribe=unsubscribe)
    _row, created = outbox_enqueue(
        kind=MessageKind.ESCALATION, recipient=backup, dedupe_key=_bundle_key("escalate", backup, escalations, now),
        subject=rendered.subject, body_text=rendered.body_text, body_html=rendered.body_html, headers=headers,
        project_id=escalations[0].item.project.pk, payload={"items": [e.item.key for e in escalations]},
        send_after=next_working_instant(now, backup.time_zone),
    )
    return int(created)


def _queue_manager_notice(escalations: list[Escalation], now: dt.datetime) -> int:
    manager = escalations[0].item.project.manager
    entries = [{"item": e.item, "primary": e.primary, "backup": e.backup, "view_url": _view_url(e.item)} for e in escalations]
    context = {"manager": manager, "entries": entries, "single": entries[0] if len(entries) == 1 else None}
    notice = render_email("escalation_manager", context, language=manager.language, time_zone=manager.time_zone)
    headers = automated_headers(kind=MessageKind.ESCALATION, language=manager.language, list_label="Rapport escalations",
                                list_sub="escalations")
    _row, created = outbox_enqueue(
        kind=MessageKind.ESCALATION, recipient=manager, dedupe_key=_bundle_key("escalated", manager, escalations, now),
        subject=notice.subject, body_text=notice.body_text, body_html=notice.body_html, headers=headers,
        project_id=escalations[0].item.project.pk, send_after=next_working_instant(now, manager.time_zone),
    )
    return int(created)
