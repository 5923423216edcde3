"""The client's "my work" page: scoped reads with a constant number of queries.

It composes both apps (projects' tasks, engagement's decisions, meetings, plans and digests), so it lives in
`engagement`, the upper layer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from engagement.models import Attendance, CommunicationPlan, Decision, Digest, MeetingStatus
from projects.models import CLIENT_ROLES, Membership, Role, Task, TaskSide

UPCOMING_DAYS = 21
RECENT_ANSWERS = 5
MAX_ROWS = 50


@dataclass
class MyWork:
    projects: list = field(default_factory=list)
    tasks_owed: list = field(default_factory=list)
    decisions_awaiting: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    team_owes: list = field(default_factory=list)
    plans_to_sign: list = field(default_factory=list)
    my_answers: list = field(default_factory=list)
    latest_digest: object = None

    @property
    def overdue_count(self) -> int:
        return sum(1 for task in self.tasks_owed if task.is_overdue)

    @property
    def owes_anything(self) -> bool:
        return bool(self.tasks_owed or self.decisions_awaiting or self.plans_to_sign)


def _client_memberships(user) -> list[Membership]:
    """The person's client memberships of live projects, with their projects, by project name (one query)."""
    return list(
        Membership.objects.filter(user=user, role__in=CLIENT_ROLES, project__archived_at__isnull=True)
        .select_related("project", "project__client")
        .order_by("project__name", "project_id")
    )


# The columns a task row of the page shows (title, project, due date, overdue and report-due markers, last state).
_TASK_COLUMNS = (
    "id", "title", "due_date", "status", "last_state", "last_percent", "last_reported_at", "created_at",
    "report_cadence_days", "project__id", "project__slug", "project__name",
)


def decisions_awaiting_qs(user, project_ids):
    """The decisions that await the person (the one rule, `DecisionQuerySet.awaiting`), oldest request first."""
    return (
        Decision.objects.awaiting(user)
        .filter(project_id__in=project_ids)
        .select_related("project")
        .order_by("requested_at", "pk")
    )


def my_work_for(*, user, now: dt.datetime | None = None) -> MyWork:
    """Everything a client person owes and is owed across their projects. Never internal items, never health."""
    now = now or timezone.now()
    memberships = _client_memberships(user)
    if not memberships:
        return MyWork()
    projects = [m.project for m in memberships]
    project_ids = [p.pk for p in projects]
    today = timezone.localdate()
    overdue_first = Case(When(due_date__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField())
    tasks_owed = list(
        Task.objects.open()
        .visible_to_clients()
        .filter(project_id__in=project_ids, owner=user)
        .select_related("project")
        .only(*_TASK_COLUMNS)
        .annotate(overdue_rank=overdue_first)
        .order_by("overdue_rank", "due_date", "pk")[:MAX_ROWS]
    )
    team_owes = list(
        Task.objects.open()
        .visible_to_clients()
        .filter(project_id__in=project_ids, side=TaskSide.TEAM)
        .select_related("project", "owner")
        .only(*_TASK_COLUMNS, "owner__id", "owner__full_name", "owner__email")
        .annotate(overdue_rank=overdue_first)
        .order_by("overdue_rank", "due_date", "pk")[:MAX_ROWS]
    )
    decisions = list(decisions_awaiting_qs(user, project_ids)[:MAX_ROWS])
    meetings = list(
        Attendance.objects.filter(
            user=user,
            meeting__project_id__in=project_ids,
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__ends_at__gte=now,
            meeting__starts_at__lte=now + dt.timedelta(days=UPCOMING_DAYS),
        )
        .select_related("meeting", "meeting__project")
        .order_by("meeting__starts_at", "pk")[:MAX_ROWS]
    )
    lead_projects = [m.project_id for m in memberships if m.role == Role.CLIENT_LEAD]
    plans = list(
        CommunicationPlan.objects.awaiting_sign_off()
        .filter(project_id__in=lead_projects)
        .select_related("project")
        .order_by("project__name")
    )
    my_answers = list(
        user.decision_responses.filter(decision__in=Decision.objects.visible_to_clients(), decision__project_id__in=project_ids)
        .select_related("decision", "decision__project")
        .order_by("-at", "-pk")[:RECENT_ANSWERS]
    )
    digest = (
        user.digests.filter(kind=Digest.Kind.CLIENT).order_by("-iso_week").only("pk", "iso_week", "subject", "created_at").first()
    )
    return MyWork(
        projects=projects,
        tasks_owed=tasks_owed,
        decisions_awaiting=decisions,
        meetings=meetings,
        team_owes=team_owes,
        plans_to_sign=plans,
        my_answers=my_answers,
        latest_digest=digest,
    )
