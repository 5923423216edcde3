"""Loading one project's history for the health computation, in a fixed number of queries (about 15)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from engagement.health.history import DAY, DecisionFact, History, MeetingFact, Person, PlanFact, TaskFact
from engagement.models import (
    Absence,
    Attendance,
    CommunicationPlan,
    Decision,
    DecisionResponse,
    Meeting,
    MeetingSeries,
    PlanVersion,
    QuietPeriod,
    Stakeholder,
)
from portal.core.time import zone
from projects.models import CLIENT_ROLES, AuditEvent, Membership, ProgressReport, Risk, Task, TaskSide

DECISION_STATUS_ACTIONS = ("decision.approve", "decision.reject", "decision.supersede", "decision.respond")


def _merge(spans: list) -> list:
    spans = sorted(spans)
    out: list = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _interval_days(rrule: str) -> int:
    parts = dict(p.split("=", 1) for p in rrule.upper().replace("RRULE:", "").split(";") if "=" in p)
    interval = int(parts.get("INTERVAL", "1") or 1)
    base = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 30, "YEARLY": 365}.get(parts.get("FREQ", "WEEKLY"), 7)
    if parts.get("FREQ") == "WEEKLY" and "BYDAY" in parts and interval == 1:
        base = max(1, 7 // max(1, len(parts["BYDAY"].split(","))))
    return base * interval


def _plan_fact(project, plan, versions, stakeholders, series_count, client_ids, leads) -> PlanFact | None:
    if plan is None:
        return None
    client = [s for s in stakeholders if s.side == TaskSide.CLIENT]
    team = [s for s in stakeholders if s.side == TaskSide.TEAM]
    primaries = [s for s in stakeholders if s.is_primary]
    checks = {
        "expectations": bool(plan.expectations.strip()),
        "cadence": bool(plan.status_update_cadence_days),
        "digest": plan.digest_weekday is not None and plan.digest_hour is not None,
        "client_target": bool(plan.client_response_hours),
        "team_target": bool(plan.team_response_hours),
        "escalation": bool(plan.escalation_path.strip()),
        "client_primary": any(s.is_primary for s in client),
        "backups": bool(primaries) and all(any(b.backup_for_id == p.id for b in stakeholders) for p in primaries),
        "team_primary": any(s.is_primary for s in team),
        "meeting_series": series_count > 0,
    }
    published = [(v.version, v.created_at) for v in versions] or [(plan.version, plan.created_at)]
    published.sort()
    return PlanFact(
        created_at=plan.created_at,
        versions=published,
        signed_version=plan.signed_off_version,
        signed_at=plan.signed_off_at,
        signers=leads,
        completeness_missing=[k for k, ok in checks.items() if not ok],
        items_total=len(checks),
        status_cadence_days=plan.status_update_cadence_days,
        response_hours=plan.client_response_hours,
    )


def load_history(project, until: dt.datetime) -> History:
    """All facts of `project` up to `until`, in a fixed number of queries (about 15)."""
    tz_name = project.client.time_zone if project.client_id else "UTC"
    tz = zone(tz_name)
    memberships = list(
        Membership.objects.filter(project=project, role__in=CLIENT_ROLES, created_at__lt=until).select_related("user")
    )
    persons = {m.user_id: Person(m.user_id, m.user.display_name, m.role, m.created_at) for m in memberships}
    client_ids = list(persons)
    leads = [pid for pid, p in persons.items() if p.is_lead]

    tasks = {
        t.id: TaskFact(
            id=t.id,
            title=t.title,
            owner_id=t.owner_id,
            created_at=t.created_at,
            cadence_days=t.report_cadence_days,
            due_date=t.due_date,
            status=t.status,
            completed_at=t.completed_at,
            updated_at=t.updated_at,
        )
        for t in Task.objects.filter(project=project, side=TaskSide.CLIENT, created_at__lt=until).only(
            "id", "title", "owner_id", "created_at", "report_cadence_days", "due_date", "status", "completed_at", "updated_at"
        )
    }
    actions: dict = {pid: [] for pid in persons}

    def act(pid, at):
        if pid in actions and at is not None and at < until:
            actions[pid].append(at)

    for task_id, author_id, created_at in ProgressReport.objects.filter(
        task__project=project, created_at__lt=until, author_id__in=client_ids
    ).values_list("task_id", "author_id", "created_at"):
        if task_id in tasks:
            tasks[task_id].reports.append(created_at)
        act(author_id, created_at)
    for task in tasks.values():
        task.reports.sort()

    cancellers: dict = {}
    closed_by_audit: dict = {}
    for actor_id, at, object_type, object_id, action, changes in AuditEvent.objects.filter(
        Q(object_type="task") | Q(actor_id__in=client_ids) | Q(object_type="meeting", action__contains="cancel")
        | Q(object_type="decision", action__in=DECISION_STATUS_ACTIONS),
        project=project,
        at__lt=until,
    ).order_by("at", "id").values_list("actor_id", "at", "object_type", "object_id", "action", "changes"):
        act(actor_id, at)
        if object_type == "task" and object_id.isdigit() and int(object_id) in tasks:
            task = tasks[int(object_id)]
            task.has_audit = True
            for fname, change in (changes or {}).items():
                if isinstance(change, dict) and "old" in change and fname in ("status", "owner", "due_date"):
                    task.changes.append((at, fname, change.get("old"), change.get("new")))
        if object_type == "decision" and object_id.isdigit() and isinstance((changes or {}).get("status"), dict):
            closed_by_audit[int(object_id)] = at  # ordered by time: the last status change wins
        if object_type == "meeting" and "cancel" in action and object_id.isdigit():
            cancellers[int(object_id)] = actor_id

    plan = CommunicationPlan.objects.filter(project=project).first()
    stakeholders = list(Stakeholder.objects.filter(plan=plan)) if plan else []
    primary = next((s for s in stakeholders if s.is_primary and s.side == TaskSide.CLIENT and s.user_id in persons), None)
    primary_id = primary.user_id if primary else None
    backup_ids = [s.user_id for s in stakeholders if primary and s.backup_for_id == primary.id and s.user_id in persons]

    decisions: dict = {}
    still_asking = set(Decision.objects.asking().filter(project=project).values_list("pk", flat=True))
    for d in Decision.objects.visible_to_clients().filter(
        project=project, requested_at__isnull=False, requested_at__lt=until
    ).exclude(involvement="informed").only(
        "id", "title", "requested_at", "task_id", "task__owner_id", "status", "involvement", "updated_at"
    ).select_related("task"):
        owner = d.task.owner_id if d.task_id and d.task and d.task.owner_id in persons else None
        if owner:
            addressees = [owner]
        elif primary_id:
            addressees = [primary_id]
        elif leads:
            addressees = list(leads)
        else:
            addressees = list(client_ids)
        # A decision that asks nothing now stopped asking when its status last changed (its audit row; else its
        # last update).
        closed_at = None if d.id in still_asking else closed_by_audit.get(d.id, d.updated_at)
        decisions[d.id] = DecisionFact(d.id, d.title, d.requested_at, addressees, {}, closed_at)
    for decision_id, user_id, at in DecisionResponse.objects.filter(
        decision__project=project, at__lt=until, user_id__in=client_ids
    ).values_list("decision_id", "user_id", "at"):
        act(user_id, at)
        fact = decisions.get(decision_id)
        if fact and (user_id not in fact.responses or at < fact.responses[user_id]):
            fact.responses[user_id] = at

    meetings = {
        m.id: MeetingFact(
            id=m.id,
            series_id=m.series_id,
            scheduled_at=m.original_start or m.rescheduled_from or m.starts_at,
            starts_at=m.starts_at,
            status=m.status,
            rescheduled=m.rescheduled_from is not None,
            cancelled_by="",
            invited={},
        )
        for m in Meeting.objects.filter(project=project).filter(
            Q(starts_at__lt=until) | Q(original_start__lt=until)
        ).only("id", "series_id", "original_start", "rescheduled_from", "starts_at", "status")
    }
    for meeting_id, user_id, rsvp, rsvp_at, attended in Attendance.objects.filter(
        meeting__project=project, user_id__in=client_ids
    ).values_list("meeting_id", "user_id", "rsvp", "rsvp_at", "attended"):
        meeting = meetings.get(meeting_id)
        if meeting is None:
            continue
        meeting.invited[user_id] = attended if meeting.status == "held" else None
        if rsvp != "none":
            act(user_id, rsvp_at)
        if attended and meeting.status == "held":
            act(user_id, meeting.starts_at)
    series = dict(MeetingSeries.objects.filter(project=project).values_list("id", "rrule"))
    names = {}
    if cancellers:
        from portal.accounts.models import User

        names = {u.id: u.display_name for u in User.objects.filter(id__in=set(cancellers.values()) - {None})}
    for meeting_id, actor_id in cancellers.items():
        if meeting_id in meetings:
            meetings[meeting_id].cancelled_by = names.get(actor_id, "")

    for raised_by, created_at in Risk.objects.filter(project=project, raised_by_id__in=client_ids, created_at__lt=until).values_list(
        "raised_by_id", "created_at"
    ):
        act(raised_by, created_at)
    if plan and plan.signed_off_by_id in actions:
        act(plan.signed_off_by_id, plan.signed_off_at)
    versions = list(PlanVersion.objects.filter(plan=plan)) if plan else []

    def day_span(start: dt.date, end: dt.date):
        return (
            dt.datetime.combine(start, dt.time(0), tzinfo=tz).astimezone(dt.UTC),
            dt.datetime.combine(end + DAY, dt.time(0), tzinfo=tz).astimezone(dt.UTC),
        )

    quiet = _merge([day_span(q.starts_on, q.ends_on) for q in QuietPeriod.objects.filter(project=project)])
    excused = {pid: list(quiet) for pid in persons}
    for a in Absence.objects.filter(user_id__in=client_ids).filter(Q(project__isnull=True) | Q(project=project)):
        excused[a.user_id].append(day_span(a.starts_on, a.ends_on))
    excused = {pid: _merge(spans) for pid, spans in excused.items()}

    started = project.start_date
    started_at = dt.datetime.combine(started, dt.time(0), tzinfo=tz).astimezone(dt.UTC) if started else project.created_at
    return History(
        project_id=project.id,
        project_name=project.name,
        tz_name=tz_name,
        started_at=started_at,
        persons=persons,
        tasks=sorted(tasks.values(), key=lambda t: t.id),
        decisions=sorted(decisions.values(), key=lambda d: d.requested_at),
        meetings=sorted(meetings.values(), key=lambda m: m.scheduled_at),
        plan=_plan_fact(project, plan, versions, stakeholders, len(series), client_ids, leads),
        primary_id=primary_id,
        backup_ids=backup_ids,
        series_interval_days={sid: _interval_days(rule) for sid, rule in series.items()},
        actions={pid: sorted(set(times)) for pid, times in actions.items()},
        excused=excused,
        quiet=quiet,
    )
