"""Early warning (health.md §3): R1 "gone quiet" checked daily, R2 Bernoulli CUSUM at each week end.

Pure functions over a `History`; the lifecycle works on plain `PersonState`
objects that `snapshots` persists as `HealthWarning` rows and snapshot JSON.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from engagement.health.config import HealthConfig
from engagement.health.history import DAY, OPEN, History
from engagement.health.signals import expected_interval, silent_days
from engagement.models import HealthLevel

WEEK = 7 * DAY


@dataclass
class PersonState:
    cusum: float = 0.0
    level: str = HealthLevel.UNKNOWN
    clean_weeks: int = 0
    warning: dict | None = None  # the open warning: opened_at, severity, rules, reasons, cusum_at_open
    fired_this_week: bool = False

    def as_json(self) -> dict:
        return {"cusum": self.cusum, "level": self.level, "clean_weeks": self.clean_weeks, "warning": self.warning}


@dataclass
class Obligations:
    met: int = 0
    missed: int = 0
    details: list = field(default_factory=list)  # [(kind, label, met)]

    @property
    def due(self) -> int:
        return self.met + self.missed

    def add(self, kind: str, label: str, met: bool) -> None:
        self.details.append((kind, label, met))
        if met:
            self.met += 1
        else:
            self.missed += 1


def obligations(h: History, cfg: HealthConfig, pid: int, start: dt.datetime, end: dt.datetime, judged_at: dt.datetime) -> Obligations:
    """The person's commitments that fell due in the week (start, end], judged at `judged_at` (§2.3). Memoised."""
    key = ("obligations", pid, start, end, judged_at, cfg.report_grace_days)
    if key not in h.cache:
        h.cache[key] = _obligations(h, cfg, pid, start, end, judged_at)
    return h.cache[key]


def _obligations(h: History, cfg: HealthConfig, pid: int, start: dt.datetime, end: dt.datetime, judged_at: dt.datetime) -> Obligations:
    out = Obligations()
    grace = cfg.report_grace_days * DAY
    for task in h.tasks:
        cadence = task.cadence_days * DAY
        first = task.assigned_at(start).astimezone(h.tz)

        def point(i: int, first=first, cadence=cadence) -> dt.datetime:
            # Due points step in local days from the assignment (aware arithmetic keeps the wall-clock time),
            # so a DST change does not push a Monday-00:00 due point into the next week.
            return (first + i * cadence).astimezone(dt.UTC)

        k = max(1, math.floor((start - first) / cadence) + 1)
        while k > 1 and point(k - 1) > start:
            k -= 1
        while point(k) <= start:
            k += 1
        due = point(k)
        # A due point on the week boundary belongs to the week that ends there: its report window is that week.
        while due <= end:
            state = task.state_at(due)
            if state and state[1] == pid and state[0] in OPEN and not h.is_excused(pid, due):
                met = task.report_in(point(k - 1), (due.astimezone(h.tz) + grace).astimezone(dt.UTC))
                if met or due + grace <= judged_at:
                    out.add("report", task.title, met)
            k += 1
            due = point(k)
    for m in h.meetings:
        if m.status == "held" and start <= m.starts_at < end and m.invited.get(pid) is not None:
            if not h.is_excused(pid, m.starts_at):
                out.add("meeting", m.starts_at.isoformat(), bool(m.invited[pid]))
    target = dt.timedelta(hours=h.plan.response_hours if h.plan else 48)
    for d in h.decisions:
        due = d.requested_at + target
        if pid in d.addressees and start <= due < end and not h.is_excused(pid, due):
            answer = d.responses.get(pid)
            if d.withdrawn(due, answer):
                continue
            out.add("decision", d.title, answer is not None and answer <= due)
    return out


def longest_gap(h: History, pid: int, until: dt.datetime) -> float:
    """The longest gap between consecutive actions up to `until` (excused time removed); prefix maxima are memoised."""
    key = ("gaps", pid)
    if key not in h.cache:
        times = h.actions.get(pid, [])
        best, prefix = 0.0, [0.0]
        for a, b in zip(times, times[1:], strict=False):
            best = max(best, h.net_days(pid, a, b))
            prefix.append(best)
        h.cache[key] = prefix
    count = len(h.actions_before(pid, until))
    return h.cache[key][count - 1] if count else 0.0


