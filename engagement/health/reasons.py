"""Reasons: stored as {code, severity, params}; rendered in the viewer's language at view time (appendix B)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from engagement.health.config import HealthConfig
from engagement.models import CommunicationPlan, Decision, HealthLevel, PlanVersion
from engagement.selectors.awaiting import decisions_awaiting_anyone
from projects.models import OPEN_TASK_STATUSES, Task

NEGATIVE = "negative"
POSITIVE = "positive"
INFO = "info"

PLAN_ITEMS = {
    "expectations": _("expectations"),
    "cadence": _("status update cadence"),
    "digest": _("digest schedule"),
    "client_target": _("client response target"),
    "team_target": _("team response target"),
    "escalation": _("escalation path"),
    "client_primary": _("client primary contact"),
    "backups": _("a backup for each primary contact"),
    "team_primary": _("team primary contact"),
    "meeting_series": _("a meeting series"),
}

SIGNAL_LABELS = {
    "freshness": _("Report freshness"),
    "decisions": _("Decision responsiveness"),
    "recency": _("Recency of client action"),
    "attendance": _("Meeting attendance"),
    "consistency": _("Meeting consistency"),
    "ontime": _("On-time rate"),
    "overdue": _("Overdue load"),
    "plan": _("Plan and sign-off"),
}

_DEFAULT_CODE = {
    "freshness": "freshness.stale",
    "recency": "recency.quiet",
    "attendance": "attendance.missed",
    "ontime": "ontime.late",
    "overdue": "overdue.open",
}
_POSITIVE_CODE = {
    "freshness": "freshness.all_fresh",
    "decisions": "decisions.fast",
    "attendance": "attendance.full",
    "plan": "plan.signed",
}


def build_reasons(signals: dict, scope: list, cfg: HealthConfig, *, warnings: list, level: str, trend: dict | None, coverage: float) -> list:
    """Open warnings first, then signals under 75 by weighted shortfall, then trend, coverage and praise."""
    out = list(warnings)
    weak = []
    for code in scope:
        sig = signals[code]
        if sig["sub"] is None or "reason" not in sig or sig["sub"] >= cfg.level_healthy:
            continue
        shortfall = cfg.weight(code) * (100 - sig["sub"]) / 100
        weak.append((shortfall, code, sig))
    for shortfall, code, sig in sorted(weak, key=lambda item: -item[0]):
        params = dict(sig["reason"])
        reason_code = params.pop("code", _DEFAULT_CODE.get(code, code))
        out.append({"code": reason_code, "severity": NEGATIVE, "params": params, "signal": code, "shortfall": round(shortfall, 1)})
        if "extra" in sig:
            extra = dict(sig["extra"])
            out.append({"code": extra.pop("code"), "severity": NEGATIVE, "params": extra, "signal": code})
    if trend:
        out.append({"code": "trend.falling", "severity": INFO, "params": trend})
    if coverage < cfg.min_coverage:
        out.append({"code": "coverage.low", "severity": INFO, "params": {"coverage": int(round(coverage * 100))}})
    if level == HealthLevel.HEALTHY:
        praise = [
            (sig["sub"], code, sig)
            for code in scope
            if (sig := signals[code])["sub"] is not None and "positive" in sig and code in _POSITIVE_CODE
        ]
        for _sub, code, sig in sorted(praise, key=lambda item: -item[0])[:2]:
            out.append({"code": _POSITIVE_CODE[code], "severity": POSITIVE, "params": dict(sig["positive"])})
    return out


def _date(value) -> str:
    if not value:
        return gettext("never")
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return formats.date_format(value, "MONTH_DAY_FORMAT")


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return formats.number_format(value, decimal_pos=None, use_l10n=True)


@dataclass
class Current:
    """The state of the objects reasons name, as it is when they are shown (snapshots keep the numbers of their
    week; the sentence is worded from now: overdue or due in N days, the plan's current version, a decision that
    no longer waits)."""

    today: dt.date
    now: dt.datetime
    tasks: dict = field(default_factory=dict)  # id -> Task (title, status, due_date)
    decisions: dict = field(default_factory=dict)  # id -> Decision, with .awaited (bool)
    plans: dict = field(default_factory=dict)  # project id -> CommunicationPlan, with .published_at

    def plan(self, project_id):
        return self.plans.get(project_id)


_TASK_CODES = {"warn.exposure", "overdue.open"}


def current_state(items: Iterable[tuple[int | None, list]], now: dt.datetime | None = None) -> Current:
    """The current state for reasons of many snapshots or warnings: `items` = [(project id, reasons)]. At most four
    queries, only for the objects the reasons name."""
    now = now or timezone.now()
    task_ids, decision_ids, project_ids = set(), set(), set()
    for project_id, reasons in items:
        for reason in reasons or []:
            if not isinstance(reason, dict):
                continue
            params, code = reason.get("params") or {}, reason.get("code")
            if code in _TASK_CODES and params.get("task_id"):
                task_ids.add(params["task_id"])
            elif code == "decisions.waiting" and params.get("decision_id"):
                decision_ids.add(params["decision_id"])
            elif code == "plan.unsigned" and project_id:
                project_ids.add(project_id)
    current = Current(today=timezone.localdate(now), now=now)
    if task_ids:
        current.tasks = Task.objects.only("id", "title", "status", "due_date").in_bulk(task_ids)
    if decision_ids:
        current.decisions = Decision.objects.only("id", "title", "status", "involvement", "requested_at", "internal").in_bulk(decision_ids)
        awaited = set(decisions_awaiting_anyone().filter(pk__in=decision_ids).values_list("pk", flat=True))
        for pk, decision in current.decisions.items():
            decision.awaited = pk in awaited
    if project_ids:
        plans = {p.project_id: p for p in CommunicationPlan.objects.filter(project_id__in=project_ids)}
        published = {
            (plan_id, version): at
            for plan_id, version, at in PlanVersion.objects.filter(
                Q(*[Q(plan_id=p.pk, version=p.version) for p in plans.values()], _connector=Q.OR)
            ).values_list("plan_id", "version", "created_at")
        } if plans else {}
        for plan in plans.values():
            plan.published_at = published.get((plan.pk, plan.version), plan.updated_at)
        current.plans = plans
    return current


def render_reason(reason: dict, current: Current | None = None, project_id: int | None = None) -> str:
    """One reason as a sentence in the active language (the bare code if its parameters are incomplete).

    With `current`, the sentence is worded from the state of its objects now (see `Current`)."""
    try:
        if current is not None:
            text = _render_now(reason, current, project_id)
            if text is not None:
                return text
        return _render(reason)
    except (KeyError, TypeError, ValueError):
        return str(reason.get("code", ""))


def reason_texts(warning, current: Current | None = None) -> list[str]:
    """A warning's reasons as sentences in the active language, worded from the current state of what they name.
    Pages listing many warnings pass one `current_state` of them all; without it this one warning's is read."""
    if current is None:
        current = current_state([(warning.project_id, warning.reasons)])
    return [render_reason(reason, current, warning.project_id) if isinstance(reason, dict) else str(reason)
            for reason in warning.reasons or []]


