"""Builds one project's history as unsaved rows, in dependency stages, for `bulk_create`.

Both the demo set and `--scale N` use it. Rows reference unsaved parents; Django fills
the foreign keys from the parents' primary keys once the earlier stage is inserted.
The demo data spans both apps, so it lives in `engagement`, the upper layer.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from engagement.demo import content as c
from engagement.demo.rows import Rows, stamp
from engagement.models import (
    Attendance,
    CommunicationPlan,
    Decision,
    DecisionResponse,
    Meeting,
    MeetingSeries,
    Milestone,
    PlanVersion,
    Stakeholder,
)
from projects.models import AuditEvent, Invitation, Membership, ProgressReport, Project, Risk, Role, Task, TaskSide


@dataclass
class Cast:
    manager: object
    team: list
    lead: object
    clients: list

    @property
    def client_people(self) -> list:
        return [self.lead, *self.clients]

    @property
    def staff(self) -> list:
        return [self.manager, *self.team]


@dataclass
class Shape:
    """How much history one project gets."""

    weeks: int = 12
    weeks_ahead: int = 4
    client_tasks: int = 8
    team_tasks: int = 8
    decisions: int = 7
    risks: int = 5
    plan: str = "signed"  # signed | requested | changed | draft
    weekday: int = 1
    hour: int = 10
    time_zone: str = "Europe/Moscow"
    invite: str | None = None


class ProjectBuilder:
    def __init__(self, *, rows: Rows, rng: random.Random, project: Project, cast: Cast, shape: Shape, now: dt.datetime):
        self.rows, self.rng, self.project, self.cast, self.shape, self.now = rows, rng, project, cast, shape, now
        self.start = now - dt.timedelta(weeks=shape.weeks)
        self.tasks: list[Task] = []
        self.meetings: list = []

    def build(self) -> None:
        self.rows.add(0, stamp(self.project, self.start))
        self.memberships()
        self.plan()
        self.meeting_series()
        self.task_list()
        self.decisions()
        self.risk_list()
        self.milestones()
        if self.shape.invite:
            self.rows.add(1, stamp(Invitation(
                project=self.project, email=self.shape.invite, role=Role.CLIENT, invited_by=self.cast.manager,
                nonce=f"demo-{self.project.slug}-{self.rng.getrandbits(64):x}", expires_at=self.now + dt.timedelta(days=5),
                sent_count=1,
            ), self.now - dt.timedelta(days=2)))

    # --- people and plan ---------------------------------------------------------------
    def memberships(self) -> None:
        roles = [(self.cast.manager, Role.MANAGER), *((u, Role.TEAM) for u in self.cast.team),
                 (self.cast.lead, Role.CLIENT_LEAD), *((u, Role.CLIENT) for u in self.cast.clients)]
        for user, role in roles:
            self.rows.add(1, stamp(Membership(project=self.project, user=user, role=role), self.start))

    def plan(self) -> None:
        s, p = self.shape, self.project
        version = 1 if s.plan == "draft" else 2
        plan = CommunicationPlan(
            project=p, version=version,
            expectations=(
                f"We meet every week to review progress on {p.name}. Every task owner reports at least weekly in the "
                "portal; decisions that need the client are answered within the response target."
            ),
            status_update_cadence_days=7, digest_weekday=0, digest_hour=8,
            client_response_hours=48, team_response_hours=24,
            escalation_path=f"1. Project manager ({self.cast.manager.full_name})\n2. Delivery director\n3. Client sponsor",
            channels="Portal for reports and decisions; e-mail for meeting invitations; phone for urgent issues.",
        )
        signed_at = self.start + dt.timedelta(days=10)
        if s.plan in ("signed", "changed"):
            plan.signed_off_by, plan.signed_off_at = self.cast.lead, signed_at
            plan.signed_off_version = version if s.plan == "signed" else 1
            plan.sign_off_requested_at = signed_at - dt.timedelta(days=2)
        elif s.plan == "requested":
            plan.sign_off_requested_at = self.now - dt.timedelta(days=3)
        self.rows.add(1, stamp(plan, self.start + dt.timedelta(days=2)))
        sh = Stakeholder
        team_lead = sh(plan=plan, user=self.cast.manager, side=TaskSide.TEAM, responsibility="Delivery and communication",
                       raci="A", is_primary=True, channel="email")
        client_lead = sh(plan=plan, user=self.cast.lead, side=TaskSide.CLIENT, responsibility="Business owner, approvals",
                         raci="A", is_primary=True, channel="video")
        for obj in (team_lead, client_lead):
            self.rows.add(2, stamp(obj, self.start + dt.timedelta(days=2)))
        others = [sh(plan=plan, external_name="Finance controller", external_email=f"finance@{p.slug}.example",
                     side=TaskSide.CLIENT, responsibility="Budget sign-off", raci="I", channel="email")]
        if self.cast.team:
            others.append(sh(plan=plan, user=self.cast.team[0], side=TaskSide.TEAM, responsibility="Technical lead",
                             raci="R", backup_for=team_lead, channel="chat"))
        if self.cast.clients:
            others.append(sh(plan=plan, user=self.cast.clients[0], side=TaskSide.CLIENT, responsibility="Day-to-day contact",
                             raci="R", backup_for=client_lead, channel="email"))
        for obj in others:
            self.rows.add(3, stamp(obj, self.start + dt.timedelta(days=3)))
        people = [team_lead, client_lead, *others]
        snapshot = {k: getattr(plan, k) for k in ("expectations", "status_update_cadence_days", "digest_weekday", "digest_hour",
                                                   "client_response_hours", "team_response_hours", "escalation_path", "channels")}
        snapshot["stakeholders"] = [{"name": o.name, "side": o.side, "raci": o.raci, "is_primary": o.is_primary} for o in people]
        for v in range(1, version + 1):
            signed = v == plan.signed_off_version
            self.rows.add(2, stamp(PlanVersion(
                plan=plan, version=v, content=snapshot, created_by=self.cast.manager,
                signed_off_by=plan.signed_off_by if signed else None, signed_off_at=plan.signed_off_at if signed else None,
            ), plan.created_at))

    # --- meetings ------------------------------------------------------------------------
    def meeting_series(self) -> None:
        s, zone = self.shape, ZoneInfo(self.shape.time_zone)
        local = self.start.astimezone(zone).replace(hour=s.hour, minute=0, second=0, microsecond=0)
        local += dt.timedelta(days=(s.weekday - local.weekday()) % 7)
        series = MeetingSeries(
            project=self.project, title="Weekly check-in", purpose="Progress, blockers, decisions needed from the client.",
            rrule=f"FREQ=WEEKLY;BYDAY={c.DAYS[s.weekday]}", first_start=local.astimezone(dt.UTC), duration_minutes=45,
            time_zone=s.time_zone, location="https://meet.example.com/" + self.project.slug, organiser=self.cast.manager,
            agenda_template="1. Reports since last week\n2. Blockers\n3. Decisions needed\n4. Next steps",
        )
        self.rows.add(1, stamp(series, self.start))
        attendees = [self.cast.manager, *self.cast.team[:1], self.cast.lead, *self.cast.clients[:2]]
        through = MeetingSeries.attendees.through
        for user in attendees:
            self.rows.add(2, through(meetingseries=series, user=user))
        horizon = self.now + dt.timedelta(weeks=s.weeks_ahead)
        n, last = 0, None
        while True:
            # Wall-clock 10:00 in the series' zone each week, whatever the offset that day.
            naive = local.replace(tzinfo=None) + dt.timedelta(weeks=n)
            start = naive.replace(tzinfo=zone).astimezone(dt.UTC)
            if start > horizon:
                break
            self.meetings.append(self.meeting(series, start, n, attendees))
            last, n = start, n + 1
        series.materialised_until = last

    def meeting(self, series, start: dt.datetime, n: int, attendees: list):
        rng, past = self.rng, start < self.now
        meeting = Meeting(
            series=series, project=self.project, title=series.title, starts_at=start,
            ends_at=start + dt.timedelta(minutes=series.duration_minutes), original_start=start,
            time_zone=series.time_zone, location=series.location, agenda=series.agenda_template,
        )
        roll = rng.random()
        if past and roll < 0.12:
            meeting.status, meeting.cancel_reason = "cancelled", rng.choice(c.CANCEL_REASONS)
            meeting.cancelled_at, meeting.sequence = start - dt.timedelta(days=1), 1
        elif past:
            if roll < 0.2:
                meeting.rescheduled_from = start
                meeting.starts_at = start + dt.timedelta(days=1)
                meeting.ends_at = meeting.starts_at + dt.timedelta(minutes=series.duration_minutes)
                meeting.sequence = 1
            meeting.status, meeting.minutes = "held", rng.choice(c.MINUTES)
            meeting.held_at = meeting.ends_at
        elif n and not any(m.status == "scheduled" for m in self.meetings):
            meeting.agenda = series.agenda_template + "\n\nOpen items: review overdue client tasks; launch checklist."
        self.rows.add(2, stamp(meeting, min(start, self.now) - dt.timedelta(days=7)))
        att = Attendance
        for user in attendees:
            a = att(meeting=meeting, user=user)
            if meeting.status != "cancelled":
                a.rsvp = rng.choice(["yes", "yes", "yes", "maybe", "none"]) if past or rng.random() < 0.5 else "none"
                a.rsvp_at = meeting.starts_at - dt.timedelta(days=2) if a.rsvp != "none" else None
            if meeting.status == "held":
                a.attended = rng.random() > (0.25 if user.kind == "client" else 0.05)
            self.rows.add(3, a)
        return meeting

    # --- tasks and reports ----------------------------------------------------------------
    STATES = ["done", "in_progress", "blocked", "todo", "in_progress", "done", "cancelled", "todo_overdue", "at_risk", "done"]

    def task_list(self) -> None:
        s = self.shape
        for side, n, pool, owners in (
            (TaskSide.CLIENT, s.client_tasks, c.CLIENT_TASKS, self.cast.client_people),
            (TaskSide.TEAM, s.team_tasks, c.TEAM_TASKS, self.cast.staff),
        ):
            for i in range(n):
                state = self.STATES[i % len(self.STATES)] if i < len(self.STATES) else self.rng.choice(self.STATES)
                title, description = pool[i % len(pool)]
                if i >= len(pool):
                    title = f"{title} ({i // len(pool) + 1})"
                internal = side == TaskSide.TEAM and i % 6 == 5
                self.task(side, state, title, description, owners[i % len(owners)], internal)

    def task(self, side, state, title, description, owner, internal) -> None:
        rng, now = self.rng, self.now
        span = max(1, (now - self.start).days - 2)
        if state in ("done", "cancelled"):
            created = self.start + dt.timedelta(days=rng.randint(0, max(0, span - 20)))
        else:
            created = now - dt.timedelta(days=rng.randint(3, min(span, 120) + 3))
        task = Task(
            project=self.project, title=title, description=description, owner=owner, side=side, internal=internal,
            priority=rng.choice(["low", "normal", "normal", "normal", "high", "urgent"]), created_by=self.cast.manager,
            report_cadence_days=7,
        )
        stamp(task, created)
        reports: list[tuple[dt.datetime, int, str]] = []
        if state == "done":
            task.status = "done"
            # Never in the future: a young project's done task was finished (and reported on) before today.
            task.completed_at = min(created + dt.timedelta(days=rng.randint(7, 40)), now - dt.timedelta(hours=rng.randint(2, 48)))
            task.due_date = (task.completed_at + dt.timedelta(days=rng.randint(-5, 7))).date()
            reports = self._series(created, task.completed_at, rng.randint(5, 9), final=("done", 100))
        elif state == "cancelled":
            task.status = "cancelled"
            task.due_date = (created + dt.timedelta(days=30)).date()
            reports = self._series(created, created + dt.timedelta(days=14), rng.randint(0, 2))
        elif state.startswith("todo"):
            task.status = "todo"
            offset = -rng.randint(1, 10) if state == "todo_overdue" else rng.randint(5, 30)
            task.due_date = (now + dt.timedelta(days=offset)).date()
        else:
            stale = rng.random() < 0.3
            end = now - dt.timedelta(days=rng.randint(9, 20) if stale else rng.randint(0, 4))
            final = {"blocked": ("blocked", None), "at_risk": ("at_risk", None)}.get(state)
            reports = self._series(created, max(end, created + dt.timedelta(days=1)), rng.randint(4, 9), final=final)
            task.status = "blocked" if state == "blocked" else "in_progress"
            task.due_date = (now + dt.timedelta(days=rng.randint(-6, 25))).date()
        task.due_date = max(task.due_date, created.date())
        task.start_date = created.date()
        self.rows.add(1, task)
        self.tasks.append(task)
        self._audit(self.cast.manager, "task.create", task, created, {"title": {"old": None, "new": title}}, internal)
        for at, percent, rstate in reports:
            note = rng.choice(c.REPORT_NOTES[rstate])
            blockers = rng.choice(c.BLOCKERS) if rstate == "blocked" else ""
            report = ProgressReport(task=task, author=owner, created_at=at, percent=percent, state=rstate, note=note, blockers=blockers)
            self.rows.add(2, report)
            self._audit(owner, "report.submit", task, at, {"last_percent": {"old": None, "new": percent}}, internal)
        if reports:
            task.last_reported_at, task.last_percent, task.last_state = reports[-1]
        task.updated_at = reports[-1][0] if reports else created

    def _series(self, start: dt.datetime, end: dt.datetime, k: int, final=None) -> list[tuple[dt.datetime, int, str]]:
        if k <= 0:
            return []
        step = (end - start) / k
        out, percent = [], 0
        for i in range(1, k + 1):
            at = start + step * i
            percent = min(95, percent + self.rng.randint(5, 25))
            state = "at_risk" if self.rng.random() < 0.15 else "on_track"
            out.append((at, percent, state))
        if final is not None:
            out[-1] = (out[-1][0], final[1] if final[1] is not None else out[-1][1], final[0])
        return out

    def _audit(self, actor, action, obj, at, changes, internal=True) -> None:
        event = AuditEvent(project=self.project, actor=actor, at=at, action=action, object_type=obj._meta.model_name,
                           object_repr=str(obj)[:200], changes=changes, internal=internal)
        event.target = obj  # its pk exists only after the earlier stages are inserted
        self.rows.add(5, event)

    # --- decisions and risks ------------------------------------------------------------
    KINDS = [("approved", "informed"), ("approved", "approval"), ("proposed", "approval"), ("rejected", "consulted"),
             ("superseded", "informed"), ("approved", "consulted"), ("internal", "informed")]

    def milestones(self) -> None:
        """Two milestones waiting on the open client-visible tasks due first (the earliest may already be late)."""
        ahead = sorted(
            (t for t in self.tasks if t.status in ("todo", "in_progress", "blocked") and not t.internal),
            key=lambda t: (t.due_date, t.title),
        )
        launch = self.project.target_launch
        review = launch - dt.timedelta(days=7) if launch and launch > self.now.date() + dt.timedelta(days=21) else None
        specs = [
            ("Beta for the client's team", self.now.date() + dt.timedelta(days=14), ahead[:3]),
            ("Launch readiness review", review or self.now.date() + dt.timedelta(days=45), ahead[3:6]),
        ]
        for name, date, tasks in specs:
            milestone = self.rows.add(3, stamp(Milestone(
                project=self.project, name=name, date=date, created_by=self.cast.manager,
            ), self.now - dt.timedelta(days=10)))
            for task in tasks:
                self.rows.add(4, Milestone.tasks.through(milestone=milestone, task=task))

    def decisions(self) -> None:
        rng, model = self.rng, Decision
        for i in range(self.shape.decisions):
            status, involvement = self.KINDS[i % len(self.KINDS)] if i < len(self.KINDS) else rng.choice(self.KINDS)
            title, context, options, text = c.DECISIONS[i % len(c.DECISIONS)]
            at = self.start + dt.timedelta(days=rng.randint(3, max(3, (self.now - self.start).days - 1)))
            if status == "proposed":
                at = self.now - dt.timedelta(days=rng.randint(1, 4))
            d = model(
                project=self.project, title=title, context=context, options=options, decision=text,
                impact=rng.choice(["low", "medium", "medium", "high", "critical"]), involvement=involvement,
                status="approved" if status == "internal" else status, internal=status == "internal",
                recorded_by=self.cast.manager, requested_at=None if status == "internal" else at,
                decided_by=None if status == "proposed" else self.cast.manager,
                decided_on=None if status == "proposed" else at.date(),
                meeting=rng.choice(self.meetings[:-self.shape.weeks_ahead] or [None]),
            )
            stamp(d, at)
            if status == "superseded":
                successor = stamp(model(
                    project=self.project, title=f"{title} (revised)", context=context, options=options,
                    decision=f"Revised: {text}", impact=d.impact, involvement=involvement, status="approved",
                    recorded_by=self.cast.manager, requested_at=at + dt.timedelta(days=5),
                    decided_by=self.cast.manager, decided_on=(at + dt.timedelta(days=5)).date(),
                ), at + dt.timedelta(days=5))
                self.rows.add(3, successor)
                self.responses(successor, "approved", involvement)
                d.superseded_by = successor
                self.rows.add(4, d)
            else:
                self.rows.add(3, d)
            self._audit(self.cast.manager, "decision.record", d, at, {"status": {"old": None, "new": d.status}}, d.internal)
            if not d.internal:
                self.responses(d, status, involvement)

    def responses(self, decision, status: str, involvement: str) -> None:
        rng, at = self.rng, decision.requested_at
        people = self.cast.client_people
        if status == "proposed":
            responders = people[1:2] if rng.random() < 0.5 else []
        else:
            responders = rng.sample(people, k=rng.randint(1, len(people)))
        for n, user in enumerate(responders):
            if status == "rejected":
                kind = "objected"
            elif involvement == "approval" and user is self.cast.lead:
                kind = "approved"
            else:
                kind = "acknowledged"
            self.rows.add(5, DecisionResponse(
                decision=decision, user=user, kind=kind, at=at + dt.timedelta(hours=6 + 20 * n),
                comment="Fine with us." if kind != "objected" else "This does not work for our operations team.",
                via=rng.choice(["portal", "portal", "email"]),
            ))

    def risk_list(self) -> None:
        rng = self.rng
        for i in range(self.shape.risks):
            title, kind, severity = c.RISKS[i % len(c.RISKS)]
            at = self.start + dt.timedelta(days=rng.randint(1, max(1, (self.now - self.start).days - 1)))
            status = ["open", "mitigating", "closed", "open", "open"][i % 5]
            internal = i % 5 == 4
            risk = Risk(
                project=self.project, title=title, kind=kind, severity=severity, status=status, internal=internal,
                description=f"{title}. Tracked in the weekly check-in.",
                raised_by=self.cast.manager if internal or i % 2 else self.cast.lead,
                owner=self.cast.manager if internal else rng.choice(self.cast.staff + [self.cast.lead]),
            )
            if status == "closed":
                risk.resolution, risk.closed_at = "Agreed a fallback with the client; no longer a concern.", at + dt.timedelta(days=14)
            self.rows.add(1, stamp(risk, at))