def r1_check(h: History, cfg: HealthConfig, pid: int, at: dt.datetime) -> dict | None:
    """R1 at `at`: the silence facts when the person has been quiet too long, else None."""
    if h.persons[pid].joined_at > at:
        return None
    e = expected_interval(h, cfg, pid, at)
    if e is None:
        return None
    days, acted = silent_days(h, pid, at)
    gap = longest_gap(h, pid, at - cfg.r1_guard_days * DAY)
    threshold = min(cfg.r1_cap_multiple * e, max(cfg.r1_min_multiple * e, cfg.r1_adaptation * gap))
    if days <= threshold:
        return None
    return {"days": int(days), "usual": int(round(e)), "acted": acted, "threshold": round(threshold, 1)}


def exposure(h: History, cfg: HealthConfig, pid: int, at: dt.datetime) -> dict | None:
    """A task of the person due soon whose report is stale (lowers R2's threshold)."""
    today = at.astimezone(h.tz).date()
    best = None
    for task, (status, _owner, due) in h.client_tasks_at(at, owner=pid):
        if status not in OPEN or due is None or (due - today).days > cfg.exposure_days:
            continue
        if task.assigned_at(at) > at - task.cadence_days * DAY:
            continue
        last = task.last_report_before(at)
        if h.net_days(pid, last or task.assigned_at(at), at) <= task.cadence_days + cfg.report_grace_days:
            continue
        if best is None or due < best[0]:
            best = (due, task, last)
    if best is None:
        return None
    due, task, last = best
    return {
        "task": task.title,
        "task_id": task.id,
        "days_to_due": (due - today).days,
        "due": due.isoformat(),
        "last_report": last.astimezone(h.tz).date().isoformat() if last else None,
    }


def _week_is_absent(h: History, pid: int, start: dt.datetime, end: dt.datetime) -> bool:
    return not h.acted_in(pid, start, end)


def _fully_excused(h: History, pid: int, start: dt.datetime, end: dt.datetime) -> bool:
    return h.excused_seconds(pid, start, end) >= (end - start).total_seconds() - 1


def baseline_p0(h: History, cfg: HealthConfig, pid: int, week_start: dt.datetime) -> tuple[float, int, int]:
    """(p0, missed, total) over weeks t−12…t−4, leaving out excused and fully absent weeks."""
    missed = total = 0
    for back in range(cfg.r2_baseline_to, cfg.r2_baseline_from + 1):
        ws = h.shift_days(week_start, -7 * back)
        we = h.shift_days(ws, 7)
        if ws < h.persons[pid].joined_at - WEEK or _fully_excused(h, pid, ws, we) or _week_is_absent(h, pid, ws, we):
            continue
        ob = obligations(h, cfg, pid, ws, we, we + cfg.report_grace_days * DAY)
        missed += ob.missed
        total += ob.due
    return p0_from(missed, total, cfg), missed, total


def p0_from(missed: int, total: int, cfg: HealthConfig) -> float:
    p0 = (missed + cfg.r2_prior_weight * cfg.r2_prior) / (total + cfg.r2_prior_weight)
    return min(cfg.r2_p0_max, max(cfg.r2_p0_min, p0))


def increments(p0: float, cfg: HealthConfig) -> tuple[float, float]:
    """(inc_miss, inc_met) of the Bernoulli CUSUM tuned to an odds ratio of `cfg.r2_odds_ratio`."""
    odds1 = cfg.r2_odds_ratio * p0 / (1 - p0)
    p1 = odds1 / (1 + odds1)
    return math.log(p1 / p0), math.log((1 - p1) / (1 - p0))


def cusum_update(previous: float, *, met: int, missed: int, present: bool, excused: bool, inc_miss: float, inc_met: float) -> float:
    """One week: excused weeks freeze S; an absent week adds at most one miss (absence is R1's job)."""
    if excused:
        return previous
    if present:
        return max(0.0, previous + missed * inc_miss + met * inc_met)
    if met + missed:
        return max(0.0, previous + inc_miss)
    return previous


def cusum_step(h: History, cfg: HealthConfig, pid: int, week_start: dt.datetime, previous: float) -> dict:
    """One weekly CUSUM update for the week starting at `week_start`; returns S, p0 and the week's facts."""
    we = h.shift_days(week_start, 7)
    p0, base_missed, base_total = baseline_p0(h, cfg, pid, week_start)
    inc_miss, inc_met = increments(p0, cfg)
    ob = obligations(h, cfg, pid, week_start, we, we + cfg.report_grace_days * DAY)
    present = not _week_is_absent(h, pid, week_start, we)
    s = cusum_update(
        previous, met=ob.met, missed=ob.missed, present=present, excused=_fully_excused(h, pid, week_start, we), inc_miss=inc_miss, inc_met=inc_met
    )
    usual = round(1 / p0) if p0 > 0 else 0
    return {
        "S": round(s, 3),
        "p0": round(p0, 4),
        "inc_miss": round(inc_miss, 3),
        "inc_met": round(inc_met, 3),
        "met": ob.met,
        "missed": ob.missed,
        "present": present,
        "base_missed": base_missed,
        "base_total": base_total,
        "usual_one_in": usual,
    }


