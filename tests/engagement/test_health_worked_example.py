"""health.md §5 reproduced: "Acme website relaunch", week 2025-W14, through the database loader."""

from __future__ import annotations

import datetime as dt

import pytest

from engagement.health.config import build_config
from engagement.health.engine import ProjectState, compute_week
from engagement.health.loader import load_history
from engagement.health.signals import compute_signals
from engagement.health.warnings import PersonState, cusum_update, exposure, increments, p0_from, r1_check
from engagement.models import HealthLevel, MeetingStatus
from projects.models import Role, TaskSide, TaskStatus
from tests.engagement import test_health_helpers as hh

AS_OF = hh.at("2025-04-07 00:00", "Europe/Berlin")  # Mon 7 Apr 2025 00:00 Berlin = 6 Apr 22:00 UTC
D = dt.timedelta(days=1)
LONG_AGO = hh.at("2025-01-02 09:00")


@pytest.fixture
def acme(db):
    proj = hh.project(start=dt.date(2025, 1, 1), created=LONG_AGO)
    anna = hh.person(proj, "Anna Petrova", Role.CLIENT_LEAD, joined=LONG_AGO)
    boris = hh.person(proj, "Boris Ivanov", Role.CLIENT, joined=LONG_AGO)
    team_pm = proj.manager

    plan = hh.plan(
        proj,
        created=LONG_AGO,
        versions=[(1, LONG_AGO), (2, hh.at("2025-02-01 10:00")), (3, hh.at("2025-03-20 00:00", "Europe/Berlin") - dt.timedelta(hours=2))],
        signed=(2, hh.at("2025-02-05 10:00")),
        signer=anna,
        escalation_path="",  # the 1 of 10 checklist items missing
    )
    primary = hh.stakeholder(plan, anna, TaskSide.CLIENT, primary=True)
    hh.stakeholder(plan, boris, TaskSide.CLIENT, backup_for=primary)
    team_primary = hh.stakeholder(plan, team_pm, TaskSide.TEAM, primary=True)
    hh.stakeholder(plan, hh.person(proj, "Team backup", Role.TEAM), TaskSide.TEAM, backup_for=team_primary)

    from tests import factories as f

    f.MeetingSeriesFactory(project=proj)
    due_later = dt.date(2025, 5, 15)
    # Anna's open tasks: T1 and T3 fresh, T2 stale.
    t1 = hh.task(proj, anna, "T1", created=LONG_AGO, due=due_later)
    t2 = hh.task(proj, anna, "T2", created=LONG_AGO, due=due_later)
    t3 = hh.task(proj, anna, "T3", created=LONG_AGO, due=due_later)
    hh.report(t1, AS_OF - 3.32 * D)  # 3 Apr 16:20 — Anna's last action
    hh.report(t2, AS_OF - 12.9 * D)
    hh.report(t3, AS_OF - 4.5 * D)
    # Boris's open tasks, both stale.
    sitemap = hh.task(proj, boris, "Approve sitemap", created=LONG_AGO, due=dt.date(2025, 4, 17))
    t5 = hh.task(proj, boris, "T5", created=LONG_AGO, due=due_later)
    hh.report(sitemap, hh.at("2025-03-20 11:00", "Europe/Berlin"))
    hh.report(t5, hh.at("2025-03-24 11:00", "Europe/Berlin"))
    # Tasks due in the window: Anna 3 (2 on time), Boris 2 (2 on time).
    for owner, due, done in (
        (anna, dt.date(2025, 2, 20), hh.at("2025-02-19 12:00")),
        (anna, dt.date(2025, 3, 10), hh.at("2025-03-09 12:00")),
        (anna, dt.date(2025, 3, 14), hh.at("2025-03-18 12:00")),
        (boris, dt.date(2025, 2, 27), hh.at("2025-02-26 12:00")),
        (boris, dt.date(2025, 3, 21), hh.at("2025-03-20 12:00")),
    ):
        hh.task(proj, owner, f"Done {due}", created=LONG_AGO, due=due, status=TaskStatus.DONE, completed=done)

    # Decisions (target 72 h). D1–D4 go to Anna (primary), D5–D6 to Boris (linked to his task).
    for title, requested, latency in (
        ("D1", hh.at("2025-02-12 10:00"), 1.0),
        ("D2", hh.at("2025-03-05 10:00"), 2.5),
        ("D3", hh.at("2025-03-12 10:00"), 6.0),
    ):
        hh.respond(hh.decision(proj, title, requested), anna, requested + latency * D)
    hh.decision(proj, "Hosting provider", AS_OF - 9.0 * D)
    boris_last = AS_OF - 9.375 * D  # 28 Mar 15:00 wall-clock
    d5 = hh.decision(proj, "CMS licence", boris_last - dt.timedelta(days=4, hours=5), task=sitemap)
    hh.respond(d5, boris, boris_last)
    hh.decision(proj, "D6", AS_OF - 5.0 * D, task=sitemap)

    # Meetings: 8 Tuesdays held (one rescheduled), one extra occurrence cancelled by the team.
    tuesdays = [hh.at(f"2025-{d} 10:00", "Europe/Berlin") for d in ("02-11", "02-18", "02-25", "03-04", "03-11", "03-18", "03-25", "04-01")]
    anna_missed = {tuesdays[1]}
    boris_missed = {tuesdays[0], tuesdays[6], tuesdays[7]}
    for start in tuesdays:
        attended = [p for p, missed in ((anna, anna_missed), (boris, boris_missed)) if start not in missed]
        if start == tuesdays[3]:
            hh.meeting(proj, start + D, original=start, invited=(anna, boris), attended=attended)
        else:
            hh.meeting(proj, start, invited=(anna, boris), attended=attended)
    hh.meeting(proj, hh.at("2025-03-13 10:00", "Europe/Berlin"), status=MeetingStatus.CANCELLED)
    return proj, anna, boris


