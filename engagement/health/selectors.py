"""Reads of health: always from snapshots and warning rows, never recomputed per request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from engagement.health.config import SIGNALS, get_config
from engagement.health.reasons import SIGNAL_LABELS, current_state, render_reasons
from engagement.models import HealthLevel, HealthOverride, HealthSnapshot, HealthWarning
from projects.models import STAFF_ROLES, Membership
from projects.permissions import ProjectAccess

_SEVERITY_ORDER = Case(
    When(severity=HealthLevel.AT_RISK, then=Value(0)), When(severity=HealthLevel.WATCH, then=Value(1)), default=Value(2), output_field=IntegerField()
)


def _staff_project_ids(user):
    return Membership.objects.filter(user=user, role__in=STAFF_ROLES).values("project_id")


def latest_project_health(project_ids: Iterable[int]) -> dict[int, HealthSnapshot]:
    """{project_id: its latest project-level snapshot} in one query (the provisional week counts as latest)."""
    version = get_config().version
    latest = (
        HealthSnapshot.objects.filter(project=OuterRef("project"), person__isnull=True, algo_version=version)
        .order_by("-iso_year", "-iso_week")
        .values("pk")[:1]
    )
    rows = HealthSnapshot.objects.filter(
        project_id__in=list(project_ids), person__isnull=True, algo_version=version, pk=Subquery(latest)
    ).defer("signals")
    return {row.project_id: row for row in rows}


def open_warnings_for_user(user) -> list[HealthWarning]:
    """Open early warnings on the projects where `user` is staff, worst first (one query). Clients get none."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_client", False):
        return []
    return list(
        HealthWarning.objects.filter(closed_at__isnull=True, project_id__in=_staff_project_ids(user))
        .select_related("project", "project__client", "person")
        .annotate(severity_rank=_SEVERITY_ORDER)
        .order_by("severity_rank", "opened_at")
    )


def active_override(project, person=None, now=None) -> HealthOverride | None:
    now = now or timezone.now()
    return (
        HealthOverride.objects.filter(project=project, person=person, expires_at__gt=now)
        .select_related("set_by")
        .order_by("-set_at")
        .first()
    )


def _snapshot_dict(snap: HealthSnapshot) -> dict:
    return {
        "week": f"{snap.iso_year}-W{snap.iso_week:02d}",
        "as_of": snap.as_of.isoformat(),
        "is_final": snap.is_final,
        "score": float(snap.score) if snap.score is not None else None,
        "level": snap.level,
        "level_raw": snap.level_raw,
        "coverage": float(snap.coverage),
        "approximate": snap.approximate,
        "signals": {code: (snap.signals or {}).get(code, {}).get("sub") for code in SIGNALS},
        "reasons": list(snap.reasons or []),
        "warning": dict(snap.warning or {}),
    }


def _history(project, weeks: int):
    """The last `weeks` project-level and person snapshots, oldest first (one query)."""
    version = get_config().version
    rows = list(
        HealthSnapshot.objects.filter(project=project, algo_version=version)
        .select_related("person")
        .order_by("-iso_year", "-iso_week")[: weeks * 20]
    )
    weeks_seen = sorted({(r.iso_year, r.iso_week) for r in rows})[-weeks:]
    keep = set(weeks_seen)
    return [r for r in reversed(rows) if (r.iso_year, r.iso_week) in keep], weeks_seen


def health_for_project(project, weeks: int = 12) -> dict:
    """Plain dicts for the API: the project's weekly trend, each client person's trend, open warnings."""
    rows, _weeks = _history(project, weeks)
    people: dict = {}
    for r in rows:
        if r.person_id is not None:
            people.setdefault(r.person_id, {"person_id": r.person_id, "name": r.person.display_name, "weeks": []})["weeks"].append(_snapshot_dict(r))
    warnings = HealthWarning.objects.filter(project=project, closed_at__isnull=True).select_related("person")
    return {
        "project_id": project.pk,
        "algo_version": get_config().version,
        "weeks": [_snapshot_dict(r) for r in rows if r.person_id is None],
        "people": list(people.values()),
        "warnings": [
            {
                "person_id": w.person_id,
                "person": w.person.display_name if w.person else None,
                "opened_at": w.opened_at.isoformat(),
                "severity": w.severity,
                "rules": list(w.rules),
                "reasons": list(w.reasons),
            }
            for w in warnings
        ],
    }


@dataclass
class HealthPage:
    latest: HealthSnapshot | None
    reasons: list
    override: HealthOverride | None
    warnings: list
    people: list
    chart: dict
    signal_rows: list
    decision_rows: list
    strip: list


def _decision_rows(latest) -> list:
    sig = ((latest.signals or {}) if latest else {}).get("decisions", {})
    if not sig or sig.get("sub") is None:
        return []
    return [{"n": sig.get("n"), "k": sig.get("k"), "median_days": sig.get("median_days"), "target_days": sig.get("target_days")}]


