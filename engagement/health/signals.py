"""The eight signals of health.md §2.4, computed from a loaded `History` (no queries).

Each function takes the entity (`pid` = a client person's id, or None for the
project, pooled) and returns a dict: `sub` (0–100, or None when N/A), the raw
counts it came from, and `reason` / `positive` (code and parameters) built from
the same numbers, so the words can never disagree with the score.
"""

from __future__ import annotations

import datetime as dt
import statistics

from engagement.health.config import HealthConfig, half_up
from engagement.health.history import DAY, OPEN, History
from projects.models import TaskStatus


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


def _na(**raw) -> dict:
    return {"sub": None, "na": True, **raw}


def _r(value: float, digits: int = 1) -> float:
    """Half-up rounding to `digits` decimals (96.25 → 96.3, as docs/health.md shows it)."""
    return half_up(value, digits)


def _person_name(h: History, pid: int | None) -> str:
    return h.persons[pid].name if pid in h.persons else ""


# --- S1 report freshness --------------------------------------------------------------------------
def freshness(h: History, cfg: HealthConfig, as_of: dt.datetime, pid: int | None) -> dict:
    n = k = 0
    stale: list = []
    for task, (status, owner, _due) in h.client_tasks_at(as_of, owner=pid):
        if status not in OPEN or task.created_at > as_of - task.cadence_days * DAY:
            continue
        n += 1
        last = task.last_report_before(as_of)
        age = h.net_days(owner, last or task.created_at, as_of)
        if last is not None and age <= task.cadence_days + cfg.report_grace_days:
            k += 1
        else:
            stale.append((age, task))
    if n == 0:
        return _na(n=0, k=0)
    out = {"sub": _r(100 * cfg.shrink(k, n)), "na": False, "n": n, "k": k}
    if stale:
        age, task = max(stale, key=lambda item: item[0])
        out["reason"] = {"stale": len(stale), "n": n, "task": task.title, "task_id": task.id, "days": int(age)}
    else:
        out["positive"] = {"n": n}
    return out


# --- S2 decision responsiveness -------------------------------------------------------------------
def _requests(h: History, cfg: HealthConfig, as_of: dt.datetime, pid: int | None):
    target = dt.timedelta(hours=h.plan.response_hours if h.plan else 48)
    start = as_of - cfg.window_days * DAY
    lookback = as_of - cfg.decision_lookback_weeks * 7 * DAY
    for d in h.decisions:
        if d.requested_at >= as_of:
            continue
        if pid is not None:
            if pid not in d.addressees:
                continue
            answer = d.responses.get(pid)
            owner = pid
        else:
            answer = d.first_answer()
            owner = d.addressees[0] if len(d.addressees) == 1 else None
        due = d.requested_at + target
        answered = answer if answer is not None and answer <= as_of else None
        if d.withdrawn(due, answered):
            continue
        in_window = start <= due < as_of
        still_open = answered is None and due < as_of and d.requested_at >= lookback and d.asks_at(as_of)
        if not (in_window or still_open) or h.is_excused(owner, due):
            continue
        yield d, owner, due, answered, target


