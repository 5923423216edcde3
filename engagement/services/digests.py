"""Weekly digests: who is due (their weekday and hour in their own zone), and building them.

The periodic job (every 15 min) calls `digest_due_batches`, which names the people whose
slot has come this ISO week and who have no digest for it yet, in batches formed per project
(the contacts of one project share most of their digest); each batch is one task calling
`digest_send_batch`. A batch is built together (`digest_build_many`): its data and its one-click links
in a fixed number of queries, each digest rendered for its reader, its outbox rows and `Digest` rows (the
archive, which reads the rendering through its outbox row: it is stored once) written in one transaction, and
its messages handed to one sending task. Each digest is sent from that rendering, so retries send the same bytes.
Everything is safe to run twice: one Digest per (person, kind, week), one outbox row per key.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from engagement.emails.common import automated_headers
from engagement.models import Digest
from engagement.selectors.digests import client_digest_contexts, manager_digest_context
from engagement.services.links import (
    A,
    LinkSpec,
    action_link_url,
    action_links_create,
    unsubscribe_url,
    unsubscribe_url_for,
)
from portal.accounts.models import User
from portal.core.time import iso_week, zone
from portal.outbox.email import Part, Rendered, msgid, one_line, render_email, render_part
from portal.outbox.models import MessageKind, OutboundMessage
from portal.outbox.services import outbox_dispatch_many, outbox_enqueue
from projects import inbox
from projects.models import CLIENT_ROLES, Membership, Project

CATCH_UP = dt.timedelta(days=1)  # a slot missed by downtime is still served within a day

# The fixed words of a client digest's body (text and HTML), translated once per language for a whole batch and
# given to the templates as `labels`: they are the same for every reader in that language.
LABELS = {
    "open_my_work": gettext_noop("Open my work in Rapport"),
    "needs_action": gettext_noop("Needs your action"),
    "submit": gettext_noop("Submit report"),
    "view": gettext_noop("View / comment"),
    "approve": gettext_noop("Approve"),
    "acknowledge": gettext_noop("Acknowledge"),
    "report_due": gettext_noop("report due"),
    "will_you_attend": gettext_noop("Will you attend?"),
    "yes": gettext_noop("Yes"),
    "maybe": gettext_noop("Maybe"),
    "no": gettext_noop("No"),
    "nothing": gettext_noop("Nothing needs you this week."),
    "open_tasks": gettext_noop("Your open tasks"),
    "due": gettext_noop("due"),
    "next_report": gettext_noop("next report"),
    "upcoming_meetings": gettext_noop("Upcoming meetings"),
    "why": gettext_noop("You get this because you are a client contact on a Rapport project."),
    "settings": gettext_noop("E-mail settings"),
    "your_manager": gettext_noop("Your manager"),
}


@dataclass(frozen=True)
class Slot:
    iso_week: str
    week_start: dt.date
    at: dt.datetime


def digest_slot(*, now: dt.datetime, time_zone: str, weekday: int, hour: int) -> Slot:
    """This ISO week's digest instant for a person (local weekday and hour, resolved through DST)."""
    tz = zone(time_zone)
    local_today = now.astimezone(tz).date()
    week_start = local_today - dt.timedelta(days=local_today.weekday())
    day = week_start + dt.timedelta(days=weekday)
    at = dt.datetime.combine(day, dt.time(hour), tzinfo=tz).astimezone(dt.UTC)
    return Slot(iso_week=iso_week(day), week_start=week_start, at=at)


def _open_projects():
    return Project.objects.open().filter(archived_at__isnull=True)


def _candidates(kind: str):
    people = User.objects.filter(is_active=True, email_digest=True)
    if kind == Digest.Kind.CLIENT:
        people = people.filter(
            kind=User.Kind.CLIENT, memberships__role__in=CLIENT_ROLES, memberships__project__in=_open_projects()
        )
    else:
        people = people.filter(kind=User.Kind.STAFF, managed_projects__in=_open_projects())
    return people.distinct().values_list("pk", "time_zone", "digest_weekday", "digest_hour")