def _render_now(reason: dict, current: Current, project_id: int | None) -> str | None:
    """The sentence from the current state, or None when the stored one still holds (or nothing is known now)."""
    code = reason.get("code", "")
    p = dict(reason.get("params") or {})
    if code in _TASK_CODES:
        task = current.tasks.get(p.get("task_id"))
        if task is None:
            return None
        p["task"] = task.title
        if task.status not in OPEN_TASK_STATUSES:
            return gettext("'%(task)s' is %(status)s now.") % {"task": task.title, "status": task.get_status_display()}
        if task.due_date is None:
            return None
        days_to_due = (task.due_date - current.today).days
        if code == "overdue.open":
            if days_to_due >= 0:
                return None
            p["days"] = -days_to_due
            return _render({"code": code, "params": p})
        p["last_report"] = _date(p["last_report"]) if p.get("last_report") else None
        if days_to_due < 0:
            if p["last_report"]:
                return ngettext(
                    "'%(task)s' is %(days)s day overdue and has had no report since %(last_report)s.",
                    "'%(task)s' is %(days)s days overdue and has had no report since %(last_report)s.", -days_to_due,
                ) % {**p, "days": -days_to_due}
            return ngettext(
                "'%(task)s' is %(days)s day overdue and has had no report yet.",
                "'%(task)s' is %(days)s days overdue and has had no report yet.", -days_to_due,
            ) % {**p, "days": -days_to_due}
        if days_to_due == 0:
            if p["last_report"]:
                return gettext("'%(task)s' is due today and has had no report since %(last_report)s.") % p
            return gettext("'%(task)s' is due today and has had no report yet.") % p
        if p["last_report"]:
            return ngettext(
                "'%(task)s' is due in %(days)s day and has had no report since %(last_report)s.",
                "'%(task)s' is due in %(days)s days and has had no report since %(last_report)s.", days_to_due,
            ) % {**p, "days": days_to_due}
        return ngettext(
            "'%(task)s' is due in %(days)s day and has had no report yet.",
            "'%(task)s' is due in %(days)s days and has had no report yet.", days_to_due,
        ) % {**p, "days": days_to_due}
    if code == "decisions.waiting":
        decision = current.decisions.get(p.get("decision_id"))
        if decision is None:
            return None
        p["title"] = decision.title
        if not decision.awaited:
            if decision.status in ("rejected", "superseded") or (decision.involvement == "approval" and decision.status == "approved"):
                return gettext("The decision '%(title)s' is %(status)s; it no longer waits for an answer.") % {
                    "title": decision.title, "status": decision.get_status_display()}
            return gettext("The decision '%(title)s' has been answered.") % p
        if p.get("target") is not None:
            p["target"] = _number(p["target"])
        days = max((current.now - decision.requested_at).days, 0)
        return ngettext(
            "The decision '%(title)s' has waited %(days)s day for %(person)s (target %(target)s days).",
            "The decision '%(title)s' has waited %(days)s days for %(person)s (target %(target)s days).", days,
        ) % {**p, "days": days}
    if code == "plan.unsigned":
        plan = current.plan(project_id)
        if plan is None:
            return None
        if plan.signed_off_version is not None and plan.signed_off_version >= plan.version:
            return gettext("The client signed off plan v%(version)s.") % {"version": plan.version}
        days = max((current.now - plan.published_at).days, 0)
        return ngettext(
            "The client has not signed off plan v%(version)s (published %(days)s day ago).",
            "The client has not signed off plan v%(version)s (published %(days)s days ago).", days,
        ) % {"version": plan.version, "days": days}
    return None