def decisions(h: History, cfg: HealthConfig, as_of: dt.datetime, pid: int | None) -> dict:
    n = k = 0
    ratios: list = []
    latencies: list = []
    waiting: list = []
    for d, owner, due, answered, target in _requests(h, cfg, as_of, pid):
        n += 1
        if answered is not None and answered <= due:
            k += 1
        open_now = d.asks_at(as_of)
        days = h.net_days(owner, d.requested_at, answered or (as_of if open_now else d.closed_at))
        ratios.append(days / (target.total_seconds() / 86400))
        latencies.append(days)
        if answered is None and open_now:
            waiting.append((days, d))
    if n == 0:
        return _na(n=0, k=0)
    median_ratio = statistics.median(ratios)
    share = 100 * cfg.shrink(k, n)
    span = cfg.latency_zero_ratio - cfg.latency_full_ratio
    latency = 100 * _clip((cfg.latency_zero_ratio - median_ratio) / span)
    sub = (1 - cfg.latency_share) * share + cfg.latency_share * latency
    target_days = _r((h.plan.response_hours if h.plan else 48) / 24)
    out = {
        "sub": _r(sub),
        "na": False,
        "n": n,
        "k": k,
        "answered_share": _r(share),
        "latency_points": _r(latency),
        "median_ratio": _r(median_ratio, 2),
        "median_days": _r(statistics.median(latencies)),
        "target_days": target_days,
    }
    if waiting:
        days, d = max(waiting, key=lambda item: item[0])
        people = d.addressees if pid is None else [pid]
        out["reason"] = {
            "code": "decisions.waiting",
            "title": d.title,
            "decision_id": d.id,
            "days": int(days),
            "person": ", ".join(_person_name(h, p) for p in people),
            "target": target_days,
        }
    elif k < n:
        out["reason"] = {
            "code": "decisions.late",
            "late": n - k,
            "n": n,
            "target": target_days,
            "median": _r(statistics.median(latencies)),
        }
    else:
        out["positive"] = {"median": _r(statistics.median(latencies)), "target": target_days}
    return out


# --- S3 recency -----------------------------------------------------------------------------------
def expected_interval(h: History, cfg: HealthConfig, pid: int, as_of: dt.datetime) -> float | None:
    """E(p) in days, or None when the person is not accountable (no commitments lately)."""
    since = as_of - cfg.accountable_days * DAY
    intervals: list = []
    accountable = False
    for task, (status, owner, _due) in h.client_tasks_at(as_of):
        earlier = task.state_at(since)
        if owner == pid and status in OPEN:
            intervals.append(task.cadence_days)
            accountable = True
        elif earlier and earlier[1] == pid and earlier[0] in OPEN:
            accountable = True
    for d in h.decisions:
        if pid in d.addressees and d.requested_at < as_of:
            answer = d.responses.get(pid)
            if (answer is None and d.asks_at(since)) or (answer is not None and answer >= since):
                accountable = True
    for m in h.meetings:
        if pid in m.invited and since <= m.scheduled_at < as_of + 28 * DAY:
            if m.scheduled_at < as_of:
                accountable = True
            if m.series_id in h.series_interval_days:
                intervals.append(h.series_interval_days[m.series_id])
    if h.primary_id == pid and h.plan:
        intervals.append(h.plan.status_cadence_days)
    if not accountable:
        return None
    return _clip(min(intervals) if intervals else cfg.e_min_days, cfg.e_min_days, cfg.e_max_days)


def silent_days(h: History, pid: int, at: dt.datetime) -> tuple[float, bool]:
    """(days since the last client action with excused time removed, whether the person ever acted)."""
    last = h.last_action(pid, at)
    start = last or h.persons[pid].joined_at
    return h.net_days(pid, start, at), last is not None


def _recency_person(h: History, cfg: HealthConfig, as_of: dt.datetime, pid: int) -> dict:
    e = expected_interval(h, cfg, pid, as_of)
    if e is None:
        return _na(accountable=False)
    days, acted = silent_days(h, pid, as_of)
    g = days / e
    span = cfg.recency_zero_e - cfg.recency_full_e
    sub = 100 * _clip((cfg.recency_zero_e - g) / span)
    return {"sub": _r(sub), "na": False, "days": _r(days), "E": e, "acted": acted, "accountable": True, "person_id": pid}