def test_worked_example_sub_scores_and_scores(acme):
    proj, anna, boris = acme
    cfg = build_config()
    h = load_history(proj, AS_OF)

    a = compute_signals(h, cfg, AS_OF, anna.pk)
    assert a["freshness"]["sub"] == 68.8
    assert a["decisions"]["sub"] == pytest.approx(64.7, abs=0.1)
    assert a["recency"]["sub"] == 100
    assert a["attendance"]["sub"] == 86.1
    assert a["ontime"]["sub"] == 68.8
    assert a["overdue"]["sub"] == 100
    assert a["plan"]["sub"] == 65.0
    assert a["consistency"]["sub"] is None

    b = compute_signals(h, cfg, AS_OF, boris.pk)
    assert b["freshness"]["sub"] == 25.0
    assert b["decisions"]["sub"] == pytest.approx(44.3, abs=0.1)
    assert b["recency"]["sub"] == pytest.approx(88.7, abs=0.1)
    assert b["attendance"]["sub"] == 63.9
    assert b["ontime"]["sub"] == 91.7
    assert b["overdue"]["sub"] == 100
    assert b["plan"]["sub"] is None

    j = compute_signals(h, cfg, AS_OF, None)
    assert j["freshness"]["sub"] == 45.8
    assert j["decisions"]["sub"] == pytest.approx(52.9, abs=0.1)
    assert j["recency"]["sub"] == pytest.approx(94.3, abs=0.11)  # mean(100, 88.7) = 94.35
    assert j["attendance"]["sub"] == 75.0
    assert j["consistency"]["sub"] == 82.5
    assert j["ontime"]["sub"] == 79.2
    assert j["overdue"]["sub"] == 100
    assert j["plan"]["sub"] == 65.0


def test_worked_example_levels_and_reasons(acme):
    proj, anna, boris = acme
    previous = ProjectState(level=HealthLevel.HEALTHY, scores=[80.0, 78.0, 76.1])
    previous.persons[anna.pk] = PersonState(level=HealthLevel.HEALTHY)
    previous.persons[boris.pk] = PersonState(level=HealthLevel.HEALTHY)

    rows, _state = compute_week(proj, AS_OF, previous, config=build_config(), final=False)
    by_person = {r["person_id"]: r for r in rows}

    assert by_person[anna.pk]["score"] == pytest.approx(77.5, abs=0.1)
    assert by_person[anna.pk]["level"] == HealthLevel.HEALTHY
    assert by_person[anna.pk]["coverage"] == 1.0
    assert by_person[boris.pk]["score"] == pytest.approx(62.0, abs=0.1)
    assert by_person[boris.pk]["level"] == HealthLevel.WATCH
    project = by_person[None]
    assert project["score"] == pytest.approx(69.9, abs=0.1)
    assert project["level"] == HealthLevel.WATCH
    codes = [r["code"] for r in project["reasons"]]
    # Worst weighted shortfall first: freshness (10.8), then decisions (9.4).
    assert codes[:2] == ["freshness.stale", "decisions.waiting"]
    waiting = project["reasons"][1]["params"]
    assert waiting["title"] == "Hosting provider" and waiting["days"] == 9 and waiting["person"] == "Anna Petrova"
    assert "plan.unsigned" in codes


def test_worked_example_cusum_arithmetic_for_boris():
    cfg = build_config()
    # Baseline W02–W10: 27 obligations, 2 missed.
    p0 = p0_from(2, 27, cfg)
    assert p0 == pytest.approx(0.0946, abs=1e-4)
    inc_miss, inc_met = increments(p0, cfg)
    assert inc_miss == pytest.approx(1.136, abs=1e-3)
    assert inc_met == pytest.approx(-0.250, abs=1e-3)
    step = {"inc_miss": inc_miss, "inc_met": inc_met, "excused": False}
    s11 = cusum_update(0.0, met=3, missed=0, present=True, **step)
    s12 = cusum_update(s11, met=2, missed=1, present=True, **step)
    s13 = cusum_update(s12, met=1, missed=3, present=True, **step)
    s14 = cusum_update(s13, met=0, missed=4, present=False, **step)
    assert s11 == 0
    assert s12 == pytest.approx(0.64, abs=0.01)
    assert s13 == pytest.approx(3.80, abs=0.01)
    assert s14 == pytest.approx(4.93, abs=0.01)  # an absent week adds one miss at most
    assert s13 >= cfg.r2_h_exposed and s13 < cfg.r2_h  # fires only because "Approve sitemap" is exposed
    # Boris comes back in W15: all 3 commitments met.
    assert cusum_update(s14, met=3, missed=0, present=True, **step) == pytest.approx(4.18, abs=0.01)
    assert cusum_update(s14, met=0, missed=0, present=False, inc_miss=inc_miss, inc_met=inc_met, excused=True) == s14


def test_worked_example_boris_is_exposed_and_silence_threshold(acme):
    proj, _anna, boris = acme
    cfg = build_config()
    h = load_history(proj, AS_OF)
    exposed = exposure(h, cfg, boris.pk, hh.at("2025-03-31 00:00", "Europe/Berlin"))
    assert exposed["task"] == "Approve sitemap"
    assert exposed["days_to_due"] == 17
    assert exposed["last_report"] == "2025-03-20"
    # E = 7 and no long gaps: R1 needs more than 14 silent days; Boris has 9.4 at W14's end.
    assert r1_check(h, cfg, boris.pk, AS_OF) is None
    fired = r1_check(h, cfg, boris.pk, AS_OF + 5 * D)
    assert fired is not None and fired["threshold"] == 14.0 and fired["days"] == 14
