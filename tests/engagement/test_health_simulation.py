"""health.md §4: a simulated cohort through the real path (rows → snapshot job → HealthWarning).

Every client person follows an engagement path e_w (engaged, fading, gone, bursty, holiday
declared / undeclared); their reports, meetings, decisions and unprompted actions are written
as rows with explicit timestamps, the 26 weeks are snapshotted oldest first by
`snapshot_project` (the code `health_backfill` runs), and the warnings it opened are measured.
Seeds are fixed, so the cohort is deterministic.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest

from engagement import models as em
from engagement.health.config import build_config
from engagement.health.snapshots import snapshot_project
from portal.accounts.models import Client, User
from projects import models as pm

TZ = ZoneInfo("Europe/Berlin")
S0 = dt.date(2025, 1, 6)  # a Monday: week 1 starts here
WEEKS = 26
SEED = 20251
ASSIGN_LEAD_DAYS = 35  # §4.3: each client task is assigned 5 weeks before its due date (the base generator)
# health.md §4.6 (b): the canonical trajectories, ten consecutive seeds each, none left out (see
# test_canonical_trajectories for the one that misses the two-week lead).
CANONICAL_SEEDS = tuple(range(10))
# Larger than §4.4's CI cohort (15 fading / 15 gone), so a rate of 90 % means something.
COHORT = {"engaged": 40, "fading": 40, "gone": 40, "bursty": 10, "holiday_declared": 5, "holiday_undeclared": 5}
DAY = dt.timedelta(days=1)

# The cohort fixture needs the test database even when this module runs on its own (pytest-django
# sets up only the databases that marked tests ask for).
pytestmark = pytest.mark.django_db


def local(day: dt.date, hour: float = 0.0) -> dt.datetime:
    return (dt.datetime.combine(day, dt.time(0), tzinfo=TZ) + dt.timedelta(hours=hour)).astimezone(dt.UTC)


def week_start(w: int) -> dt.date:
    return S0 + dt.timedelta(days=7 * (w - 1))


@contextmanager
def explicit_timestamps(*models):
    """Let bulk_create keep the created_at / updated_at we give (the simulation writes history)."""
    saved = []
    for model in models:
        for name in ("created_at", "updated_at"):
            try:
                f = model._meta.get_field(name)
            except Exception:  # noqa: S112
                continue
            saved.append((f, f.auto_now, f.auto_now_add))
            f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


# --- engagement paths (§4.4) ---------------------------------------------------------------------
@dataclass
class Spec:
    archetype: str
    rng: random.Random
    e: list = field(default_factory=list)  # index 1..26
    onset: int | None = None
    declared: bool = False


def _engaged_path(rng: random.Random, onset: int | None = None) -> list:
    base = rng.uniform(0.85, 0.97)
    e = [base] + [min(1.0, max(0.0, base + rng.gauss(0, 0.05))) for _ in range(WEEKS)]
    if rng.random() < 0.3:
        choices = [w for w in range(4, 26) if onset is None or abs(w - onset) > 1]
        e[rng.choice(choices)] = 0.0
    return e


def make_spec(archetype: str, index: int, seed: int = SEED) -> Spec:
    rng = random.Random(f"{seed}-{archetype}-{index}")
    spec = Spec(archetype, rng)
    if archetype in ("engaged", "holiday_declared", "holiday_undeclared"):
        spec.e = _engaged_path(rng)
        if archetype != "engaged":
            spec.e[13] = spec.e[14] = 0.0
            spec.declared = archetype == "holiday_declared"
    elif archetype in ("fading", "gone"):
        spec.onset = rng.randint(7, 15)
        spec.e = _engaged_path(rng, spec.onset)
        slope = rng.uniform(0.08, 0.15)
        base = spec.e[0]
        for w in range(spec.onset, WEEKS + 1):
            spec.e[w] = 0.0 if archetype == "gone" else max(0.1, base - slope * (w - spec.onset + 1))
    elif archetype in ("canonical_gone", "canonical_fading"):
        spec.onset = 9
        spec.e = [0.0] + [0.9] * WEEKS
        for w in range(9, WEEKS + 1):
            spec.e[w] = 0.0 if archetype == "canonical_gone" else max(0.1, 0.9 - 0.10 * (w - 8))
    elif archetype == "bursty":
        spec.e = [0.0]
        silent_run = 0
        for _ in range(WEEKS):
            active = silent_run >= 2 or rng.random() < 0.6
            silent_run = 0 if active else silent_run + 1
            spec.e.append(1.0 if active else 0.0)
    return spec


# --- event generators (§4.3) ---------------------------------------------------------------------
@dataclass
class SimTask:
    due: dt.date
    created: dt.datetime
    effort: float = 1.2
    completed: dt.datetime | None = None
    reports: list = field(default_factory=list)


def _weekday_time(rng: random.Random, w: int) -> dt.datetime:
    return local(week_start(w) + dt.timedelta(days=rng.randint(0, 4)), rng.uniform(9, 18))


def simulate(spec: Spec) -> dict:
    rng = spec.rng
    bursty = spec.archetype == "bursty"
    tasks = []
    for w in range(4, WEEKS + 1, 2):
        due = week_start(w) + dt.timedelta(days=6)
        assigned = max(S0, due + DAY - dt.timedelta(days=ASSIGN_LEAD_DAYS))
        tasks.append(SimTask(due=due, created=local(assigned)))
    meetings, decisions, risks, rsvps = [], [], [], []
    pending: list = []
    for w in range(1, WEEKS + 1):
        e = spec.e[w]
        start = local(week_start(w))
        open_tasks = [t for t in tasks if t.created <= start and t.completed is None]
        # reports on open tasks
        for t in open_tasks:
            if (bursty and e > 0) or (not bursty and rng.random() < e):
                t.reports.append(_weekday_time(rng, w))
        # work, earliest due first
        budget = e * (1.4 if bursty else 1.0)
        used = 0.0
        for t in sorted(open_tasks, key=lambda t: t.due):
            if budget <= 0:
                break
            spend = min(budget, t.effort)
            t.effort -= spend
            budget -= spend
            used += spend
            if t.effort <= 1e-9:
                fraction = used / max(e * (1.4 if bursty else 1.0), 1e-9)
                t.completed = start + dt.timedelta(days=5 * min(1.0, fraction), hours=9)
                t.reports.append(t.completed)
        # the Tuesday meeting
        held = rng.random() < 0.9
        p_attend = (0.75 if e > 0 else 0.0) if bursty else e
        attended = held and rng.random() < p_attend
        meetings.append((local(week_start(w) + DAY, 10), held, attended))
        # decisions requested this week
        for _ in range(_poisson(rng, 0.4)):
            requested = _weekday_time(rng, w)
            pending.append({"requested": requested, "answered": None})
            decisions.append(pending[-1])
        week_end = start + dt.timedelta(days=7)
        for d in list(pending):
            if d["requested"] >= week_end:
                continue
            answer_p = 1.0 if bursty and e > 0 else e
            if rng.random() < answer_p:
                base = max(d["requested"], start)
                latency = rng.uniform(0, 2) if bursty else rng.expovariate(1 / 1.5)
                at = base + dt.timedelta(days=latency)
                if at < week_end:
                    d["answered"] = at
                    pending.remove(d)
        # unprompted actions, a third each: an extra report, an RSVP change, a raised risk
        for _ in range(_poisson(rng, 1.5 * e * (1.3 if bursty else 1.0))):
            still_open = [t for t in tasks if t.created <= start and (t.completed is None or t.completed > start)]
            when = _weekday_time(rng, w)
            kind = rng.choice(("report", "rsvp", "risk"))
            if kind == "report" and still_open:
                rng.choice(still_open).reports.append(when)
            elif kind == "rsvp":
                rsvps.append(when)
            else:
                risks.append(when)
    return {"tasks": tasks, "meetings": meetings, "decisions": decisions, "risks": risks, "rsvps": rsvps}


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    threshold, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


# --- writing the rows ----------------------------------------------------------------------------
def build_cohort(cohort: list[Spec]) -> list[tuple[Spec, pm.Project, User, dict]]:
    manager = User.objects.create_user(email="sim-pm@example.com", full_name="Sim PM", time_zone="Europe/Moscow")
    clients = Client.objects.bulk_create([Client(name=f"Sim client {i}", time_zone="Europe/Berlin") for i in range(len(cohort))])
    people = User.objects.bulk_create(
        [User(email=f"sim{i}@client.example", full_name=f"{s.archetype} {i}", kind=User.Kind.CLIENT, organisation=c, time_zone="Europe/Berlin") for i, (s, c) in enumerate(zip(cohort, clients, strict=True))]
    )
    with explicit_timestamps(pm.Project, pm.Membership, pm.Task, em.CommunicationPlan, em.Meeting, em.Decision, em.Stakeholder, pm.Risk, em.MeetingSeries):
        created = local(S0 - DAY)
        projects = pm.Project.objects.bulk_create(
            [
                pm.Project(client=c, name=f"Sim {i}", slug=f"sim-{i}", manager=manager, status=pm.ProjectStatus.ACTIVE, start_date=S0, created_at=created, updated_at=created)
                for i, c in enumerate(clients)
            ]
        )
        pm.Membership.objects.bulk_create(
            [pm.Membership(project=p, user=u, role=pm.Role.CLIENT_LEAD, created_at=created, updated_at=created) for p, u in zip(projects, people, strict=True)]
            + [pm.Membership(project=p, user=manager, role=pm.Role.MANAGER, created_at=created, updated_at=created) for p in projects]
        )
        signed = local(S0 + DAY * 2, 11)
        plans = em.CommunicationPlan.objects.bulk_create(
            [
                em.CommunicationPlan(
                    project=p, expectations="Weekly status", client_response_hours=72, escalation_path="PM, then sponsor",
                    signed_off_by=u, signed_off_at=signed, signed_off_version=1, created_at=created, updated_at=created,
                )
                for p, u in zip(projects, people, strict=True)
            ]
        )
        client_primary = em.Stakeholder.objects.bulk_create(
            [em.Stakeholder(plan=pl, user=u, side=pm.TaskSide.CLIENT, is_primary=True, created_at=created, updated_at=created) for pl, u in zip(plans, people, strict=True)]
        )
        team_primary = em.Stakeholder.objects.bulk_create(
            [em.Stakeholder(plan=pl, user=manager, side=pm.TaskSide.TEAM, is_primary=True, created_at=created, updated_at=created) for pl in plans]
        )
        em.Stakeholder.objects.bulk_create(
            [em.Stakeholder(plan=pl, external_name="Backup", side=pm.TaskSide.CLIENT, backup_for=cp, created_at=created, updated_at=created) for pl, cp in zip(plans, client_primary, strict=True)]
            + [em.Stakeholder(plan=pl, external_name="Team backup", side=pm.TaskSide.TEAM, backup_for=tp, created_at=created, updated_at=created) for pl, tp in zip(plans, team_primary, strict=True)]
        )
        series = em.MeetingSeries.objects.bulk_create(
            [em.MeetingSeries(project=p, title="Weekly", rrule="FREQ=WEEKLY;BYDAY=TU", first_start=local(S0 + DAY, 10), time_zone="Europe/Berlin", created_at=created, updated_at=created) for p in projects]
        )
        sims = [simulate(s) for s in cohort]
        tasks, meetings, decisions, risks, absences = [], [], [], [], []
        for spec, p, u, sim, ser in zip(cohort, projects, people, sims, series, strict=True):
            for j, t in enumerate(sim["tasks"]):
                done = t.completed is not None
                tasks.append(pm.Task(
                    project=p, title=f"Deliverable {j + 1}", owner=u, side=pm.TaskSide.CLIENT, due_date=t.due, report_cadence_days=7,
                    status=pm.TaskStatus.DONE if done else pm.TaskStatus.TODO, completed_at=t.completed,
                    created_at=t.created, updated_at=t.completed or t.created,
                ))
            for k, (start, held, _attended) in enumerate(sim["meetings"]):
                meetings.append(em.Meeting(
                    project=p, series=ser, title=f"Weekly {k + 1}", starts_at=start, ends_at=start + dt.timedelta(hours=1),
                    original_start=start, status=em.MeetingStatus.HELD if held else em.MeetingStatus.CANCELLED,
                    cancel_reason="" if held else "conflict", time_zone="Europe/Berlin", created_at=created, updated_at=created,
                ))
            for k, d in enumerate(sim["decisions"]):
                decisions.append(em.Decision(
                    project=p, title=f"Decision {k + 1}", recorded_by=manager, involvement=em.Involvement.APPROVAL,
                    requested_at=d["requested"], created_at=d["requested"], updated_at=d["requested"],
                ))
            risks.extend(pm.Risk(project=p, title="Raised by the client", raised_by=u, created_at=at, updated_at=at) for at in sim["risks"])
            if spec.declared:
                absences.append(em.Absence(user=u, project=p, starts_on=week_start(13), ends_on=week_start(14) + dt.timedelta(days=6)))
        tasks = pm.Task.objects.bulk_create(tasks, batch_size=500)
        meetings = em.Meeting.objects.bulk_create(meetings, batch_size=500)
        decisions = em.Decision.objects.bulk_create(decisions, batch_size=500)
        pm.Risk.objects.bulk_create(risks, batch_size=500)
        em.Absence.objects.bulk_create(absences)
    task_iter, meeting_iter, decision_iter = iter(tasks), iter(meetings), iter(decisions)
    reports, attendance, responses = [], [], []
    for u, sim in zip(people, sims, strict=True):
        for t in sim["tasks"]:
            row = next(task_iter)
            for at in sorted(t.reports):
                reports.append(pm.ProgressReport(task=row, author=u, created_at=at, percent=50, state=pm.ReportState.ON_TRACK))
        for start, held, attended in sim["meetings"]:
            row = next(meeting_iter)
            attendance.append(em.Attendance(
                meeting=row, user=u, attended=attended if held else None,
                rsvp=em.Rsvp.YES if attended else em.Rsvp.NONE, rsvp_at=start - DAY if attended else None,
            ))
        for d in sim["decisions"]:
            row = next(decision_iter)
            if d["answered"]:
                responses.append(em.DecisionResponse(decision=row, user=u, kind="approved", at=d["answered"]))
    # RSVP changes leave no row of their own but an audit event with the client as actor.
    pm.AuditEvent.objects.bulk_create(
        [
            pm.AuditEvent(project=p, actor=u, at=at, action="meeting.rsvp", object_type="attendance", object_id="0")
            for p, u, sim in zip(projects, people, sims, strict=True)
            for at in sim["rsvps"]
        ],
        batch_size=1000,
    )
    pm.ProgressReport.objects.bulk_create(reports, batch_size=1000)
    em.Attendance.objects.bulk_create(attendance, batch_size=1000)
    em.DecisionResponse.objects.bulk_create(responses, batch_size=1000)
    return list(zip(cohort, projects, people, sims, strict=True))


# --- measuring (§4.5) ----------------------------------------------------------------------------
def first_overdue(sim: dict) -> dt.datetime | None:
    for t in sorted(sim["tasks"], key=lambda t: t.due):
        deadline = local(t.due + DAY)
        if t.completed is None or t.completed > deadline:
            return deadline
    return None


def run_cohort(cohort: list[Spec], **overrides) -> list[dict]:
    rows = build_cohort(cohort)
    cfg = build_config(**overrides)
    now = local(week_start(WEEKS) + dt.timedelta(days=8), 1)
    warnings = defaultdict(list)
    for _spec, project, _user, _sim in rows:
        snapshot_project(project=project, now=now, provisional=False, config=cfg)
    for w in em.HealthWarning.objects.order_by("opened_at"):
        warnings[w.project_id].append(w)
    results = []
    for spec, project, _user, sim in rows:
        onset = local(week_start(spec.onset)) if spec.onset else None
        opened = warnings[project.pk]
        od = first_overdue(sim)
        after = [w for w in opened if onset is None or w.opened_at >= onset]
        lead = (od - after[0].opened_at).days if od and after and after[0].opened_at <= od else None
        results.append({"spec": spec, "warnings": opened, "od": od, "lead": lead, "onset": onset, "before_onset": [w for w in opened if onset and w.opened_at < onset]})
    return results


def _share(items, predicate) -> float:
    items = list(items)
    return sum(1 for i in items if predicate(i)) / len(items) if items else 0.0


@pytest.fixture(scope="module")
def cohort_results(django_db_setup, django_db_blocker):
    cohort = (
        [make_spec(archetype, i) for archetype, n in COHORT.items() for i in range(n)]
        + [make_spec("canonical_gone", i) for i in CANONICAL_SEEDS]
        + [make_spec("canonical_fading", i) for i in CANONICAL_SEEDS]
    )
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            results = run_cohort(cohort)
            by = defaultdict(list)
            for r in results:
                by[r["spec"].archetype].append(r)
            transaction.set_rollback(True)
    return by


def _report(by) -> str:
    lines = []
    for name, rows in by.items():
        leads = [r["lead"] for r in rows if r["lead"] is not None]
        gaps = sorted((r["od"] - r["onset"]).days for r in rows if r["od"] and r["onset"])
        lines.append(f"{name}: n={len(rows)} flagged={_share(rows, lambda r: r['warnings']):.0%} leads={sorted(leads)} od-onset={gaps}")
    return "\n".join(lines)


def test_engaged_clients_are_rarely_flagged(cohort_results):
    engaged = cohort_results["engaged"]
    assert _share(engaged, lambda r: r["warnings"]) <= 0.10, _report(cohort_results)


def _ahead(r) -> bool:
    return r["lead"] is not None and r["lead"] >= 14


def test_gone_clients_are_flagged_two_weeks_before_their_first_overdue_deadline(cohort_results):
    gone = [r for r in cohort_results["gone"] if r["od"] is not None]
    assert len(gone) >= 30
    assert _share(gone, _ahead) >= 0.95, _report(cohort_results)
    # §4.5 "oracle context": silence is the only evidence a gone client leaves, and R1 needs two weeks of it,
    # so a deadline less than four weeks after the client vanished cannot be warned about 14 days ahead.
    # Every gone client whose first overdue deadline leaves that room must be caught.
    reachable = [r for r in gone if r["od"] - r["onset"] >= dt.timedelta(days=28)]
    assert all(_ahead(r) for r in reachable), _report(cohort_results)


def test_fading_clients_are_flagged_two_weeks_before_their_first_overdue_deadline(cohort_results):
    fading = [r for r in cohort_results["fading"] if r["od"] is not None]
    assert len(fading) >= 30
    # health.md §4.6: ≥ 90 % of fading clients warned at least 14 days before their first overdue deadline.
    assert _share(fading, _ahead) >= 0.90, _report(cohort_results)
    assert all(r["lead"] is not None and r["lead"] >= 0 for r in fading), _report(cohort_results)


def test_median_lead_of_fading_and_gone_is_at_least_two_weeks(cohort_results):
    leads = [r["lead"] if r["lead"] is not None else -999 for k in ("fading", "gone") for r in cohort_results[k] if r["od"] is not None]
    assert statistics.median(leads) >= 14, _report(cohort_results)


def test_canonical_trajectories(cohort_results):
    """§4.6 (b): gone after 8 engaged weeks, fading from 0.9 at −0.10/week, ten consecutive seeds each.

    Not every seed can pass: the events are random even when the engagement path is not. Over 100 seeds
    this generator gives 99 % (gone) and 95 % (fading) at lead ≥ 14 days (docs/health.md, "Calibration");
    health.md's prototype gives 99 % and 98 %. Seed 8 of the fading trajectory is one of the misses and
    stays in the set: at e = 0.8…0.3 it met 9 of its 12 commitments in weeks 10–15 (one week had none),
    so R2 had no evidence until its silent week 16, and R1 flagged it 11 days before the deadline.
    """
    for name in ("canonical_gone", "canonical_fading"):
        rows = cohort_results[name]
        assert len(rows) == len(CANONICAL_SEEDS)
        for row in rows:
            assert row["od"] is not None
            assert row["lead"] is not None and row["lead"] >= 7, _report(cohort_results)
            assert not row["before_onset"]
        assert _share(rows, _ahead) >= 0.9, _report(cohort_results)


def test_declared_holidays_are_not_flagged(cohort_results):
    assert _share(cohort_results["holiday_declared"], lambda r: r["warnings"]) <= 0.10, _report(cohort_results)


def test_undeclared_holidays_are_flagged_and_cleared_within_three_weeks_of_return(cohort_results):
    back = local(week_start(15))
    rows = cohort_results["holiday_undeclared"]
    assert _share(rows, lambda r: r["warnings"]) >= 0.8, _report(cohort_results)

    def cleared(r):
        holiday = [w for w in r["warnings"] if local(week_start(13)) <= w.opened_at < back + dt.timedelta(days=7)]
        return bool(holiday) and holiday[0].closed_at is not None and holiday[0].closed_at <= back + dt.timedelta(days=21)

    assert _share(rows, cleared) >= 0.8, _report(cohort_results)


def test_bursty_clients_are_not_flagged_over_and_over(cohort_results):
    burden = statistics.fmean(len(r["warnings"]) for r in cohort_results["bursty"])
    assert burden <= 2, _report(cohort_results)
