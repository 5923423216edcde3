"""Composite score, coverage and level with hysteresis and caps (health.md §2.7–2.8)."""

from __future__ import annotations

from engagement.health.config import SIGNALS, HealthConfig, half_up
from engagement.models import HealthLevel

_RANK = {HealthLevel.HEALTHY: 0, HealthLevel.WATCH: 1, HealthLevel.AT_RISK: 2}


def scope_for(signals: dict, *, project: bool) -> list[str]:
    """The signals that exist for this entity: a person has no consistency, and plan only as its signer."""
    if project:
        return list(SIGNALS)
    return [s for s in SIGNALS if s != "consistency" and not (s == "plan" and signals["plan"].get("scope") == "signer")]


def composite(signals: dict, cfg: HealthConfig, scope: list[str]) -> tuple[float | None, float]:
    """(score, coverage): the weighted mean of the available sub-scores and their share of the scope's weight."""
    available = [s for s in scope if signals[s]["sub"] is not None]
    total = sum(cfg.weight(s) for s in scope)
    have = sum(cfg.weight(s) for s in available)
    if not available or have == 0:
        return None, 0.0
    score = sum(cfg.weight(s) * signals[s]["sub"] for s in available) / have
    return half_up(score, 1), half_up(have / total, 2) if total else 0.0


def level_from_score(score: float | None, coverage: float, cfg: HealthConfig) -> str:
    if score is None or coverage < cfg.min_coverage:
        return HealthLevel.UNKNOWN
    if score >= cfg.level_healthy:
        return HealthLevel.HEALTHY
    if score >= cfg.level_watch:
        return HealthLevel.WATCH
    return HealthLevel.AT_RISK


def worse(a: str, b: str) -> str:
    return a if _RANK.get(a, -1) >= _RANK.get(b, -1) else b


def apply_hysteresis(raw: str, score: float | None, coverage: float, previous: str | None, cfg: HealthConfig) -> str:
    """A worse level applies at once; a better one only once the score clears the boundary by the margin."""
    if raw == HealthLevel.UNKNOWN or previous in (None, HealthLevel.UNKNOWN, ""):
        return raw
    if _RANK[raw] >= _RANK[previous]:
        return raw
    candidate = level_from_score(score - cfg.hysteresis_points, coverage, cfg)
    return candidate if _RANK[candidate] < _RANK[previous] else previous


def cap(level: str, ceiling: str) -> str:
    """The level made at least as bad as `ceiling` ("an open warning caps the level at watch")."""
    if level == HealthLevel.UNKNOWN:
        return level
    return worse(level, ceiling)
