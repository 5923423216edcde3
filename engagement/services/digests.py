"""Weekly digests: who is due (their weekday and hour in their own zone), and building one digest.

The periodic job (every 15 min) calls `digest_due_batches`, which names the people whose
slot has come this ISO week and who have no digest for it yet, in batches; each batch
is one task calling `digest_send_batch`. A digest is rendered once into a `Digest` row
(the archive) and sent from that rendering, so retries send the same bytes.
Everything is safe to run twice: one Digest per (person, kind, week), one outbox row per key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from engagement.emails.common import automated_headers
from engagement.models import Digest
from engagement.selectors.digests import client_digest_context, manager_digest_context
from engagement.services.links import unsubscribe_url
from portal.accounts.models import User
from portal.core.time import iso_week, zone
from portal.outbox.email import msgid, render_email
from portal.outbox.models import MessageKind
from portal.outbox.services import outbox_enqueue
from projects.models import CLIENT_ROLES, Project

CATCH_UP = dt.timedelta(days=1)  # a slot missed by downtime is still served within a day


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
    size = batch_size or settings.DIGEST_BATCH_SIZE
    return [
        (kind, ids[i : i + size]) for kind, ids in digest_due(now=now).items() for i in range(0, len(ids), size)
    ]


def digest_send_batch(*, kind: str, person_ids: list[int], now: dt.datetime) -> int:
    """Build and queue the digest of each person in the batch. Safe to run twice; returns how many were new."""
    made = 0
    for person in User.objects.filter(pk__in=person_ids, is_active=True):
        slot = digest_slot(now=now, time_zone=person.time_zone, weekday=person.digest_weekday, hour=person.digest_hour)
        if not (slot.at <= now < slot.at + CATCH_UP):
            continue
        build = digest_build if kind == Digest.Kind.CLIENT else manager_digest_build
        made += int(build(person=person, slot=slot, now=now) is not None)
    return made


def digest_send_due(*, now: dt.datetime | None = None) -> int:
    """Everything due now, in this process (the management command; beat fans out to batch tasks instead)."""
    now = now or timezone.now()
    return sum(digest_send_batch(kind=kind, person_ids=ids, now=now) for kind, ids in digest_due_batches(now=now))


def _store_and_queue(*, person, kind: str, slot: Slot, template: str, context: dict, message_kind: str,
                     key: str, headers: dict, project_id: int | None) -> Digest | None:
    if Digest.objects.filter(recipient=person, kind=kind, iso_week=slot.iso_week).exists():
        return None
    rendered = render_email(template, context, language=person.language, time_zone=person.time_zone)
    try:
        with transaction.atomic():
            digest = Digest.objects.create(
                recipient=person,
                kind=kind,
                iso_week=slot.iso_week,
                subject=rendered.subject,
                body_text=rendered.body_text,
                body_html=rendered.body_html,
                content=context.get("content", {}),
            )
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
            digest.message = row
            digest.save(update_fields=["message"])
    except IntegrityError:  # another worker built the same week's digest first
        return None
    return digest


def digest_build(*, person, slot: Slot, now: dt.datetime) -> Digest | None:
    """The client digest of one person for `slot.iso_week`; None when it exists already."""
    if Digest.objects.filter(recipient=person, kind=Digest.Kind.CLIENT, iso_week=slot.iso_week).exists():
        return None
    unsubscribe = unsubscribe_url(person=person, preference="email_digest")
    context = client_digest_context(person=person, week_start=slot.week_start, now=now)
    context["unsubscribe_url"] = unsubscribe
    manager = context["main_manager"]
    headers = automated_headers(
        kind=MessageKind.DIGEST,
        language=person.language,
        sender_name=str(manager) if manager else None,
        reply_to=manager.email if manager else None,
        list_label="Rapport weekly status",
        list_sub="client-digest",
        unsubscribe=unsubscribe,
    )
    return _store_and_queue(
        person=person, kind=Digest.Kind.CLIENT, slot=slot, template="client_digest", context=context,
        message_kind=MessageKind.DIGEST, key=f"digest:{person.pk}:{slot.iso_week}", headers=headers,
        project_id=context["main_project"].pk if context["main_project"] else None,
    )


def manager_digest_build(*, person, slot: Slot, now: dt.datetime) -> Digest | None:
    """The manager digest of one person for `slot.iso_week`; None when it exists already."""
    if Digest.objects.filter(recipient=person, kind=Digest.Kind.MANAGER, iso_week=slot.iso_week).exists():
        return None
    unsubscribe = unsubscribe_url(person=person, preference="email_digest")
    context = manager_digest_context(person=person, week_start=slot.week_start, now=now)
    context["unsubscribe_url"] = unsubscribe
    headers = automated_headers(
        kind=MessageKind.MANAGER_DIGEST,
        language=person.language,
        list_label="Rapport engagement health",
        list_sub="manager-digest",
        unsubscribe=unsubscribe,
    )
    return _store_and_queue(
        person=person, kind=Digest.Kind.MANAGER, slot=slot, template="manager_digest", context=context,
        message_kind=MessageKind.MANAGER_DIGEST, key=f"mdigest:{person.pk}:{slot.iso_week}", headers=headers,
        project_id=None,
    )
