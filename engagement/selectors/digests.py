"""What goes into a weekly digest. A fixed number of queries per digest, whatever the number of items.

Client digests only ever select what a client may see (no internal tasks, decisions or
risks, only projects where the person has a client role).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict

from django.db.models import Avg, Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext

from engagement.emails.common import portal_url
from engagement.models import Attendance, Decision, HealthSnapshot, Meeting, MeetingStatus
from engagement.models.decisions import DecisionStatus, Involvement
from engagement.models.plan import CommunicationPlan
from engagement.selectors.awaiting import decisions_awaiting_anyone, decisions_awaiting_by_person
from portal.core.time import zone
from portal.outbox.models import MessageKind, OutboundMessage
from projects.models import CLIENT_ROLES, Membership, ProgressReport, Project, Risk, Task, TaskSide

ACTION_CAP = 10
TASK_CAP = 10
RISK_CAP = 5
REPORT_CAP = 10  # the newest report of each task, at most this many (emails.md: sections capped, HTML <= 80 KB)
MEETING_DAYS = 14
PROJECT_ROWS_CAP = 25


class WeekLabel:
    """"23–29 Nov" / "30 Nov – 6 Dec"; rendered lazily so it follows the language active at render time (a digest
    shows it four times: worded once per language)."""

    def __init__(self, start: dt.date) -> None:
        self.start, self.end = start, start + dt.timedelta(days=6)
        self._worded: dict[str, str] = {}

    def __str__(self) -> str:
        language = get_language()
        if language not in self._worded:
            self._worded[language] = self._word()
        return self._worded[language]

    def _word(self) -> str:
        last = date_format(self.end, "MONTH_DAY_FORMAT")
        if self.start.month == self.end.month:
            return pgettext("week within one month", "%(first_day)s–%(last)s") % {"first_day": self.start.day, "last": last}
        return pgettext("week across two months", "%(first)s – %(last)s") % {
            "first": date_format(self.start, "MONTH_DAY_FORMAT"), "last": last}


def week_bounds(week_start: dt.date, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    tz = zone(time_zone)
    start = dt.datetime.combine(week_start, dt.time(0), tzinfo=tz)
    return start, dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time(0), tzinfo=tz)


def _capped(items: list, cap: int) -> tuple[list, int]:
    return items[:cap], max(len(items) - cap, 0)


def client_digest_context(*, person, week_start: dt.date, now: dt.datetime) -> dict:
    """The client digest of one person (a batch of one; see `client_digest_contexts`)."""
    return client_digest_contexts(people=[person], week_starts={person.pk: week_start}, now=now)[person.pk]


def client_digest_contexts(*, people: list, week_starts: dict[int, dt.date], now: dt.datetime) -> dict[int, dict]:
    """The client digests of a batch of people, {person id: context}, in a fixed number of queries for the whole
    batch, whatever its size and the number of items. What a project shows everybody (decisions, reports, risks,
    progress) is loaded once per batch and shared; what is a person's own (tasks, meetings, answers, links) is
    loaded for the batch in one query each and split. Batches are formed per project (`digest_due_batches`), so
    the contacts of one project are built together.

    One-click links are left for the caller to make (`url` of decision actions; `yes`, `maybe`, `no` of meetings,
    whose dicts the unanswered-meeting actions share): a selector writes nothing."""
    if not people:
        return {}
    ids = [p.pk for p in people]
    roles: dict[int, dict[int, str]] = defaultdict(dict)
    for user_id, project_id, role in Membership.objects.filter(
        user_id__in=ids, role__in=CLIENT_ROLES, project__in=Project.objects.open()
    ).values_list("user_id", "project_id", "role"):
        roles[user_id][project_id] = role
    project_ids = {pk for mine in roles.values() for pk in mine}
    ranked = list(Project.objects.filter(pk__in=project_ids).select_related("manager").order_by("name", "pk"))
    by_pk = {p.pk: p for p in ranked}
    rank = {p.pk: i for i, p in enumerate(ranked)}
    today = {p.pk: now.astimezone(zone(p.time_zone)).date() for p in people}
    url = functools.lru_cache(maxsize=None)(portal_url)  # one reverse() per page of the batch, not per person

    tasks_of: dict[int, list[Task]] = defaultdict(list)
    for task in Task.objects.open().visible_to_clients().filter(owner_id__in=ids, project_id__in=project_ids):
        if task.project_id in roles[task.owner_id]:
            task.project = by_pk[task.project_id]
            tasks_of[task.owner_id].append(task)
    awaiting_of = decisions_awaiting_by_person(ids, project_ids=project_ids)
    made_all = list(
        Decision.objects.visible_to_clients().filter(project_id__in=project_ids, status=DecisionStatus.APPROVED,
                                decided_on__gt=min(today.values()) - dt.timedelta(days=7),
                                decided_on__lte=max(today.values()))
        .select_related("decided_by")
        .order_by("decided_on", "pk")
    )
    attendances_of: dict[int, list[Attendance]] = defaultdict(list)
    for attendance in (
        Attendance.objects.filter(
            user_id__in=ids, meeting__status=MeetingStatus.SCHEDULED, meeting__starts_at__gte=now,
            meeting__starts_at__lt=now + dt.timedelta(days=MEETING_DAYS), meeting__project_id__in=project_ids,
        ).select_related("meeting").order_by("meeting__starts_at", "pk")
    ):
        if attendance.meeting.project_id in roles[attendance.user_id]:
            attendance.meeting.project = by_pk[attendance.meeting.project_id]
            attendances_of[attendance.user_id].append(attendance)
    # Each task's newest report of the week, picked in the database: a task reported on a thousand times a week is
    # still one row, whatever the week's volume.
    newest = (
        ProgressReport.objects.filter(task=OuterRef("pk"), created_at__gt=now - dt.timedelta(days=7), created_at__lte=now)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    newest_ids = (
        Task.objects.visible_to_clients().filter(project_id__in=project_ids)
        .annotate(newest_report=Subquery(newest))
        .filter(newest_report__isnull=False)
        .order_by()
        .values("newest_report")
    )
    reports_all = list(
        ProgressReport.objects.filter(pk__in=newest_ids).select_related("task", "author").order_by("-created_at", "-pk")
    )
    risks_all = list(
        Risk.objects.visible_to_clients().filter(project_id__in=project_ids, status__in=[Risk.Status.OPEN, Risk.Status.MITIGATING])
        .select_related("owner")
        .order_by("project__name", "-created_at", "-pk")
    )
    for obj in [*(d for mine in awaiting_of.values() for d in mine), *made_all, *risks_all]:
        obj.project = by_pk[obj.project_id]
    for report in reports_all:
        report.task.project = by_pk[report.task.project_id]
    progress = dict(
        Task.objects.visible_to_clients().filter(project_id__in=project_ids).exclude(status="cancelled")
        .values("project_id").annotate(avg=Avg("last_percent")).values_list("project_id", "avg")
    )

    parts = {}
    for person in people:
        mine = roles[person.pk]
        projects = sorted((by_pk[pk] for pk in mine), key=lambda p: rank[p.pk])
        local_today = today[person.pk]
        tasks = tasks_of[person.pk]
        overdue = sorted((t for t in tasks if t.due_date and t.due_date < local_today), key=lambda t: t.due_date)
        report_due = [t for t in tasks if t not in overdue and t.report_due_at() <= now + dt.timedelta(days=7)]
        other_tasks = [t for t in tasks if t not in overdue and t not in report_due]
        awaiting = [d for d in awaiting_of.get(person.pk, []) if d.project_id in mine]
        # Never "decided" and "please answer" at once: a decision still awaiting the person is listed with its ask.
        asked = {d.pk for d in awaiting}
        made = [d for d in made_all if d.project_id in mine and d.pk not in asked
                and local_today - dt.timedelta(days=7) < d.decided_on <= local_today]
        attendances = attendances_of[person.pk]
        reports = [r for r in reports_all if r.task.project_id in mine]
        risks = [r for r in risks_all if r.project_id in mine]
        parts[person.pk] = (projects, overdue, report_due, other_tasks, awaiting, made, attendances, reports, risks)

    contexts, weeks = {}, {}
    for person in people:
        projects, overdue, report_due, other_tasks, awaiting, made, attendances, reports, risks = parts[person.pk]
        week_start = week_starts[person.pk]
        contexts[person.pk] = _client_context(
            person=person, projects=projects, local_today=today[person.pk], week_start=week_start,
            week=weeks.setdefault(week_start, WeekLabel(week_start)),
            tasks=tasks_of[person.pk], overdue=overdue, report_due=report_due, other_tasks=other_tasks,
            awaiting=awaiting, made=made, attendances=attendances, reports=reports, risks=risks, progress=progress,
            url=url,
        )
    return contexts


def _client_context(*, person, projects, local_today, week_start, week, tasks, overdue, report_due, other_tasks, awaiting,
                    made, attendances, reports, risks, progress, url=portal_url) -> dict:
    unanswered = [a for a in attendances if a.rsvp == "none"]
    decision_items = [
        {"kind": "decision", "decision": d, "url": "", "view_url": url("engagement:decision", d.project.slug, d.pk),
         "approve": d.involvement == Involvement.APPROVAL}
        for d in awaiting[:ACTION_CAP]
    ]
    meeting_items = [
        {"kind": "rsvp", "meeting": a.meeting, "rsvp": a.rsvp, "yes": "", "maybe": "", "no": "",
         "url": url("engagement:meeting", a.meeting.project.slug, a.meeting.pk)}
        for a in attendances
    ]
    report_url = {t.pk: url("projects:task-report", t.project.slug, t.pk) for t in tasks}
    actions = [{"kind": "overdue", "task": t, "url": report_url[t.pk], "days": (local_today - t.due_date).days} for t in overdue]
    # A report already past its due day says by how long ("late by 3 days"), not a date weeks ago; the oldest first.
    local_due = {t.pk: t.report_due_at().astimezone(zone(person.time_zone)).date() for t in report_due}
    actions += [{"kind": "report_due", "task": t, "url": report_url[t.pk], "due": t.report_due_at(),
                 "late_days": max((local_today - local_due[t.pk]).days, 0)}
                for t in sorted(report_due, key=lambda t: local_due[t.pk])]
    actions += decision_items
    actions += [item for item in meeting_items if item["rsvp"] == "none"]
    action_count = len(overdue) + len(report_due) + len(awaiting) + len(unanswered)
    shown_actions, more_actions = _capped(actions, ACTION_CAP)
    shown_tasks, more_tasks = _capped(other_tasks, TASK_CAP)
    shown_risks, more_risks = _capped(risks, RISK_CAP)
    shown_reports, more_reports = _capped(reports, REPORT_CAP)  # one per task already (the query)
    main_project = projects[0] if projects else None
    return {
        "person": person,
        "projects": [{"project": p, "percent": round(progress.get(p.pk) or 0), "url": url("projects:overview", p.slug)}
                     for p in projects],
        "main_project": main_project,
        "main_manager": main_project.manager if main_project else None,
        "single_project": len(projects) == 1,
        "week_start": week_start,
        "week_end": week_start + dt.timedelta(days=6),
        "week": week,
        "action_count": action_count,
        "count_overdue": len(overdue),
        "count_decisions": len(awaiting),
        "count_rsvp": len(unanswered),
        "actions": shown_actions,
        "more_actions": more_actions,
        "tasks": [{"task": t, "due": t.report_due_at(), "url": report_url[t.pk]} for t in shown_tasks],
        "more_tasks": more_tasks,
        "meetings": meeting_items,
        "decisions_made": made,
        "reports": shown_reports,
        "more_reports": more_reports,
        "risks": shown_risks,
        "more_risks": more_risks,
        "my_work_url": url("home"),
        "preferences_url": url("accounts:preferences"),
        "content": {
            "projects": [p.pk for p in projects],
            "overdue": [t.pk for t in overdue],
            "report_due": [t.pk for t in report_due],
            "tasks": [t.pk for t in other_tasks],
            "decisions_awaiting": [d.pk for d in awaiting],
            "decisions_made": [d.pk for d in made],
            "meetings": [a.meeting_id for a in attendances],
            "reports": [r.pk for r in shown_reports],
            "risks": [r.pk for r in risks],
            "action_count": action_count,
        },
    }


def _counts(queryset, **filters) -> dict[int, int]:
    return dict(queryset.filter(**filters).values("project_id").annotate(n=Count("pk")).values_list("project_id", "n"))


def manager_digest_context(*, person, week_start: dt.date, now: dt.datetime) -> dict:
    projects = list(
        Project.objects.open().filter(manager=person, archived_at__isnull=True).select_related("client").order_by("name")
    )
    local_today = now.astimezone(zone(person.time_zone)).date()
    start, end = week_bounds(week_start, person.time_zone)
    client_tasks = Task.objects.open().filter(project__in=projects, side=TaskSide.CLIENT)
    overdue = _counts(client_tasks, due_date__lt=local_today)
    stale: dict[int, int] = defaultdict(int)
    for task in client_tasks.only("pk", "project_id", "last_reported_at", "created_at", "report_cadence_days"):
        if task.report_due_at() <= now:  # in Python: the queryset's F() * timedelta does not run on SQLite
            stale[task.project_id] += 1
    cancelled = _counts(Meeting.objects.filter(project__in=projects, status=MeetingStatus.CANCELLED,
                                               cancelled_at__gte=now - dt.timedelta(days=28)))
    targets = dict(CommunicationPlan.objects.filter(project__in=projects).values_list("project_id", "client_response_hours"))
    waiting: dict[int, list[Decision]] = defaultdict(list)
    for decision in decisions_awaiting_anyone().filter(project__in=projects, requested_at__isnull=False).select_related("project"):
        if decision.requested_at <= now - dt.timedelta(hours=targets.get(decision.project_id, 48)):
            waiting[decision.project_id].append(decision)
    levels: dict[int, str] = {}
    for snap in HealthSnapshot.objects.filter(project__in=projects, person__isnull=True).order_by("-iso_year", "-iso_week"):
        levels.setdefault(snap.project_id, snap.level)
    escalations = OutboundMessage.objects.filter(
        kind=MessageKind.ESCALATION, project_id_ref__in=[p.pk for p in projects], created_at__gte=start, created_at__lt=end
    ).count()
    rows = []
    for project in projects:
        row = {
            "project": project,
            "level": levels.get(project.pk, ""),
            "overdue": overdue.get(project.pk, 0),
            "stale": stale.get(project.pk, 0),
            "cancelled": cancelled.get(project.pk, 0),
            "unanswered": len(waiting[project.pk]),
            "url": portal_url("engagement:health", project.slug),
        }
        row["attention"] = row["overdue"] + row["stale"] + row["cancelled"] + row["unanswered"]
        rows.append(row)
    order = {"at_risk": 0, "watch": 1, "unknown": 2, "": 2, "healthy": 3}
    rows.sort(key=lambda r: (order.get(r["level"], 2), -r["attention"], r["project"].name))
    needs_you = [d for project in projects for d in waiting[project.pk]]
    shown_rows, more_rows = _capped(rows, PROJECT_ROWS_CAP)
    return {
        "person": person,
        "week_start": week_start,
        "week_end": week_start + dt.timedelta(days=6),
        "week": WeekLabel(week_start),
        "rows": shown_rows,
        "more_rows": more_rows,
        "project_count": len(projects),
        "count_at_risk": sum(1 for r in rows if r["level"] == "at_risk"),
        "count_watch": sum(1 for r in rows if r["level"] == "watch"),
        "needs_you": [{"decision": d, "url": portal_url("engagement:decision", d.project.slug, d.pk)} for d in needs_you[:ACTION_CAP]],
        "more_needs_you": max(len(needs_you) - ACTION_CAP, 0),
        "escalations": escalations,
        "attention_url": portal_url("engagement:attention"),
        "preferences_url": portal_url("accounts:preferences"),
        "generated_at": timezone.localtime(now, zone(person.time_zone)),
        "content": {
            "projects": [
                {k: (v.pk if k == "project" else v) for k, v in r.items() if k != "url"} for r in rows
            ],
            "needs_you": [d.pk for d in needs_you],
            "escalations": escalations,
        },
        "has_health": bool(levels),
    }