def recency(h: History, cfg: HealthConfig, as_of: dt.datetime, pid: int | None) -> dict:
    if pid is not None:
        out = _recency_person(h, cfg, as_of, pid)
        if not out["na"] and out["sub"] < cfg.level_healthy:
            out["reason"] = {"person": _person_name(h, pid), "person_id": pid, "days": int(out["days"])}
        return out
    people = [_recency_person(h, cfg, as_of, p) for p in h.persons if h.persons[p].joined_at < as_of]
    people = [p for p in people if not p["na"]]
    if not people:
        return _na(accountable=0)
    out = {"sub": _r(statistics.fmean(p["sub"] for p in people)), "na": False, "accountable": len(people)}
    quietest = min(people, key=lambda p: p["sub"])
    if quietest["sub"] < cfg.level_healthy:
        pid_q = quietest["person_id"]
        out["reason"] = {"person": _person_name(h, pid_q), "person_id": pid_q, "days": int(quietest["days"])}
    return out


# --- S4 attendance ---------------------------------------------------------------------------------
def attendance(h: History, cfg: HealthConfig, as_of: dt.datetime, pid: int | None) -> dict:
    start = as_of - cfg.window_days * DAY
    per_person: dict = {}
    for m in h.meetings:
        if m.status != "held" or not (start <= m.starts_at < as_of):
            continue
        for person, attended in m.invited.items():
            if attended is None or (pid is not None and person != pid) or h.is_excused(person, m.starts_at):
                continue
            per_person.setdefault(person, []).append(bool(attended))
    n = sum(len(v) for v in per_person.values())
    if n == 0:
        return _na(n=0, k=0)
    k = sum(sum(v) for v in per_person.values())
    out = {"sub": _r(100 * cfg.shrink(k, n)), "na": False, "n": n, "k": k}
    worst_pid, worst = min(per_person.items(), key=lambda item: sum(item[1]) / len(item[1]))
    if sum(worst) < len(worst):
        streak = 0
        for attended in reversed(worst):
            if attended:
                break
            streak += 1
        out["reason"] = {
            "person": _person_name(h, worst_pid),
            "person_id": worst_pid,
            "k": sum(worst),
            "n": len(worst),
            "streak": streak,
        }
    elif pid is not None:
        out["positive"] = {"person": _person_name(h, pid), "person_id": pid, "n": n}
    return out


# --- S5 meeting consistency ------------------------------------------------------------------------
def consistency(h: History, cfg: HealthConfig, as_of: dt.datetime, pid: int | None) -> dict:
    if pid is not None:
        return _na(scope="project")
    start = as_of - cfg.window_days * DAY
    n = 0
    k = 0.0
    cancelled = rescheduled = 0
    by: list = []
    for m in h.meetings:
        if not (start <= m.scheduled_at < as_of) or h.is_excused(None, m.scheduled_at):
            continue
        if m.status == "held":
            n += 1
            k += 0.5 if m.rescheduled else 1.0
            rescheduled += int(m.rescheduled)
        elif m.status == "cancelled":
            n += 1
            cancelled += 1
            if m.cancelled_by and m.cancelled_by not in by:
                by.append(m.cancelled_by)
    if n == 0:
        return _na(n=0, k=0)
    out = {"sub": _r(100 * cfg.shrink(k, n)), "na": False, "n": n, "k": k, "cancelled": cancelled, "rescheduled": rescheduled}
    if cancelled:
        out["reason"] = {"code": "consistency.cancelled", "cancelled": cancelled, "n": n, "by": ", ".join(by), "rescheduled": rescheduled}
    elif rescheduled:
        out["reason"] = {"code": "consistency.rescheduled", "rescheduled": rescheduled, "n": n}
    return out


# --- S6 on-time rate -------------------------------------------------------------------------------
def ontime(h: History, cfg: HealthConfig, as_of: dt.datetime, pid: int | None) -> dict:
    today = as_of.astimezone(h.tz).date()
    first = (as_of - cfg.window_days * DAY).astimezone(h.tz).date()
    n = k = 0
    for task, (status, owner, due) in h.client_tasks_at(as_of):
        if due is None or not (first <= due < today) or status == TaskStatus.CANCELLED:
            continue
        if pid is not None and owner != pid:
            continue
        n += 1
        done = task.completed_at if status == TaskStatus.DONE else None
        if done is not None and done <= as_of and done < h.local_midnight(due + DAY):
            k += 1
    if n == 0:
        return _na(n=0, k=0)
    out = {"sub": _r(100 * cfg.shrink(k, n)), "na": False, "n": n, "k": k}
    if k < n:
        out["reason"] = {"late": n - k, "n": n}
    return out


