"""`compute_week`: one week of one project, from history and last week's state, with no queries.

Weeks are processed oldest first because the state carries hysteresis, the CUSUM
and open warnings forward (health.md §2.11).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engagement.health import score as sc
from engagement.health import signals as sg
from engagement.health import warnings as wr
from engagement.health.config import HealthConfig, get_config
from engagement.health.history import DAY, History
from engagement.health.loader import load_history
from engagement.health.reasons import build_reasons
from engagement.models import HealthLevel

WEEK = 7 * DAY
_SEVERITY_RANK = {HealthLevel.AT_RISK: 0, HealthLevel.WATCH: 1}


@dataclass
class ProjectState:
    persons: dict = field(default_factory=dict)  # pid -> PersonState
    level: str = HealthLevel.UNKNOWN
    scores: list = field(default_factory=list)  # recent final project scores, oldest first
    person_scores: dict = field(default_factory=dict)
    steps: dict = field(default_factory=dict)  # pid -> recent CUSUM steps
    touched: list = field(default_factory=list)  # warning dicts opened, changed or closed in this run

    def person(self, pid: int) -> wr.PersonState:
        return self.persons.setdefault(pid, wr.PersonState())


def week_start_of(h: History, instant: dt.datetime) -> dt.datetime:
    """Monday 00:00 (home time zone) of the ISO week containing `instant`, in UTC."""
    local = instant.astimezone(h.tz)
    monday = local.date() - dt.timedelta(days=local.weekday())
    return h.local_midnight(monday)


def iso_of(h: History, week_start: dt.datetime) -> tuple[int, int]:
    year, week, _ = week_start.astimezone(h.tz).date().isocalendar()
    return year, week


def _trend(scores: list, current: float | None, cfg: HealthConfig) -> dict | None:
    if current is None or len(scores) < cfg.trend_weeks or scores[-cfg.trend_weeks] is None:
        return None
    before = scores[-cfg.trend_weeks]
    if before - current < cfg.trend_reason_drop:
        return None
    return {"drop": round(before - current, 1), "from": before, "to": current}


def _touch(state: ProjectState, warning: dict | None) -> None:
    if warning is not None and not any(w is warning for w in state.touched):
        state.touched.append(warning)


def _warning_reasons(warnings: list) -> list:
    def key(w):
        exposure = next((r["params"].get("due") for r in w["reasons"] if r["code"] == "warn.exposure"), None) or "9999"
        return (_SEVERITY_RANK.get(w["severity"], 2), exposure, w["opened_at"])

    out = []
    for w in sorted(warnings, key=key):
        out.extend(w["reasons"])
    return out


def _entity(h, cfg, as_of, pid, previous_level, scores, warnings, extra_cap=None) -> dict:
    signals = sg.compute_signals(h, cfg, as_of, pid)
    scope = sc.scope_for(signals, project=pid is None)
    score, coverage = sc.composite(signals, cfg, scope)
    raw = sc.level_from_score(score, coverage, cfg)
    level = sc.apply_hysteresis(raw, score, coverage, previous_level, cfg)
    if warnings:
        level = sc.cap(level, HealthLevel.WATCH)
    if signals["overdue"].get("max_days", 0) > cfg.overdue_cap_days:
        level = sc.cap(level, HealthLevel.WATCH)
    if extra_cap:
        level = sc.cap(level, extra_cap)
    reasons = build_reasons(
        signals, scope, cfg, warnings=_warning_reasons(warnings), level=level, trend=_trend(scores, score, cfg), coverage=coverage
    )
    for code in signals:
        signals[code]["weight"] = cfg.weight(code) if code in scope else 0
    return {"signals": signals, "score": score, "coverage": coverage, "level_raw": raw, "level": level, "reasons": reasons}


def _project_cap(h: History, cfg: HealthConfig, state: ProjectState, as_of: dt.datetime, accountable: dict) -> str | None:
    """At risk when nobody covers: R1 on the primary while the backup is silent too, or R1 on everyone."""
    silent = {pid for pid, ps in state.persons.items() if ps.warning and "R1" in ps.warning["rules"] and pid in accountable}
    if not silent:
        return None
    if accountable and silent >= set(accountable):
        return HealthLevel.AT_RISK
    if h.primary_id in silent:
        for backup in h.backup_ids:
            days, _acted = sg.silent_days(h, backup, as_of)
            if days < (accountable.get(backup) or cfg.e_min_days):
                return None
        if h.backup_ids:
            return HealthLevel.AT_RISK
    return None


def compute_week(
    project, as_of: dt.datetime, prev_state: ProjectState | None, *, history: History | None = None, config: HealthConfig | None = None, final: bool = True
) -> tuple[list[dict], ProjectState]:
    """Snapshots (dicts ready for `HealthSnapshot`) for the week ending at `as_of`, and the state after it.

    With `final=False` the week is still running: R1 is checked at `as_of`, the CUSUM is not advanced.
    """
    cfg = config or get_config()
    h = history or load_history(project, as_of)
    state = prev_state or ProjectState()
    week_start = week_start_of(h, as_of - dt.timedelta(seconds=1))
    year, week = iso_of(h, week_start)
    members = [pid for pid, p in h.persons.items() if p.joined_at < as_of]
    approximate = any(t.approximate_at(as_of) for t in h.tasks)
    new_project = (as_of - h.started_at).days < cfg.new_days
    rows: list = []
    accountable: dict = {}
    for pid in members:
        ps = state.person(pid)
        if final:
            for i in range(1, 7):
                moment = h.shift_days(week_start, i)
                if moment > h.persons[pid].joined_at:
                    wr.daily_check(h, cfg, pid, ps, moment)
            step = wr.weekly_check(h, cfg, pid, ps, week_start, as_of, state.steps.get(pid, []))
            state.steps[pid] = (state.steps.get(pid, []) + [step])[-3:]
            _touch(state, step.get("closed"))
        else:
            step = {}
            wr.daily_check(h, cfg, pid, ps, as_of)
            ps.fired_this_week = False
        _touch(state, ps.warning)
        e = sg.expected_interval(h, cfg, pid, as_of)
        if e is not None:
            accountable[pid] = e
        warnings = [ps.warning] if ps.warning else []
        entity = _entity(h, cfg, as_of, pid, ps.level, state.person_scores.get(pid, []), warnings)
        if ps.warning and entity["score"] is not None and entity["score"] < cfg.level_watch and ps.warning["severity"] != HealthLevel.AT_RISK:
            ps.warning["severity"] = HealthLevel.AT_RISK
        silence, _acted = sg.silent_days(h, pid, as_of)
        entity["signals"]["_meta"] = {
            "new": (as_of - h.persons[pid].joined_at).days < cfg.new_days,
            "accountable": e is not None,
            "E": e,
        }
        entity["warning"] = {
            "open": ps.warning is not None,
            "rules": list(ps.warning["rules"]) if ps.warning else [],
            "severity": ps.warning["severity"] if ps.warning else None,
            "opened_at": ps.warning["opened_at"] if ps.warning else None,
            "cusum_S": ps.cusum,
            "p0": step.get("p0"),
            "h": step.get("h"),
            "met": step.get("met"),
            "missed": step.get("missed"),
            "silence_days": round(silence, 1),
            "clean_weeks": ps.clean_weeks,
        }
        if final:
            ps.level = entity["level"]
            state.person_scores[pid] = (state.person_scores.get(pid, []) + [entity["score"]])[-cfg.trend_weeks :]
        rows.append({"person_id": pid, **entity})
    open_warnings = [state.persons[pid].warning for pid in members if state.persons[pid].warning and pid in accountable]
    project_entity = _entity(h, cfg, as_of, None, state.level, state.scores, open_warnings, _project_cap(h, cfg, state, as_of, accountable))
    project_entity["signals"]["_meta"] = {"new": new_project, "accountable": len(accountable), "persons": len(members)}
    worst = min((_SEVERITY_RANK.get(w["severity"], 2) for w in open_warnings), default=None)
    project_entity["warning"] = {
        "open": bool(open_warnings),
        "count": len(open_warnings),
        "severity": [HealthLevel.AT_RISK, HealthLevel.WATCH][worst] if worst is not None else None,
    }
    if final:
        state.level = project_entity["level"]
        state.scores = (state.scores + [project_entity["score"]])[-cfg.trend_weeks :]
    rows.append({"person_id": None, **project_entity})
    for row in rows:
        row.update(
            project_id=h.project_id,
            iso_year=year,
            iso_week=week,
            as_of=as_of,
            is_final=final,
            algo_version=cfg.version,
            approximate=approximate,
        )
    return rows, state
