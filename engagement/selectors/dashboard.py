"""The manager's dashboard: the projects table and "This week needs you", at a constant query count.

It composes both apps (projects' tasks and reports, engagement's decisions, meetings, plans and health), so it lives
in `engagement`, the upper layer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from engagement.health import reasons
from engagement.models import (
    CommunicationPlan,
    Decision,
    HealthLevel,
    HealthOverride,
    HealthSnapshot,
    HealthWarning,
    Meeting,
    MeetingStatus,
)
from projects.models import (
    OPEN_TASK_STATUSES,
    STAFF_ROLES,
    Project,
    ProjectStatus,
    Task,
    TaskSide,
)

PAGE_SIZE = 25
NEEDS_LIMIT = 8
DEFAULT_RESPONSE_HOURS = 48


def _count(qs: QuerySet) -> Subquery:
    return Coalesce(
        Subquery(qs.order_by().values("project_id").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )


def decisions_awaiting_client_qs():
    """Decisions that await at least one client person (the one rule, `DecisionQuerySet.awaiting_anyone`)."""
    return Decision.objects.awaiting_anyone()


def _latest_snapshot(field_name: str) -> Subquery:
    return Subquery(
        HealthSnapshot.objects.filter(project=OuterRef("pk"), person__isnull=True)
        .order_by("-iso_year", "-iso_week", "-pk")  # the newest row wins a week computed twice (old parameters)
        .values(field_name)[:1]
    )


def _active_override(now) -> QuerySet:
    return HealthOverride.objects.filter(project=OuterRef("pk"), person__isnull=True, expires_at__gt=now).order_by("-set_at")


def dashboard_projects(*, user, status: str = "", client=None, attention: bool = False, sort: str = "") -> QuerySet:
    """The projects the person belongs to, annotated for the table (`client`: a client or its id). One query per page
    (plus the count)."""
    now, today = timezone.now(), timezone.localdate()
    client_tasks = Task.objects.filter(project=OuterRef("pk"), side=TaskSide.CLIENT, status__in=OPEN_TASK_STATUSES)
    qs = (
        Project.objects.filter(memberships__user=user)
        .select_related("client")
        .annotate(
            my_role=F("memberships__role"),
            # open_client_tasks and last_client_report are stored on the project by the task services.
            overdue_client_tasks=_count(client_tasks.filter(due_date__lt=today)),
            decisions_awaiting=_count(decisions_awaiting_client_qs().filter(project=OuterRef("pk"))),
            open_warnings=_count(HealthWarning.objects.filter(project=OuterRef("pk"), closed_at__isnull=True)),
            next_meeting_at=Subquery(
                Meeting.objects.filter(project=OuterRef("pk"), status=MeetingStatus.SCHEDULED, starts_at__gte=now)
                .order_by("starts_at")
                .values("starts_at")[:1]
            ),
            # A manager's active override is what the project's health reads as (health.md), until it expires.
            health_override=Subquery(_active_override(now).values("level")[:1]),
            health_level=Coalesce(F("health_override"), _latest_snapshot("level")),
        )
        # The columns the table shows; every annotation above is a correlated subquery, so none is spare (bench).
        .only("id", "slug", "name", "status", "target_launch", "open_client_tasks", "last_client_report", "client__id",
              "client__name")
    )
    if status == "all":
        pass
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status__in=[ProjectStatus.COMPLETED, ProjectStatus.CANCELLED])
    if client is not None:
        qs = qs.filter(client=client)
    if attention:
        qs = qs.filter(
            Q(overdue_client_tasks__gt=0) | Q(decisions_awaiting__gt=0) | Q(open_warnings__gt=0) | Q(health_level=HealthLevel.AT_RISK)
        )
    order = {
        "client": ["client__name", "name"],
        "launch": [F("target_launch").asc(nulls_last=True), "name"],
        "-overdue": ["-overdue_client_tasks", "name"],
        "-awaiting": ["-decisions_awaiting", "name"],
        "next_meeting": [F("next_meeting_at").asc(nulls_last=True), "name"],
    }.get(sort, ["name", "pk"])
    return qs.order_by(*order)


@dataclass
class NeedsYou:
    overdue_tasks: list = field(default_factory=list)
    late_decisions: list = field(default_factory=list)
    meetings_without_agenda: list = field(default_factory=list)
    unsigned_plans: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue_tasks or self.late_decisions or self.meetings_without_agenda or self.unsigned_plans or self.warnings)


def _past_response_target(project_ids, now) -> Q:
    """requested_at older than the project's client response target (48 h without a plan). One query for the targets."""
    hours = set(CommunicationPlan.objects.filter(project__in=project_ids).values_list("client_response_hours", flat=True).distinct())
    condition = Q(project__plan__isnull=True, requested_at__lt=now - dt.timedelta(hours=DEFAULT_RESPONSE_HOURS))
    for h in hours:
        condition |= Q(project__plan__client_response_hours=h, requested_at__lt=now - dt.timedelta(hours=h))
    return condition