def digest_due(*, now: dt.datetime) -> dict[str, list[int]]:
    """{kind: [person ids]} whose slot is in (now - 1 day, now] and who have no digest for that week yet."""
    due: dict[str, list[int]] = {}
    for kind in (Digest.Kind.CLIENT, Digest.Kind.MANAGER):
        slots = {}
        for pk, tz_name, weekday, hour in _candidates(kind):
            slot = digest_slot(now=now, time_zone=tz_name, weekday=weekday, hour=hour)
            if slot.at <= now < slot.at + CATCH_UP:
                slots[pk] = slot.iso_week
        done = set(
            Digest.objects.filter(kind=kind, recipient_id__in=list(slots), iso_week__in=set(slots.values())).values_list(
                "recipient_id", "iso_week"
            )
        )
        due[kind] = sorted(pk for pk, week in slots.items() if (pk, week) not in done)
    return due


def digest_due_batches(*, now: dt.datetime, batch_size: int | None = None) -> list[tuple[str, list[int]]]:
    """The due people in batches; client contacts ordered by their projects, so one project's contacts share a batch."""
    size = batch_size or settings.DIGEST_BATCH_SIZE
    batches = []
    for kind, ids in digest_due(now=now).items():
        if kind == Digest.Kind.CLIENT:
            ids = _by_project(ids)
        batches += [(kind, ids[i : i + size]) for i in range(0, len(ids), size)]
    return batches


def _by_project(ids: list[int]) -> list[int]:
    projects: dict[int, list[int]] = defaultdict(list)
    for user_id, project_id in Membership.objects.filter(
        user_id__in=ids, role__in=CLIENT_ROLES, project__in=_open_projects()
    ).values_list("user_id", "project_id"):
        projects[user_id].append(project_id)
    return sorted(ids, key=lambda pk: (sorted(projects[pk]), pk))


def digest_send_batch(*, kind: str, person_ids: list[int], now: dt.datetime) -> int:
    """Build and queue the digest of each person in the batch. Safe to run twice; returns how many were new."""
    due = []
    for person in User.objects.filter(pk__in=person_ids, is_active=True).order_by("pk"):
        slot = digest_slot(now=now, time_zone=person.time_zone, weekday=person.digest_weekday, hour=person.digest_hour)
        if slot.at <= now < slot.at + CATCH_UP:
            due.append((person, slot))
    if kind == Digest.Kind.CLIENT:
        order = {pk: i for i, pk in enumerate(person_ids)}
        due.sort(key=lambda pair: order.get(pair[0].pk, 0))
        return len(digest_build_many(due=due, now=now))
    return sum(int(manager_digest_build(person=person, slot=slot, now=now) is not None) for person, slot in due)


def digest_send_due(*, now: dt.datetime | None = None) -> int:
    """Everything due now, in this process (the management command; beat fans out to batch tasks instead)."""
    now = now or timezone.now()
    return sum(digest_send_batch(kind=kind, person_ids=ids, now=now) for kind, ids in digest_due_batches(now=now))


def _store_and_queue(*, person, kind: str, slot: Slot, rendered: Rendered, content: dict, message_kind: str,
                     key: str, headers: dict, project_id: int | None) -> Digest | None:
    if Digest.objects.filter(recipient=person, kind=kind, iso_week=slot.iso_week).exists():
        return None
    try:
        with transaction.atomic():
            row, _created = outbox_enqueue(
                kind=message_kind,
                recipient=person,
                dedupe_key=key,
                message_id=msgid(key),
                subject=rendered.subject,
                body_text=rendered.body_text,
                body_html=rendered.body_html,
                headers=headers,
                project_id=project_id,
            )
            digest = Digest.objects.create(
                recipient=person, kind=kind, iso_week=slot.iso_week, subject=rendered.subject, content=content, message=row
            )
    except IntegrityError:  # another worker built the same week's digest first
        return None
    return digest


