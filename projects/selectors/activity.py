"""The Activity tab: the project's audit log, filtered by kind and person, a page at a time, grouped by day."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from projects.activity import EDITS, KINDS, Entry, entries, meaningful_keys, people_ids
from projects.models import AuditEvent
from projects.permissions import ProjectAccess

PER_PAGE = 30


@dataclass
class ActivityPage:
    page: Page
    days: list[tuple]  # (date in the reader's zone, [Entry, ...]), newest first


def activity_events(access: ProjectAccess, *, kind: str = "", person: int | None = None) -> QuerySet[AuditEvent]:
    """Newest first. Client people see only what is not internal; edits that changed nothing a person reads are
    left out (a save without a change still moves the row's version)."""
    qs = AuditEvent.objects.filter(project=access.project).visible_to(access).select_related("actor")
    qs = qs.exclude(Q(action__in=EDITS) & ~Q(changes__has_any_keys=meaningful_keys()))
    if kind in KINDS:
        prefixes = Q()
        for prefix in KINDS[kind][1]:
            prefixes |= Q(action__startswith=prefix)
        qs = qs.filter(prefixes)
    if person is not None:
        qs = qs.filter(actor_id=person)
    return qs.order_by("-at", "-id")


def activity_people(access: ProjectAccess) -> QuerySet:
    """Everyone who acted in the project (members past and present), for the person filter."""
    actors = AuditEvent.objects.filter(project=access.project, actor__isnull=False).visible_to(access)
    return get_user_model().objects.filter(pk__in=actors.values("actor_id")).order_by("full_name", "email")


def activity_kinds() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _prefixes) in KINDS.items()]


def _lines(events: list[AuditEvent]) -> list[Entry]:
    ids = people_ids(events)
    people = {p.pk: p for p in get_user_model().objects.filter(pk__in=ids)} if ids else {}
    return entries(events, people)


def activity_recent(access: ProjectAccess, limit: int = 8) -> list[Entry]:
    """The newest lines of the feed (the Overview's "Recent activity")."""
    return _lines(list(activity_events(access)[:limit]))


def activity_page(access: ProjectAccess, *, kind: str = "", person: int | None = None, page: int | str = 1) -> ActivityPage:
    """One page of the feed as sentences: three queries whatever its length (count, rows, the people they name)."""
    paginator = Paginator(activity_events(access, kind=kind, person=person), PER_PAGE)
    current = paginator.get_page(page)
    lines = _lines(list(current.object_list))
    days = [
        (date, list(group))
        for date, group in itertools.groupby(lines, key=lambda line: timezone.localtime(line.event.at).date())
    ]
    return ActivityPage(page=current, days=days)