# The columns the "needs you" block shows: narrow rows are noticeably cheaper to build than whole models (bench).
_PROJECT_COLUMNS = ("project__id", "project__slug", "project__name")
_PERSON_COLUMNS = ("id", "full_name", "email")


def needs_you(*, user) -> NeedsYou:
    """What needs this person this week, across the projects where they are staff. Five queries.

    Rows carry only the columns the dashboard shows (`.only()`); anything else is loaded on access.
    """
    now, today = timezone.now(), timezone.localdate()
    projects = Project.objects.filter(memberships__user=user, memberships__role__in=list(STAFF_ROLES)).open()
    project_ids = projects.values("pk")
    overdue = (
        Task.objects.filter(project__in=project_ids, side=TaskSide.CLIENT)
        .overdue(today)
        .select_related("project", "owner")
        .only("id", "title", "due_date", *_PROJECT_COLUMNS, *(f"owner__{c}" for c in _PERSON_COLUMNS))
        .order_by("due_date", "pk")[:NEEDS_LIMIT]
    )
    late = (
        decisions_awaiting_client_qs()
        .filter(project__in=project_ids, requested_at__isnull=False)
        .filter(_past_response_target(project_ids, now))
        .select_related("project")
        .only("id", "title", "requested_at", *_PROJECT_COLUMNS)
        .order_by("requested_at")[:NEEDS_LIMIT]
    )
    no_agenda = (
        Meeting.objects.filter(
            project__in=project_ids, status=MeetingStatus.SCHEDULED, starts_at__gte=now, starts_at__lte=now + dt.timedelta(hours=48)
        )
        .filter(Q(agenda="") | Q(agenda__isnull=True))
        .select_related("project")
        .only("id", "title", "starts_at", *_PROJECT_COLUMNS)
        .order_by("starts_at")[:NEEDS_LIMIT]
    )
    unsigned = (
        projects.filter(
            Q(plan__isnull=True) | Q(plan__signed_off_version__isnull=True) | Q(plan__signed_off_version__lt=F("plan__version"))
        )
        .select_related("client")
        .only("id", "slug", "name", "client__id", "client__name")
        .order_by("name")[:NEEDS_LIMIT]
    )
    warnings = (
        HealthWarning.objects.filter(project__in=project_ids, closed_at__isnull=True)
        .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lt=now))
        .select_related("project", "person")
        .only("id", "severity", "reasons", "opened_at", *_PROJECT_COLUMNS, *(f"person__{c}" for c in _PERSON_COLUMNS))
        .order_by("-opened_at")[:NEEDS_LIMIT]
    )
    warnings = list(warnings)
    current = reasons.current_state([(w.project_id, w.reasons) for w in warnings], now)  # once for all of them
    for warning in warnings:
        warning.reason_lines = reasons.reason_texts(warning, current)
    return NeedsYou(list(overdue), list(late), list(no_agenda), list(unsigned), warnings)