# --- S7 overdue load -------------------------------------------------------------------------------
def overdue(h: History, cfg: HealthConfig, as_of: dt.datetime, pid: int | None) -> dict:
    today = as_of.astimezone(h.tz).date()
    open_tasks = [(t, s) for t, s in h.client_tasks_at(as_of, owner=pid) if s[0] in OPEN]
    m = len(open_tasks)
    if m == 0:
        return _na(m=0, o=0)
    late = sorted((((today - s[2]).days, t) for t, s in open_tasks if s[2] is not None and s[2] < today), key=lambda item: (item[0], item[1].id))
    o = len(late)
    share = o / m
    lo, hi = cfg.overdue_break_low, cfg.overdue_break_high
    if share <= lo:
        sub = 100 - (100 - 60) / lo * share
    elif share <= hi:
        sub = 60 - 60 / (hi - lo) * (share - lo)
    else:
        sub = 0.0
    out = {"sub": _r(sub), "na": False, "m": m, "o": o, "max_days": late[-1][0] if late else 0}
    if late:
        days, task = late[-1]
        out["reason"] = {"n": o, "task": task.title, "task_id": task.id, "days": days, "more": o - 1}
    return out


# --- S8 plan completeness and sign-off -------------------------------------------------------------
def plan(h: History, cfg: HealthConfig, as_of: dt.datetime, pid: int | None) -> dict:
    p = h.plan
    if pid is not None and (p is None or pid not in p.signers) and not (p is None and h.persons[pid].is_lead):
        return _na(scope="signer")
    grace = cfg.plan_signoff_grace_days
    if p is None or p.created_at > as_of:
        if (as_of - h.started_at).days < grace:
            return _na(missing=True)
        return {"sub": 0.0, "na": False, "reason": {"code": "plan.missing"}}
    current = [v for v in p.versions if v[1] <= as_of] or p.versions[:1]
    version, published = current[-1]
    completeness = 100 * (p.items_total - len(p.completeness_missing)) / p.items_total
    signed = p.signed_version if p.signed_at is not None and p.signed_at <= as_of else None
    age = (as_of - published).days
    if signed is not None and signed >= version:
        signoff = 100.0
    elif signed is not None:
        signoff = 80.0 if age <= grace else 40.0
    elif (as_of - p.created_at).days > grace:
        signoff = 0.0
    else:
        signoff = None
    sub = completeness if signoff is None else 0.5 * completeness + 0.5 * signoff
    out = {"sub": _r(sub), "na": False, "completeness": _r(completeness), "signoff": signoff, "version": version}
    if signoff is not None and signoff < 100:
        out["reason"] = {"code": "plan.unsigned", "version": version, "days": age}
    elif p.completeness_missing:
        out["reason"] = {"code": "plan.incomplete", "items": list(p.completeness_missing)}
    if signoff == 100:
        out["positive"] = {"version": version}
    if p.completeness_missing and "reason" in out and out["reason"]["code"] == "plan.unsigned":
        out["extra"] = {"code": "plan.incomplete", "items": list(p.completeness_missing)}
    return out


SIGNAL_FUNCTIONS = {
    "freshness": freshness,
    "decisions": decisions,
    "recency": recency,
    "attendance": attendance,
    "consistency": consistency,
    "ontime": ontime,
    "overdue": overdue,
    "plan": plan,
}


def compute_signals(h: History, cfg: HealthConfig, as_of: dt.datetime, pid: int | None) -> dict:
    return {code: fn(h, cfg, as_of, pid) for code, fn in SIGNAL_FUNCTIONS.items()}