def digest_build(*, person, slot: Slot, now: dt.datetime) -> Digest | None:
    """The client digest of one person for `slot.iso_week`; None when it exists already."""
    built = digest_build_many(due=[(person, slot)], now=now)
    return built[0] if built else None


def _client_headers(person, context: dict) -> dict:
    manager = context["main_manager"]
    return automated_headers(
        kind=MessageKind.DIGEST,
        language=person.language,
        sender_name=str(manager) if manager else None,
        reply_to=manager.email if manager else None,
        list_label="Rapport weekly status",
        list_sub="client-digest",
        unsubscribe=context["unsubscribe_url"],
    )


def digest_build_many(*, due: list[tuple], now: dt.datetime) -> list[Digest]:
    """The client digests of (person, slot) pairs not built yet, stored and queued together; returns the new ones.

    Queries: a fixed number for the whole batch (its data, one INSERT for all its one-click links, one for its
    outbox rows, one for its Digest rows). Each digest is rendered for its reader."""
    if not due:
        return []
    weeks = {slot.iso_week for _person, slot in due}
    done = set(Digest.objects.filter(kind=Digest.Kind.CLIENT, recipient_id__in=[p.pk for p, _s in due], iso_week__in=weeks)
               .values_list("recipient_id", "iso_week"))
    due = [(person, slot) for person, slot in due if (person.pk, slot.iso_week) not in done]
    if not due:
        return []
    people = [person for person, _slot in due]
    contexts = client_digest_contexts(people=people, week_starts={p.pk: s.week_start for p, s in due}, now=now)
    _add_links(people, contexts, now=now)
    lines = inbox.digest_lines(people)
    items, parts, labels = [], {}, {}
    for person, slot in due:
        context = contexts[person.pk]
        context["inbox_lines"] = lines.get(person.pk, [])
        if person.language not in labels:
            labels[person.language] = digest_labels(person.language)
        context["labels"] = labels[person.language]
        context["projects_part"] = _projects_part(person, context, parts)
        rendered = render_email("client_digest", context, language=person.language, time_zone=person.time_zone)
        items.append((person, slot, rendered, context["content"], _client_headers(person, context),
                      context["main_project"].pk if context["main_project"] else None))
    built = _store_many(items)
    inbox.digested({digest.message_id: [line.id for line in lines.get(digest.recipient_id, [])] for digest in built})
    return built


def digest_labels(language: str) -> dict[str, str]:
    """`LABELS` in `language`."""
    with translation.override(language):
        return {key: gettext(text) for key, text in LABELS.items()}


def _projects_part(person, context: dict, parts: dict) -> Part:
    """The digest's projects' part (decisions made, reports, risks, projects at a glance), rendered once per batch for
    all readers who see the same items in the same language and zone; nothing of it is the reader's own."""
    content = context["content"]
    key = (person.language, person.time_zone, bool(context["action_count"]), tuple(content["decisions_made"]),
           tuple(content["reports"]), context["more_reports"], tuple(content["risks"]), tuple(content["projects"]))
    if key not in parts:
        parts[key] = render_part("client_digest/_projects", context, language=person.language, time_zone=person.time_zone)
    return parts[key]


