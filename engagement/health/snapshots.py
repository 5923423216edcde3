"""Writing snapshots and warnings: the periodic job and the backfill share `snapshot_project`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from engagement.health.config import HealthConfig, get_config
from engagement.health.engine import WEEK, ProjectState, compute_week, iso_of, week_start_of
from engagement.health.history import History
from engagement.health.loader import load_history
from engagement.models import HealthSnapshot, HealthWarning
from projects.models import Project, ProjectStatus


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _warning_dict(row: HealthWarning) -> dict:
    return {
        "id": row.pk,
        "person_id": row.person_id,
        "opened_at": row.opened_at.isoformat(),
        "severity": row.severity,
        "rules": list(row.rules),
        "reasons": list(row.reasons),
        "cusum_at_open": row.cusum_at_open,
        "closed_at": None,
    }


def load_state(project: Project, cfg: HealthConfig, before: tuple[int, int] | None) -> ProjectState:
    """The state after the last final week before `before` (iso year, week): levels, CUSUM, open warnings."""
    state = ProjectState()
    qs = HealthSnapshot.objects.filter(project=project, algo_version=cfg.version, is_final=True)
    if before:
        qs = qs.filter(Q(iso_year__lt=before[0]) | Q(iso_year=before[0], iso_week__lt=before[1]))
    recent = list(qs.order_by("-iso_year", "-iso_week").values("person_id", "iso_year", "iso_week", "score", "level", "warning")[: 200])
    weeks = sorted({(r["iso_year"], r["iso_week"]) for r in recent}, reverse=True)[: cfg.trend_weeks]
    last = weeks[0] if weeks else None
    for r in sorted(recent, key=lambda r: (r["iso_year"], r["iso_week"])):
        if (r["iso_year"], r["iso_week"]) not in weeks:
            continue
        score = float(r["score"]) if r["score"] is not None else None
        if r["person_id"] is None:
            state.scores.append(score)
            if (r["iso_year"], r["iso_week"]) == last:
                state.level = r["level"]
            continue
        state.person_scores.setdefault(r["person_id"], []).append(score)
        if (r["iso_year"], r["iso_week"]) == last:
            ps = state.person(r["person_id"])
            ps.level = r["level"]
            ps.cusum = float((r["warning"] or {}).get("cusum_S") or 0)
            ps.clean_weeks = int((r["warning"] or {}).get("clean_weeks") or 0)
    for row in HealthWarning.objects.filter(project=project, closed_at__isnull=True, person__isnull=False):
        state.person(row.person_id).warning = _warning_dict(row)
    return state


def _save_warnings(project: Project, state: ProjectState) -> None:
    for w in state.touched:
        fields = {
            "severity": w["severity"],
            "rules": w["rules"],
            "reasons": w["reasons"],
            "cusum_at_open": w.get("cusum_at_open"),
            "closed_at": _parse(w.get("closed_at")),
        }
        if w.get("id"):
            HealthWarning.objects.filter(pk=w["id"]).update(**fields)
            continue
        row = HealthWarning(project=project, person_id=w["person_id"], opened_at=_parse(w["opened_at"]), **fields)
        row.full_clean(validate_constraints=False)
        row.save()
        w["id"] = row.pk
    state.touched = []


def _snapshot(row: dict) -> HealthSnapshot:
    return HealthSnapshot(
        project_id=row["project_id"],
        person_id=row["person_id"],
        iso_year=row["iso_year"],
        iso_week=row["iso_week"],
        as_of=row["as_of"],
        is_final=row["is_final"],
        algo_version=row["algo_version"],
        score=Decimal(str(row["score"])) if row["score"] is not None else None,
        level=row["level"],
        level_raw=row["level_raw"],
        coverage=Decimal(str(row["coverage"])),
        signals=row["signals"],
        reasons=row["reasons"],
        warning=row["warning"],
        approximate=row["approximate"],
    )


@transaction.atomic
def snapshot_project(
    *,
    project: Project,
    now: dt.datetime | None = None,
    since: dt.datetime | None = None,
    recompute: bool = False,
    provisional: bool = True,
    config: HealthConfig | None = None,
    history: History | None = None,
    on_week: Callable[[], None] | None = None,
) -> int:
    """Finalise every closed week without a final snapshot (oldest first), then the provisional current week.

    Idempotent: a second run for the same period writes no new final snapshot. With
    `recompute`, this version's snapshots and the warnings from `since` on are rebuilt.
    Returns the number of weeks finalised.
    """
    cfg = config or get_config()
    now = now or timezone.now()
    Project.objects.select_for_update().filter(pk=project.pk).exists()
    h = history or load_history(project, now)
    current = week_start_of(h, now)
    first = week_start_of(h, max(h.started_at, since or h.started_at, current - cfg.backfill_max_weeks * WEEK))
    if recompute:
        year, week = iso_of(h, first)
        later = Q(iso_year__gt=year) | Q(iso_year=year, iso_week__gte=week)
        HealthSnapshot.objects.filter(later, project=project, algo_version=cfg.version).delete()
        HealthWarning.objects.filter(project=project, opened_at__gte=first).delete()
        HealthWarning.objects.filter(project=project, closed_at__gte=first).update(closed_at=None)
    else:
        done = set(
            HealthSnapshot.objects.filter(project=project, algo_version=cfg.version, is_final=True, person__isnull=True).values_list(
                "iso_year", "iso_week"
            )
        )
        latest = max(done, default=None)
        start = first
        while start < current and latest and iso_of(h, start) <= latest:
            start = h.shift_days(start, 7)
        first = start
    state = load_state(project, cfg, iso_of(h, first))
    rows: list = []
    weeks = 0
    start = first
    grace = dt.timedelta(days=cfg.report_grace_days)
    while h.shift_days(start, 7) + grace <= now:  # a week is final once its last reports' grace has passed
        week_rows, state = compute_week(project, h.shift_days(start, 7), state, history=h, config=cfg, final=True)
        rows.extend(week_rows)
        weeks += 1
        start = h.shift_days(start, 7)
        if on_week:
            on_week()
    if provisional and start <= now:
        week_rows, state = compute_week(project, now, state, history=h, config=cfg, final=False)
        rows.extend(week_rows)
    _save_warnings(project, state)
    keys = {(r["iso_year"], r["iso_week"]) for r in rows}
    if keys:
        stale = Q()
        for year, week in keys:
            stale |= Q(iso_year=year, iso_week=week)
        HealthSnapshot.objects.filter(stale, project=project, algo_version=cfg.version).delete()
        HealthSnapshot.objects.bulk_create([_snapshot(r) for r in rows], batch_size=500)
    return weeks


def active_projects():
    return Project.objects.exclude(status__in=[ProjectStatus.COMPLETED, ProjectStatus.CANCELLED]).filter(archived_at__isnull=True)


def snapshot_project_id(*, project_id: int, now: dt.datetime | None = None) -> int:
    project = Project.objects.select_related("client").filter(pk=project_id).first()
    if project is None:
        return 0
    return snapshot_project(project=project, now=now)
