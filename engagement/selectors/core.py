"""Scoped reads of meetings and decisions. Query counts do not grow with the rows."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from engagement.models import (
    Attendance,
    Decision,
    DecisionResponse,
    Digest,
    HealthSnapshot,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Stakeholder,
)
from engagement.selectors.awaiting import approval_awaited_from, decision_awaits
from portal.core.time import iso_week, week_start
from projects.models import Project
from projects.permissions import ProjectAccess, require


def meeting_list_for_project(access: ProjectAccess, upcoming: bool = True, now: dt.datetime | None = None) -> QuerySet[Meeting]:
    """Upcoming meetings (not yet ended, soonest first) or past ones (latest first), with attendance and people."""
    now = now or timezone.now()
    qs = (
        Meeting.objects.filter(project=access.project)
        .select_related("series")
        .prefetch_related(Prefetch("attendance", queryset=Attendance.objects.select_related("user").order_by("user__full_name")))
    )
    if upcoming:
        return qs.filter(ends_at__gte=now).order_by("starts_at", "id")
    return qs.filter(ends_at__lt=now).order_by("-starts_at", "-id")


def decision_list_for_project(access: ProjectAccess, status: str | None = None, involvement: str | None = None) -> QuerySet[Decision]:
    """The decision log as this person may see it (client people never see internal ones), responses prefetched."""
    qs = Decision.objects.filter(project=access.project).visible_to(access)
    if status:
        qs = qs.filter(status=status)
    if involvement:
        qs = qs.filter(involvement=involvement)
    return qs.select_related("decided_by", "recorded_by", "superseded_by", "task", "meeting").prefetch_related(
        Prefetch("responses", queryset=DecisionResponse.objects.select_related("user").order_by("at"))
    ).order_by("-created_at", "-id")


def decision_rows_for_project(access: ProjectAccess) -> QuerySet[Decision]:
    """The decision log as this person may see it, newest first, without the responses (the API lists them apart)."""
    return (
        Decision.objects.filter(project=access.project).visible_to(access).select_related("decided_by", "recorded_by")
        .order_by("-created_at", "-id")
    )


def decision_responses(decision: Decision) -> QuerySet[DecisionResponse]:
    return DecisionResponse.objects.filter(decision=decision).select_related("user").order_by("at", "id")


def series_list(access: ProjectAccess) -> QuerySet[MeetingSeries]:
    return (
        MeetingSeries.objects.filter(project=access.project)
        .select_related("organiser")
        .prefetch_related("attendees")
        .order_by("title", "id")
    )


def attendance_list(meeting: Meeting) -> QuerySet[Attendance]:
    return Attendance.objects.filter(meeting=meeting).select_related("user").order_by("user__full_name", "user_id")


def _with_attendance(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.prefetch_related(
        Prefetch("attendance", queryset=Attendance.objects.select_related("user").order_by("user__full_name", "user_id"))
    )


def meetings_with_attendance(access: ProjectAccess) -> QuerySet[Meeting]:
    """Every meeting of the project, past and future, soonest first, with its attendance (the API's list)."""
    return _with_attendance(Meeting.objects.filter(project=access.project)).order_by("starts_at", "id")


def meeting_with_attendance(meeting: Meeting) -> Meeting:
    return _with_attendance(Meeting.objects.filter(pk=meeting.pk)).get()


def stakeholder_list(access: ProjectAccess) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.filter(plan__project=access.project).select_related("user").order_by("side", "-is_primary", "id")


def health_history(access: ProjectAccess) -> QuerySet[HealthSnapshot]:
    """The project's weekly health snapshots, newest week first; only for people who may see health."""
    require(access.can_see_health)
    return HealthSnapshot.objects.filter(project=access.project).select_related("person").order_by("-iso_year", "-iso_week", "id")


def digests_for_user(user) -> QuerySet[Digest]:
    """The digests sent to the person, newest week first."""
    return Digest.objects.filter(recipient=user).order_by("-iso_week", "-id")


def meetings_for_user(user, start: dt.datetime, end: dt.datetime) -> QuerySet[Meeting]:
    """Meetings the person is invited to that overlap [start, end), cancelled ones included (calendars need them)."""
    return (
        Meeting.objects.filter(attendance__user=user, starts_at__lt=end, ends_at__gt=start)
        .select_related("project", "series")
        .order_by("starts_at", "id")
    )


_RANK = {"none": 0, "held": 1, "rescheduled": 2, "cancelled": 3}


def _state(meeting: dict) -> str:
    if meeting["status"] == MeetingStatus.CANCELLED:
        return "cancelled"
    if meeting["rescheduled_from"] is not None:
        return "rescheduled"
    if meeting["status"] == MeetingStatus.HELD:
        return "held"
    return "none"


def consistency_strip(project: Project, weeks: int = 12, today: dt.date | None = None) -> list[dict]:
    """One entry per ISO week, oldest first, ending with this week: {"week", "start", "state", "count"}.

    A week's state is the worst of its meetings (by their originally scheduled time): cancelled,
    then rescheduled, then held; "none" when nothing took place or was planned.
    """
    today = today or timezone.localdate()
    first = week_start(today) - dt.timedelta(weeks=weeks - 1)
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(week_start(today) + dt.timedelta(weeks=1), dt.time.min, tzinfo=tz)
    rows = Meeting.objects.filter(project=project).filter(
        Q(original_start__gte=lo, original_start__lt=hi) | Q(original_start__isnull=True, starts_at__gte=lo, starts_at__lt=hi)
    ).values("status", "rescheduled_from", "original_start", "starts_at")
    entries = []
    for i in range(weeks):
        start = first + dt.timedelta(weeks=i)
        entries.append({"week": iso_week(start), "start": start, "state": "none", "count": 0})
    for row in rows:
        slot = timezone.localtime(row["original_start"] or row["starts_at"], tz).date()
        index = (week_start(slot) - first).days // 7
        if not 0 <= index < weeks:
            continue
        entry = entries[index]
        entry["count"] += 1
        state = _state(row)
        if _RANK[state] > _RANK[entry["state"]]:
            entry["state"] = state
    return entries


def decision_page(decision: Decision, access: ProjectAccess) -> dict:
    """What the decision page (and its answer box) shows, read from the decision as it is now.

    `awaits_me`: the decision waits for this person's answer (the one rule); `approval_awaited_from`: the approvers
    an approval still waits for; `closed`: it asks nothing any more (approved approval, rejected, superseded).
    """
    responses = list(decision.responses.select_related("user").order_by("at"))
    my_response = next((r for r in responses if r.user_id == access.user.pk), None)
    awaits_me = my_response is None and access.is_client and decision_awaits(decision, access.user)
    return {
        "decision": decision,
        "responses": responses,
        "my_response": my_response,
        "can_respond": awaits_me,
        "closed": decision.requested_at is not None and not Decision.objects.asking().filter(pk=decision.pk).exists(),
        "approval_awaited_from": approval_awaited_from(decision, responses),
    }