def _render(reason: dict) -> str:
    code = reason.get("code", "")
    p = dict(reason.get("params") or {})
    for key in ("median", "target", "drop", "from", "to"):
        if key in p and p[key] is not None:
            p[key] = _number(p[key])
    if code == "warn.silence":
        return gettext("%(person)s has not acted for %(days)s days (usually every %(usual)s days).") % p
    if code == "warn.drift":
        return gettext(
            "%(person)s missed %(missed)s of %(due)s commitments in the last %(weeks)s weeks; usually about 1 in %(usual_one_in)s."
        ) % p
    if code == "warn.exposure":
        if p.get("days_to_due", 0) < 0:
            p["days_overdue"] = -p["days_to_due"]
            if not p.get("last_report"):
                return gettext("'%(task)s' is %(days_overdue)s days overdue and has had no report yet.") % p
            p["last_report"] = _date(p["last_report"])
            return gettext("'%(task)s' is %(days_overdue)s days overdue and has had no report since %(last_report)s.") % p
        if not p.get("last_report"):
            return gettext("'%(task)s' is due in %(days_to_due)s days and has had no report yet.") % p
        p["last_report"] = _date(p["last_report"])
        return gettext("'%(task)s' is due in %(days_to_due)s days and has had no report since %(last_report)s.") % p
    if code == "warn.never_started":
        return gettext("%(person)s joined %(days)s days ago and has not acted yet.") % p
    if code == "warn.cleared":
        return gettext("%(person)s is back on track.") % p
    if code == "freshness.stale":
        return gettext("%(stale)s of %(n)s client tasks have no report within their cadence (oldest: '%(task)s', %(days)s days).") % p
    if code == "freshness.all_fresh":
        return gettext("All %(n)s client tasks have a fresh report.") % p
    if code == "decisions.waiting":
        return gettext("The decision '%(title)s' has waited %(days)s days for %(person)s (target %(target)s days).") % p
    if code == "decisions.late":
        return gettext("%(late)s of %(n)s decision requests were answered after the %(target)s-day target; median %(median)s days.") % p
    if code == "decisions.fast":
        return gettext("Decisions answered in a median of %(median)s days; target %(target)s.") % p
    if code == "recency.quiet":
        return gettext("%(person)s: last action %(days)s days ago.") % p
    if code == "attendance.missed":
        return gettext("%(person)s attended %(k)s of %(n)s meetings in 8 weeks and missed the last %(streak)s.") % p
    if code == "attendance.full":
        return gettext("%(person)s attended all %(n)s meetings in 8 weeks.") % p
    if code == "consistency.cancelled":
        if p.get("by"):
            return gettext("%(cancelled)s of the last %(n)s meetings were cancelled (%(by)s), %(rescheduled)s rescheduled.") % p
        return gettext("%(cancelled)s of the last %(n)s meetings were cancelled, %(rescheduled)s rescheduled.") % p
    if code == "consistency.rescheduled":
        return gettext("%(rescheduled)s of the last %(n)s meetings were rescheduled.") % p
    if code == "ontime.late":
        return gettext("%(late)s of %(n)s client tasks due in the last 8 weeks were late.") % p
    if code == "overdue.open":
        text = ngettext(
            "%(n)s client task overdue: '%(task)s' by %(days)s days.",
            "%(n)s client tasks overdue: '%(task)s' by %(days)s days.",
            p["n"],
        ) % p
        if p.get("more"):
            text += " " + ngettext("And %(more)s more.", "And %(more)s more.", p["more"]) % p
        return text
    if code == "plan.unsigned":
        return gettext("The client has not signed off plan v%(version)s (published %(days)s days ago).") % p
    if code == "plan.incomplete":
        items = ", ".join(str(PLAN_ITEMS.get(i, i)) for i in p.get("items", []))
        return gettext("The plan is missing: %(items)s.") % {"items": items}
    if code == "plan.missing":
        return gettext("The project has no communication plan yet.")
    if code == "plan.signed":
        return gettext("The client signed off plan v%(version)s.") % p
    if code == "trend.falling":
        return gettext("Score fell %(drop)s points in 3 weeks (%(from)s → %(to)s).") % p
    if code == "coverage.low":
        return gettext("Not enough data yet: the signals present cover %(coverage)s%% of the score.") % p
    return code


def render_reasons(reasons: list, limit: int | None = None, current: Current | None = None, project_id: int | None = None) -> list[dict]:
    """Reasons with their text, for templates: [{code, severity, text}], worded from `current` when given."""
    items = reasons if limit is None else reasons[:limit]
    return [
        {"code": r.get("code"), "severity": r.get("severity"), "text": render_reason(r, current, project_id)} for r in items
    ]
