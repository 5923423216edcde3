"""Reasons: stored as {code, severity, params}; rendered in the viewer's language at view time (appendix B)."""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from engagement.health.config import HealthConfig
from engagement.models import HealthLevel

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


def render_reason(reason: dict) -> str:
    """One reason as a sentence in the active language (the bare code if its parameters are incomplete)."""
    try:
        return _render(reason)
    except (KeyError, TypeError, ValueError):
        return str(reason.get("code", ""))


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


def render_reasons(reasons: list, limit: int | None = None) -> list[dict]:
    """Reasons with their text, for templates: [{code, severity, text}]."""
    items = reasons if limit is None else reasons[:limit]
    return [{"code": r.get("code"), "severity": r.get("severity"), "text": render_reason(r)} for r in items]
