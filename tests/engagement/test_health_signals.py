"""Each signal, the score and the levels pinned on small hand-built histories, edge cases included."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from engagement.health.config import build_config, get_config
from engagement.health.engine import ProjectState, compute_week
from engagement.health.loader import load_history
from engagement.health.reasons import render_reason
from engagement.health.score import apply_hysteresis, composite, level_from_score, scope_for
from engagement.health.signals import compute_signals
from engagement.health.warnings import PersonState, r1_check
from engagement.models import Absence, HealthLevel, HealthSnapshot, HealthWarning, MeetingStatus
from projects.models import Role, TaskStatus
from tests.engagement import test_health_helpers as hh

AS_OF = hh.at("2025-06-02 00:00", "Europe/Berlin")  # a Monday
D = dt.timedelta(days=1)
START = hh.at("2025-03-03 09:00")


@pytest.fixture
def cfg():
    return build_config()


@pytest.fixture
def setup(db):
    proj = hh.project(start=dt.date(2025, 3, 1), created=START)
    lead = hh.person(proj, "Lena Lead", Role.CLIENT_LEAD, joined=START)
    return proj, lead


def test_no_client_tasks_makes_task_signals_na_not_zero(setup, cfg):
    proj, lead = setup
    hh.meeting(proj, AS_OF - 6 * D, invited=(lead,), attended=(lead,))
    sig = compute_signals(load_history(proj, AS_OF), cfg, AS_OF, None)
    for code in ("freshness", "ontime", "overdue"):
        assert sig[code]["sub"] is None and sig[code]["na"]
    assert sig["attendance"]["sub"] == 87.5  # 1 of 1 → (1 + 0.75) / 2


def test_brand_new_project_is_unknown_with_low_coverage(db, cfg):
    proj = hh.project(start=dt.date(2025, 5, 26), created=AS_OF - 5 * D)
    hh.person(proj, "New Client", Role.CLIENT_LEAD, joined=AS_OF - 4 * D)
    rows, _ = compute_week(proj, AS_OF, None, config=cfg, final=False)
    project = rows[-1]
    assert project["person_id"] is None
    assert project["level"] == HealthLevel.UNKNOWN
    assert project["coverage"] < cfg.min_coverage
    assert project["signals"]["_meta"]["new"] is True
    assert project["signals"]["plan"]["sub"] is None  # no plan yet, but within the first 14 days
    assert "coverage.low" in [r["code"] for r in project["reasons"]]


def test_missing_plan_after_two_weeks_scores_zero(setup, cfg):
    proj, _lead = setup
    sig = compute_signals(load_history(proj, AS_OF), cfg, AS_OF, None)
    assert sig["plan"]["sub"] == 0.0
    assert sig["plan"]["reason"]["code"] == "plan.missing"


def test_all_meetings_cancelled(setup, cfg):
    proj, lead = setup
    for week in range(4):
        hh.meeting(proj, AS_OF - (6 + 7 * week) * D, status=MeetingStatus.CANCELLED, invited=(lead,))
    sig = compute_signals(load_history(proj, AS_OF), cfg, AS_OF, None)
    assert sig["consistency"]["sub"] == 15.0  # (0 + 0.75) / (4 + 1)
    assert sig["consistency"]["reason"]["cancelled"] == 4
    assert sig["attendance"]["sub"] is None  # nothing held: attendance is N/A, not 0
    person = compute_signals(load_history(proj, AS_OF), cfg, AS_OF, lead.pk)
    assert person["consistency"]["sub"] is None  # consistency is project-only


def test_client_who_answers_everything_instantly(setup, cfg):
    proj, lead = setup
    for days in (40, 30, 20):
        d = hh.decision(proj, f"Question {days}", AS_OF - days * D)
        hh.respond(d, lead, AS_OF - days * D + dt.timedelta(minutes=5))
    sig = compute_signals(load_history(proj, AS_OF), cfg, AS_OF, lead.pk)
    assert sig["decisions"]["n"] == 3 and sig["decisions"]["k"] == 3
    assert sig["decisions"]["sub"] == 96.3  # 0.6 · 93.75 + 0.4 · 100
    assert sig["decisions"]["positive"]["target"] == 2  # the plan default, 48 h


def test_unanswered_decision_hurts_while_it_waits(setup, cfg):
    proj, lead = setup
    hh.decision(proj, "Hosting provider", AS_OF - 9 * D)
    sig = compute_signals(load_history(proj, AS_OF), cfg, AS_OF, lead.pk)
    assert sig["decisions"]["sub"] == pytest.approx(0.6 * 37.5, abs=0.1)  # ratio 4.5 ≥ 3: no latency points
    assert sig["decisions"]["reason"]["code"] == "decisions.waiting"
    assert sig["decisions"]["reason"]["days"] == 9


def test_freshness_overdue_and_ontime(setup, cfg):
    proj, lead = setup
    fresh = hh.task(proj, lead, "Fresh", created=START, due=dt.date(2025, 7, 1))
    hh.report(fresh, AS_OF - 2 * D)
    stale = hh.task(proj, lead, "Stale", created=START, due=dt.date(2025, 5, 20))
    hh.report(stale, AS_OF - 20 * D)
    hh.task(proj, lead, "On time", created=START, due=dt.date(2025, 5, 10), status=TaskStatus.DONE, completed=hh.at("2025-05-09 10:00"))
    hh.task(proj, lead, "Late", created=START, due=dt.date(2025, 5, 12), status=TaskStatus.DONE, completed=hh.at("2025-05-20 10:00"))
    sig = compute_signals(load_history(proj, AS_OF), cfg, AS_OF, lead.pk)
    assert sig["freshness"]["sub"] == 58.3  # 1 of 2 → 1.75 / 3
    assert sig["freshness"]["reason"]["task"] == "Stale"
    assert sig["overdue"]["sub"] == 15.0  # share 0.5 → 60 − 150 · 0.3
    assert sig["overdue"]["reason"]["days"] == 13
    assert sig["ontime"]["n"] == 3 and sig["ontime"]["k"] == 1  # "Stale" is due in the window and still open
    rows, _ = compute_week(proj, AS_OF, None, config=cfg, final=False)
    person = next(r for r in rows if r["person_id"] == lead.pk)
    assert person["level"] != HealthLevel.HEALTHY  # overdue by more than 7 days caps at watch


def test_recency_relative_to_expected_interval(setup, cfg):
    proj, lead = setup
    t = hh.task(proj, lead, "Weekly", created=START, due=dt.date(2025, 8, 1))
    hh.report(t, AS_OF - 14 * D)
    sig = compute_signals(load_history(proj, AS_OF), cfg, AS_OF, lead.pk)
    assert sig["recency"]["E"] == 7
    assert sig["recency"]["sub"] == pytest.approx(66.7, abs=0.1)  # 2·E → 67
    assert sig["recency"]["reason"]["days"] == 14


def test_declared_absence_pauses_the_silence_clock(setup, cfg):
    proj, lead = setup
    t = hh.task(proj, lead, "Weekly", created=START, due=dt.date(2025, 8, 1))
    hh.report(t, AS_OF - 20 * D)
    h = load_history(proj, AS_OF)
    assert r1_check(h, cfg, lead.pk, AS_OF) is not None
    Absence.objects.create(user=lead, starts_on=(AS_OF - 15 * D).date(), ends_on=(AS_OF - 2 * D).date())
    assert r1_check(load_history(proj, AS_OF), cfg, lead.pk, AS_OF) is None


def test_composite_redistributes_weight_of_missing_signals(cfg):
    signals = {code: {"sub": None} for code in cfg.weights}
    signals["freshness"] = {"sub": 50.0}
    signals["decisions"] = {"sub": 100.0}
    signals["plan"] = {"sub": None, "scope": "signer"}
    score, coverage = composite(signals, cfg, scope_for(signals, project=False))
    assert score == 75.0
    assert coverage == pytest.approx(40 / 85, abs=0.01)
    assert level_from_score(score, coverage, cfg) == HealthLevel.UNKNOWN


@pytest.mark.parametrize(
    ("previous", "score", "expected"),
    [
        (HealthLevel.HEALTHY, 70, HealthLevel.WATCH),  # worse applies at once
        (HealthLevel.WATCH, 78, HealthLevel.WATCH),  # better needs 80
        (HealthLevel.WATCH, 80, HealthLevel.HEALTHY),
        (HealthLevel.AT_RISK, 54, HealthLevel.AT_RISK),  # needs 55
        (HealthLevel.AT_RISK, 56, HealthLevel.WATCH),
        (HealthLevel.AT_RISK, 81, HealthLevel.HEALTHY),
        (HealthLevel.UNKNOWN, 76, HealthLevel.HEALTHY),
    ],
)
def test_hysteresis(cfg, previous, score, expected):
    raw = level_from_score(score, 1.0, cfg)
    assert apply_hysteresis(raw, score, 1.0, previous, cfg) == expected


def test_open_warning_caps_the_level_at_watch(setup, cfg):
    proj, lead = setup
    t = hh.task(proj, lead, "Weekly", created=START, due=dt.date(2025, 8, 1))
    hh.report(t, AS_OF - 1 * D)
    state = ProjectState()
    state.persons[lead.pk] = PersonState(
        warning={"person_id": lead.pk, "opened_at": AS_OF.isoformat(), "severity": "watch", "rules": ["R2"], "reasons": [], "cusum_at_open": 3.5, "closed_at": None}
    )
    rows, _ = compute_week(proj, AS_OF, state, config=cfg, final=False)
    person = next(r for r in rows if r["person_id"] == lead.pk)
    assert person["level_raw"] == HealthLevel.HEALTHY
    assert person["level"] == HealthLevel.WATCH


def test_reasons_render_in_english_and_russian():
    reason = {"code": "overdue.open", "severity": "negative", "params": {"n": 3, "task": "Approve sitemap", "days": 9, "more": 2}}
    with translation.override("en"):
        assert render_reason(reason) == "3 client tasks overdue: 'Approve sitemap' by 9 days. And 2 more."
    with translation.override("ru"):
        assert "Approve sitemap" in render_reason(reason)
    decisions = {"code": "decisions.fast", "params": {"median": 0.5, "target": 3.0}}
    with translation.override("en"):
        assert render_reason(decisions) == "Decisions answered in a median of 0.5 days; target 3."


def test_config_version_changes_with_weights():
    # h2: r2_h_exposed recalibrated 3 -> 2 (docs/health.md "Calibration"); snapshots written as h1 are not mixed in.
    assert get_config().version == "h2"
    assert build_config(r2_h_exposed=3.0).version != "h2"
    changed = build_config({"freshness": 30})
    assert changed.version.startswith("h2-") and len(changed.version) <= 12
    with override_settings(HEALTH_WEIGHTS={"report_freshness": 25}):
        assert get_config().weights["freshness"] == 25
        assert get_config().version != "h2"


def test_backfill_command_shows_progress_and_is_idempotent(setup):
    proj, lead = setup
    t = hh.task(proj, lead, "Weekly", created=START, due=dt.date(2025, 8, 1))
    hh.report(t, AS_OF - 3 * D)
    out = StringIO()
    call_command("health_backfill", "--weeks", "8", "--now", AS_OF.isoformat(), stdout=out)
    text = out.getvalue()
    assert "project-weeks" in text and "100%" in text
    finals = HealthSnapshot.objects.filter(project=proj, is_final=True).count()
    assert finals > 0
    call_command("health_backfill", "--weeks", "8", "--now", AS_OF.isoformat(), stdout=StringIO())
    assert HealthSnapshot.objects.filter(project=proj, is_final=True).count() == finals
    call_command("health_backfill", "--weeks", "8", "--now", AS_OF.isoformat(), "--recompute", stdout=StringIO())
    assert HealthSnapshot.objects.filter(project=proj, is_final=True).count() == finals
    assert HealthWarning.objects.filter(project=proj).count() <= 1


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"task": "Sitemap", "days_to_due": 17, "last_report": "2025-03-20"}, "'Sitemap' is due in 17 days and has had no report since 20 Mar."),
        ({"task": "Sitemap", "days_to_due": 5, "last_report": None}, "'Sitemap' is due in 5 days and has had no report yet."),
        ({"task": "Sitemap", "days_to_due": -3, "last_report": None}, "'Sitemap' is 3 days overdue and has had no report yet."),
    ],
)
def test_exposure_sentence(params, text):
    with translation.override("en"):
        assert render_reason({"code": "warn.exposure", "params": params}) == text


def test_trend_reason_after_a_fall_of_ten_points(cfg):
    from engagement.health.engine import _trend

    assert _trend([80.0, 75.0, 72.0], 69.9, cfg) == {"drop": 10.1, "from": 80.0, "to": 69.9}
    assert _trend([80.0, 75.0, 72.0], 71.0, cfg) is None
    assert _trend([75.0, 72.0], 50.0, cfg) is None  # needs three earlier weeks


def test_project_is_at_risk_when_primary_and_backup_are_both_silent(db, cfg):
    from engagement.models import Stakeholder
    from projects.models import TaskSide

    proj = hh.project(start=dt.date(2025, 3, 1), created=START)
    anna = hh.person(proj, "Anna Primary", Role.CLIENT_LEAD, joined=START)
    boris = hh.person(proj, "Boris Backup", Role.CLIENT, joined=START)
    plan = hh.plan(proj, created=START, versions=[(1, START)], signed=(1, START + D), signer=anna)
    primary = hh.stakeholder(plan, anna, TaskSide.CLIENT, primary=True)
    hh.stakeholder(plan, boris, TaskSide.CLIENT, backup_for=primary)
    for person in (anna, boris):
        t = hh.task(proj, person, f"Task of {person.full_name}", created=START, due=dt.date(2025, 7, 1))
        hh.report(t, AS_OF - 20 * D)
    rows, state = compute_week(proj, AS_OF, None, config=cfg, final=False)
    project = rows[-1]
    assert all(state.persons[p.pk].warning and "R1" in state.persons[p.pk].warning["rules"] for p in (anna, boris))
    assert project["level"] == HealthLevel.AT_RISK
    assert project["reasons"][0]["code"] == "warn.silence"
    assert Stakeholder.objects.filter(plan=plan).count() == 2


def test_a_reason_with_missing_parameters_renders_its_code():
    assert render_reason({"code": "decisions.waiting", "params": {"title": "X"}}) == "decisions.waiting"
