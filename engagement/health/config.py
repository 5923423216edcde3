"""The one place every health parameter lives (health.md, appendix A).

Defaults are the "h2" algorithm. `settings.HEALTH_WEIGHTS` overrides weights,
`settings.HEALTH_WINDOW_WEEKS` the window, and `settings.RAPPORT_HEALTH` (a dict)
any other field. Any change from the defaults changes `version`, so snapshots
computed with different parameters are never mixed in one chart.

`BASE_VERSION` names the defaults themselves; it is bumped whenever a default or the
computation changes (health.md §3.8), because snapshots stored under the old name
would otherwise be mixed with new ones:

* h1: health.md appendix A as written (R2 h = 6, h_exposed = 3).
* h2: `r2_h_exposed` 3 → 2, recalibrated on the §4 simulation (docs/health.md,
  "Calibration"); report due points step in local days across a DST change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.conf import settings

SIGNALS = ("freshness", "decisions", "recency", "attendance", "consistency", "ontime", "overdue", "plan")

DEFAULT_WEIGHTS = {
    "freshness": 20,
    "decisions": 20,
    "recency": 15,
    "attendance": 10,
    "consistency": 5,
    "ontime": 10,
    "overdue": 10,
    "plan": 10,
}

# Older setting names, accepted so an existing HEALTH_WEIGHTS keeps working.
_ALIASES = {"report_freshness": "freshness", "on_time": "ontime", "meetings": "consistency"}

BASE_VERSION = "h2"


def half_up(value: float, digits: int = 1) -> float:
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class HealthConfig:
    window_weeks: int = 8
    weights: dict = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    shrink_prior: float = 0.75
    shrink_pseudo: float = 1.0
    report_grace_days: float = 1.0
    latency_full_ratio: float = 1.0
    latency_zero_ratio: float = 3.0
    latency_share: float = 0.4
    decision_lookback_weeks: int = 12
    recency_full_e: float = 1.0
    recency_zero_e: float = 4.0
    overdue_break_low: float = 0.2
    overdue_break_high: float = 0.6
    plan_signoff_grace_days: int = 14
    level_healthy: float = 75.0
    level_watch: float = 50.0
    hysteresis_points: float = 5.0
    min_coverage: float = 0.5
    new_days: int = 14
    override_days: int = 28
    overdue_cap_days: int = 7
    accountable_days: int = 14
    e_min_days: float = 7.0
    e_max_days: float = 28.0
    r1_min_multiple: float = 2.0
    r1_adaptation: float = 1.25
    r1_guard_days: int = 21
    r1_cap_multiple: float = 4.0
    r2_odds_ratio: float = 4.0
    r2_h: float = 6.0
    r2_h_exposed: float = 2.0  # h1 had 3.0; see the module docstring and docs/health.md "Calibration"
    r2_prior: float = 0.15
    r2_prior_weight: float = 10.0
    r2_p0_min: float = 0.05
    r2_p0_max: float = 0.5
    r2_baseline_from: int = 12
    r2_baseline_to: int = 4
    exposure_days: int = 21
    clear_clean_weeks: int = 2
    clear_max_missed: int = 1
    snooze_days: int = 14
    trend_reason_drop: float = 10.0
    trend_weeks: int = 3
    backfill_max_weeks: int = 104

    @property
    def window_days(self) -> int:
        return 7 * self.window_weeks

    @property
    def version(self) -> str:
        """BASE_VERSION ('h2') for the defaults; 'h2-<hash>' when any parameter differs (fits the 12-character column)."""
        defaults = HealthConfig()
        if self == defaults:
            return BASE_VERSION
        payload = json.dumps(dataclasses.asdict(self), sort_keys=True, default=str)
        return f"{BASE_VERSION}-{hashlib.sha256(payload.encode()).hexdigest()[:6]}"

    def weight(self, code: str) -> float:
        return float(self.weights.get(code, 0))

    def shrink(self, k: float, n: float) -> float:
        return (k + self.shrink_prior * self.shrink_pseudo) / (n + self.shrink_pseudo)


def _weights_from(raw: dict | None) -> dict:
    weights = dict(DEFAULT_WEIGHTS)
    for key, value in (raw or {}).items():
        name = _ALIASES.get(key, key)
        if name in weights:
            weights[name] = float(value)
    return weights


def build_config(weights: dict | None = None, window_weeks: int | None = None, **overrides) -> HealthConfig:
    fields = {f.name for f in dataclasses.fields(HealthConfig)}
    kwargs = {k: v for k, v in overrides.items() if k in fields and k != "weights"}
    kwargs["weights"] = _weights_from(weights)
    if window_weeks:
        kwargs["window_weeks"] = int(window_weeks)
    return HealthConfig(**kwargs)


@lru_cache(maxsize=8)
def _cached(weights_json: str, window_weeks: int, overrides_json: str) -> HealthConfig:
    return build_config(json.loads(weights_json), window_weeks, **json.loads(overrides_json))


def get_config() -> HealthConfig:
    """The active configuration, read from settings (cached per distinct settings value)."""
    return _cached(
        json.dumps(getattr(settings, "HEALTH_WEIGHTS", None) or {}, sort_keys=True),
        int(getattr(settings, "HEALTH_WINDOW_WEEKS", 8) or 8),
        json.dumps(getattr(settings, "RAPPORT_HEALTH", None) or {}, sort_keys=True, default=str),
    )
