"""Lean, access-scoped querysets for the engagement API lists."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from engagement.models import (
    Attendance,
    Decision,
    DecisionResponse,
    Digest,
    HealthSnapshot,
    Meeting,
    MeetingSeries,
    Stakeholder,
)
from projects.permissions import ProjectAccess, require


def api_series(*, access: ProjectAccess) -> QuerySet[MeetingSeries]:
    return (
        MeetingSeries.objects.filter(project=access.project)
        .select_related("organiser")
        .prefetch_related("attendees")
        .order_by("title", "id")
    )


def _with_attendance(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.prefetch_related(
        Prefetch("attendance", queryset=Attendance.objects.select_related("user").order_by("user__full_name", "user_id"))
    )


def api_meetings(*, access: ProjectAccess) -> QuerySet[Meeting]:
    return _with_attendance(Meeting.objects.filter(project=access.project)).order_by("starts_at", "id")


def api_meeting(*, meeting: Meeting) -> Meeting:
    return _with_attendance(Meeting.objects.filter(pk=meeting.pk)).get()


def api_attendance(*, meeting: Meeting) -> QuerySet[Attendance]:
    return Attendance.objects.filter(meeting=meeting).select_related("user").order_by("user__full_name", "user_id")


def api_stakeholders(*, access: ProjectAccess) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.filter(plan__project=access.project).select_related("user").order_by("side", "-is_primary", "id")


def api_decisions(*, access: ProjectAccess) -> QuerySet[Decision]:
    decisions = Decision.objects.filter(project=access.project).select_related("decided_by", "recorded_by")
    if not access.can_see_internal:
        decisions = decisions.filter(internal=False)
    return decisions.order_by("-created_at", "-id")


def api_responses(*, decision: Decision) -> QuerySet[DecisionResponse]:
    return DecisionResponse.objects.filter(decision=decision).select_related("user").order_by("at", "id")


def api_health(*, access: ProjectAccess) -> QuerySet[HealthSnapshot]:
    require(access.can_see_health)
    return HealthSnapshot.objects.filter(project=access.project).select_related("person").order_by("-iso_year", "-iso_week", "id")


def api_digests(*, user) -> QuerySet[Digest]:
    return Digest.objects.filter(recipient=user).order_by("-iso_week", "-id")