def project_health_page(access: ProjectAccess, weeks: int = 12) -> HealthPage:
    """The Health tab: trend chart data, signal trends, reasons, people, warnings (a fixed number of queries)."""
    if not access.can_see_health:
        raise Http404
    project = access.project
    rows, week_keys = _history(project, weeks)
    labels = [f"{y}-W{w:02d}" for y, w in week_keys]
    project_rows = {(r.iso_year, r.iso_week): r for r in rows if r.person_id is None}
    latest = project_rows[week_keys[-1]] if week_keys and week_keys[-1] in project_rows else None
    people: dict = {}
    for r in rows:
        if r.person_id is not None:
            people.setdefault(r.person_id, {"person": r.person, "series": {}, "latest": None})
            people[r.person_id]["series"][(r.iso_year, r.iso_week)] = r
            people[r.person_id]["latest"] = r
    series = [project_rows.get(k) for k in week_keys]
    chart = {
        "labels": labels,
        "score": [float(r.score) if r and r.score is not None else None for r in series],
        "levels": [r.level if r else None for r in series],
        "signals": {
            code: {"label": str(SIGNAL_LABELS[code]), "data": [((r.signals or {}).get(code, {}) if r else {}).get("sub") for r in series]}
            for code in SIGNALS
        },
        "people": [
            {"name": p["person"].display_name, "data": [float(s.score) if (s := p["series"].get(k)) and s.score is not None else None for k in week_keys]}
            for p in people.values()
        ],
        "consistency": [((r.signals or {}).get("consistency", {}) if r else {}) for r in series],
        "decisions": [((r.signals or {}).get("decisions", {}) if r else {}).get("median_days") for r in series],
        "decision_target": next((((r.signals or {}).get("decisions", {}) or {}).get("target_days") for r in reversed(series) if r), None),
        "thresholds": {"healthy": get_config().level_healthy, "watch": get_config().level_watch},
    }
    strip = [
        {
            "week": label,
            "held": int(c.get("k", 0) or 0) if c else 0,
            "n": c.get("n", 0) if c else 0,
            "cancelled": c.get("cancelled", 0) if c else 0,
            "rescheduled": c.get("rescheduled", 0) if c else 0,
        }
        for label, c in zip(labels, chart["consistency"], strict=False)
    ]
    signal_rows = [
        {
            "code": code,
            "label": SIGNAL_LABELS[code],
            "values": chart["signals"][code]["data"],
            "latest": chart["signals"][code]["data"][-1] if labels else None,
            "weight": ((latest.signals or {}).get(code, {}) if latest else {}).get("weight"),
        }
        for code in SIGNALS
    ]
    warnings = list(
        HealthWarning.objects.filter(project=project, closed_at__isnull=True)
        .select_related("person", "acknowledged_by")
        .annotate(severity_rank=_SEVERITY_ORDER)
        .order_by("severity_rank", "opened_at")
    )
    pid = project.pk
    now = current_state(
        [(pid, latest.reasons if latest else [])] + [(pid, w.reasons) for w in warnings]
        + [(pid, (p["latest"].reasons or [])[:3]) for p in people.values()]
    )
    return HealthPage(
        latest=latest,
        reasons=render_reasons(latest.reasons if latest else [], current=now, project_id=pid),
        override=active_override(project),
        warnings=[{"warning": w, "reasons": render_reasons(w.reasons, current=now, project_id=pid)} for w in warnings],
        people=[
            {"person": p["person"], "latest": p["latest"],
             "reasons": render_reasons(p["latest"].reasons or [], limit=3, current=now, project_id=pid)}
            for p in sorted(people.values(), key=lambda p: (float(p["latest"].score) if p["latest"].score is not None else 999))
        ],
        chart=chart,
        signal_rows=signal_rows,
        decision_rows=_decision_rows(latest),
        strip=strip,
    )


def attention_list(user) -> list[dict]:
    """The early-warning list across the user's projects: people sorted by severity, exposed due date, opened."""
    if getattr(user, "is_client", False):
        raise Http404
    warnings = open_warnings_for_user(user)

    def exposure_due(w):
        return next((r["params"].get("due") for r in w.reasons if r.get("code") == "warn.exposure"), None) or "9999-12-31"

    warnings.sort(key=lambda w: (w.severity_rank, exposure_due(w), w.opened_at))
    health = latest_project_health({w.project_id for w in warnings})
    now = current_state([(w.project_id, w.reasons) for w in warnings])
    return [
        {"warning": w, "project": w.project, "person": w.person, "health": health.get(w.project_id),
         "reasons": render_reasons(w.reasons, current=now, project_id=w.project_id)}
        for w in warnings
    ]


def staff_only(user) -> None:
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_client", False):
        raise Http404


__all__ = [
    "attention_list",
    "health_for_project",
    "latest_project_health",
    "open_warnings_for_user",
    "project_health_page",
    "staff_only",
]