def open_or_escalate(state: PersonState, *, pid: int, at: dt.datetime, severity: str, rule: str, reasons: list, cusum: float) -> None:
    if state.warning is None:
        state.warning = {
            "person_id": pid,
            "opened_at": at.isoformat(),
            "severity": severity,
            "rules": [rule],
            "reasons": reasons,
            "cusum_at_open": round(cusum, 3),
            "closed_at": None,
        }
        state.clean_weeks = 0
        return
    warning = state.warning
    if rule not in warning["rules"]:
        warning["rules"].append(rule)
    if severity == HealthLevel.AT_RISK and warning["severity"] != HealthLevel.AT_RISK:
        warning["severity"] = HealthLevel.AT_RISK
    codes = {r["code"] for r in reasons}
    warning["reasons"] = reasons + [r for r in warning["reasons"] if r["code"] not in codes]


def silence_reasons(h: History, cfg: HealthConfig, pid: int, at: dt.datetime, facts: dict) -> list:
    person = h.persons[pid]
    if facts["acted"]:
        reasons = [
            {"code": "warn.silence", "severity": HealthLevel.AT_RISK, "params": {"person": person.name, "person_id": pid, "days": facts["days"], "usual": facts["usual"]}}
        ]
    else:
        reasons = [
            {"code": "warn.never_started", "severity": HealthLevel.AT_RISK, "params": {"person": person.name, "person_id": pid, "days": facts["days"]}}
        ]
    exposed = exposure(h, cfg, pid, at)
    if exposed:
        reasons.append({"code": "warn.exposure", "severity": HealthLevel.AT_RISK, "params": exposed})
    return reasons


def drift_reasons(h: History, cfg: HealthConfig, pid: int, step: dict, exposed: dict | None, weeks: list) -> list:
    missed = sum(w["missed"] for w in weeks)
    due = sum(w["missed"] + w["met"] for w in weeks)
    reasons = [
        {
            "code": "warn.drift",
            "severity": HealthLevel.WATCH,
            "params": {
                "person": h.persons[pid].name,
                "person_id": pid,
                "missed": missed,
                "due": due,
                "weeks": len(weeks),
                "usual_one_in": step["usual_one_in"],
            },
        }
    ]
    if exposed:
        reasons.append({"code": "warn.exposure", "severity": HealthLevel.WATCH, "params": exposed})
    return reasons


def daily_check(h: History, cfg: HealthConfig, pid: int, state: PersonState, at: dt.datetime) -> None:
    """R1 at one moment: opens a warning at `at` or escalates an open one."""
    facts = r1_check(h, cfg, pid, at)
    if facts is None:
        return
    state.fired_this_week = True
    open_or_escalate(state, pid=pid, at=at, severity=HealthLevel.AT_RISK, rule="R1", reasons=silence_reasons(h, cfg, pid, at, facts), cusum=state.cusum)


def weekly_check(h: History, cfg: HealthConfig, pid: int, state: PersonState, week_start: dt.datetime, as_of: dt.datetime, recent: list) -> dict:
    """R2 and R1 at the end of the week, then the clearing rule. `recent` holds earlier weeks' CUSUM steps."""
    step = cusum_step(h, cfg, pid, week_start, state.cusum)
    state.cusum = step["S"]
    exposed = exposure(h, cfg, pid, as_of)
    h_t = cfg.r2_h_exposed if exposed else cfg.r2_h
    step["h"] = h_t
    step["exposed"] = exposed
    daily_check(h, cfg, pid, state, as_of)
    r2 = state.cusum >= h_t
    if r2:
        state.fired_this_week = True
        weeks = (recent + [step])[-3:]
        open_or_escalate(state, pid=pid, at=as_of, severity=HealthLevel.WATCH, rule="R2", reasons=drift_reasons(h, cfg, pid, step, exposed, weeks), cusum=state.cusum)
    clean = not state.fired_this_week and step["present"] and step["missed"] <= cfg.clear_max_missed
    step["clean"] = clean
    if state.warning is not None:
        state.clean_weeks = state.clean_weeks + 1 if clean else 0
        if state.clean_weeks >= cfg.clear_clean_weeks:
            state.warning["closed_at"] = as_of.isoformat()
            state.cusum = 0.0
            state.clean_weeks = 0
            step["closed"] = state.warning
            state.warning = None
    else:
        state.clean_weeks = 0
    state.fired_this_week = False
    return step