def _add_links(people: list, contexts: dict[int, dict], *, now: dt.datetime) -> None:
    """Make every one-click link of a batch in one INSERT and put their URLs into the readers' contexts: the
    unsubscribe link, and the links of the actions the digest shows (acknowledge or approve; yes, maybe, no)."""
    specs, targets = [], []
    for person in people:
        context = contexts[person.pk]
        specs.append(LinkSpec(person=person, action=A.UNSUBSCRIBE, obj=person, preference="email_digest"))
        targets.append((context, "unsubscribe_url"))
        for item in context["actions"]:
            if item["kind"] == "decision":
                action = A.APPROVE if item["approve"] else A.ACKNOWLEDGE
                specs.append(LinkSpec(person=person, action=action, obj=item["decision"]))
                targets.append((item, "url"))
            elif item["kind"] == "rsvp":
                for action, answer in ((A.RSVP_YES, "yes"), (A.RSVP_MAYBE, "maybe"), (A.RSVP_NO, "no")):
                    specs.append(LinkSpec(person=person, action=action, obj=item["meeting"]))
                    targets.append((item, answer))
    tokens = action_links_create(specs=specs, now=now)
    for (target, key), spec, token in zip(targets, specs, tokens, strict=True):
        target[key] = unsubscribe_url_for(token) if spec.action == A.UNSUBSCRIBE else action_link_url(token)


def _store_many(items: list[tuple]) -> list[Digest]:
    """Digest and outbox rows of a batch in one transaction; one sending task after the commit.
    If a concurrent run stored some of them first, fall back to one by one (each safe on its own)."""
    queued_at = timezone.now()
    rows, digests = [], []
    for person, slot, rendered, content, headers, project_id in items:
        key = f"digest:{person.pk}:{slot.iso_week}"
        row = OutboundMessage(
            kind=MessageKind.DIGEST, recipient=person, to_email=person.email, dedupe_key=key, message_id=msgid(key),
            subject=one_line(rendered.subject, 300), body_text=rendered.body_text, body_html=rendered.body_html,
            headers=headers, attachments=[], payload={}, send_after=queued_at, project_id_ref=project_id,
        )
        rows.append(row)
        digests.append(Digest(recipient=person, kind=Digest.Kind.CLIENT, iso_week=slot.iso_week, subject=rendered.subject,
                              content=content, message=row))
    try:
        with transaction.atomic():
            OutboundMessage.objects.bulk_create(rows)
            for digest, row in zip(digests, rows, strict=True):
                digest.message = row  # the row has its primary key now
            Digest.objects.bulk_create(digests)
    except IntegrityError:
        built = []
        for person, slot, rendered, content, headers, project_id in items:
            digest = _store_and_queue(
                person=person, kind=Digest.Kind.CLIENT, slot=slot, rendered=rendered, content=content,
                message_kind=MessageKind.DIGEST, key=f"digest:{person.pk}:{slot.iso_week}", headers=headers,
                project_id=project_id,
            )
            if digest is not None:
                built.append(digest)
        return built
    transaction.on_commit(partial(outbox_dispatch_many, [row.pk for row in rows]))
    return digests


def manager_digest_build(*, person, slot: Slot, now: dt.datetime) -> Digest | None:
    """The manager digest of one person for `slot.iso_week`; None when it exists already."""
    if Digest.objects.filter(recipient=person, kind=Digest.Kind.MANAGER, iso_week=slot.iso_week).exists():
        return None
    unsubscribe = unsubscribe_url(person=person, preference="email_digest")
    context = manager_digest_context(person=person, week_start=slot.week_start, now=now)
    context["unsubscribe_url"] = unsubscribe
    context["inbox_lines"] = inbox.digest_lines([person]).get(person.pk, [])
    headers = automated_headers(
        kind=MessageKind.MANAGER_DIGEST,
        language=person.language,
        list_label="Rapport engagement health",
        list_sub="manager-digest",
        unsubscribe=unsubscribe,
    )
    rendered = render_email("manager_digest", context, language=person.language, time_zone=person.time_zone)
    digest = _store_and_queue(
        person=person, kind=Digest.Kind.MANAGER, slot=slot, rendered=rendered, content=context.get("content", {}),
        message_kind=MessageKind.MANAGER_DIGEST, key=f"mdigest:{person.pk}:{slot.iso_week}", headers=headers,
        project_id=None,
    )
    if digest is not None:
        inbox.digested({digest.message_id: [line.id for line in context["inbox_lines"]]})
    return digest
