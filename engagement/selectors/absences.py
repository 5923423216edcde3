"""Reads of absences and quiet periods: who is away on a day, which projects are quiet, a person's list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from engagement.models import Absence, QuietPeriod, Stakeholder
from portal.core.time import zone
from portal.outbox.models import Suppression
from portal.outbox.suppressions import normalise, suppressed_among


@dataclass(frozen=True)
class Unreachable:
    """A person whose e-mail address is undeliverable (it bounced, or they complained): while it lasts, what they
    would be asked goes to their backup at once, as during an absence that has no end."""

    suppression: Suppression
    undeliverable: bool = True
    ends_on: None = None


def unreachable_among(people: Iterable) -> dict[int, Unreachable]:
    """Of `people`, those whose address is suppressed (id -> Unreachable), in one query."""
    people = list(people)
    suppressed = suppressed_among(p.email for p in people)
    return {p.pk: Unreachable(suppressed[normalise(p.email)]) for p in people if normalise(p.email) in suppressed}


def unavailable_on(*, people: Iterable, days: dict[int, dt.date]) -> dict[int, Absence | Unreachable]:
    """Who cannot be asked today: away (an absence covers their local day) or unreachable by e-mail."""
    return {**away_on(days=days), **unreachable_among(people)}


def absence_list_for(*, user) -> list[Absence]:
    """The person's absences, the latest first (past ones are kept)."""
    return list(Absence.objects.filter(user=user).order_by("-starts_on"))


def away_on(*, days: dict[int, dt.date]) -> dict[int, Absence]:
    """For each person id -> their local day, the absence covering that day (if any)."""
    if not days:
        return {}
    earliest, latest = min(days.values()), max(days.values())
    out = {}
    for absence in Absence.objects.filter(user_id__in=days, starts_on__lte=latest, ends_on__gte=earliest).order_by("starts_on"):
        if absence.starts_on <= days[absence.user_id] <= absence.ends_on:
            out[absence.user_id] = absence
    return out


def away_between(*, user_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, Absence]:
    """Each person's absence overlapping the days `start`…`end` (the first one when several do)."""
    out: dict[int, Absence] = {}
    for absence in Absence.objects.filter(user_id__in=list(user_ids), starts_on__lte=end, ends_on__gte=start).order_by("starts_on"):
        out.setdefault(absence.user_id, absence)
    return out


def quiet_days(*, project_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, list[tuple[dt.date, dt.date]]]:
    """Each project's quiet periods overlapping `start`…`end`, as (first day, last day)."""
    out: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for project_id, first, last in QuietPeriod.objects.filter(
        project_id__in=list(project_ids), starts_on__lte=end, ends_on__gte=start
    ).values_list("project_id", "starts_on", "ends_on"):
        out.setdefault(project_id, []).append((first, last))
    return out


def is_quiet(spans: dict[int, list[tuple[dt.date, dt.date]]], project_id: int, day: dt.date) -> bool:
    return any(first <= day <= last for first, last in spans.get(project_id, ()))


def quiet_period_list(*, project) -> list[QuietPeriod]:
    return list(QuietPeriod.objects.filter(project=project).order_by("-starts_on"))


def team_absences(*, project) -> list[Absence]:
    """The absences of the project's members, the latest first."""
    return list(Absence.objects.filter(user__memberships__project=project).select_related("user").order_by("-starts_on", "user__full_name"))


def backups_of(*, user) -> list:
    """(project, backup person) for every plan naming this person primary with a backup: who covers while they are away."""
    return [
        (s.plan.project, s.user)
        for s in Stakeholder.objects.filter(backup_for__user=user, user__isnull=False, user__is_active=True)
        .select_related("plan__project", "user").order_by("plan__project__name")
    ]


def away_and_covering(*, project_id: int, people: list, now: dt.datetime) -> tuple[dict[int, Absence], dict[int, list]]:
    """Of `people`, who is away on their local day or unreachable by e-mail (id -> absence), and for each backup in the project's plan the
    away primaries they cover (backup id -> [(primary, absence)]): a request to an away person goes to their backup."""
    away = unavailable_on(people=people, days={p.pk: now.astimezone(zone(p.time_zone)).date() for p in people})
    covering: dict[int, list] = {}
    if away:
        for s in Stakeholder.objects.filter(plan__project_id=project_id, backup_for__user_id__in=away, user__isnull=False).select_related(
            "backup_for__user"
        ):
            primary = s.backup_for.user
            covering.setdefault(s.user_id, []).append((primary, away[primary.pk]))
    return away, covering
