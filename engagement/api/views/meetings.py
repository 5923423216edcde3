"""Meeting series and meetings: RSVP, minutes (hold), cancel and reschedule are actions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from engagement.api import filters
from engagement.api.serializers import meetings as s
from engagement.models import Meeting, MeetingSeries
from engagement.permissions import meeting_access, series_access
from engagement.selectors import core as selectors
from engagement.services import meetings
from portal.core.api.common import IF_MATCH, ApiView, example, expected_version
from projects.permissions import project_access

SERIES_EXAMPLE = {
    "title": "Weekly check-in",
    "rrule": "FREQ=WEEKLY;BYDAY=TH",
    "first_start_local": "2026-12-03T10:00:00",
    "time_zone": "Europe/Moscow",
    "duration_minutes": 30,
    "attendees": [3, 12],
}


def _series(request, slug: str, pk: int):
    access = project_access(user=request.user, slug=slug)
    return series_access(user=request.user, series_id=pk, project=access.project)


def _meeting(request, slug: str, pk: int):
    access = project_access(user=request.user, slug=slug)
    return meeting_access(user=request.user, meeting_id=pk, project=access.project)


class SeriesListView(ApiView):
    """Recurring meeting series (RFC 5545 RRULE in a time zone); the team schedules them and occurrences are materialised ahead."""

    queryset = MeetingSeries.objects.none()
    ordering_fields = ["title", "first_start"]

    @extend_schema(operation_id="meeting_series_list", tags=["meetings"], responses=s.SeriesOutputSerializer(many=True))
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        return self.page(selectors.series_list(access), s.SeriesOutputSerializer)

    @extend_schema(
        operation_id="meeting_series_create",
        tags=["meetings"],
        request=s.SeriesCreateInputSerializer,
        responses={201: s.SeriesOutputSerializer},
        examples=[example("Weekly on Thursday", SERIES_EXAMPLE, request=True)],
    )
    def post(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        data = s.SeriesCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        series = meetings.series_create(actor=request.user, project=access.project, **data.validated_data)
        return Response(s.SeriesOutputSerializer(series).data, status=status.HTTP_201_CREATED)


class SeriesDetailView(ApiView):
    """One series; the team changes it and future occurrences follow."""

    @extend_schema(operation_id="meeting_series_retrieve", tags=["meetings"], responses=s.SeriesOutputSerializer)
    def get(self, request, slug: str, pk: int):
        series, _access = _series(request, slug, pk)
        return Response(s.SeriesOutputSerializer(series).data)

    @extend_schema(
        operation_id="meeting_series_partial_update",
        tags=["meetings"],
        request=s.SeriesUpdateInputSerializer,
        responses=s.SeriesOutputSerializer,
        examples=[example("Move to Fridays", {"rrule": "FREQ=WEEKLY;BYDAY=FR"}, request=True)],
    )
    def patch(self, request, slug: str, pk: int):
        series, _access = _series(request, slug, pk)
        data = s.SeriesUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        series = meetings.series_update(actor=request.user, series=series, **data.validated_data)
        return Response(s.SeriesOutputSerializer(series).data)


class SeriesEndView(ApiView):
    """End a series now: future occurrences are cancelled with the reason and announced."""

    @extend_schema(
        operation_id="meeting_series_end",
        tags=["meetings"],
        request=s.SeriesEndInputSerializer,
        responses=s.SeriesOutputSerializer,
        examples=[example("Project paused", {"reason": "The project is on hold until February."}, request=True)],
    )
    def post(self, request, slug: str, pk: int):
        series, _access = _series(request, slug, pk)
        data = s.SeriesEndInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        series = meetings.series_end(actor=request.user, series=series, reason=data.validated_data["reason"])
        return Response(s.SeriesOutputSerializer(series).data)


class MeetingListView(ApiView):
    """Meetings of the project with attendance and RSVPs; the team schedules one-off meetings."""

    queryset = Meeting.objects.none()
    filterset_class = filters.MeetingFilter
    ordering_fields = ["starts_at", "status"]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "can_see_internal": getattr(self, "can_see_internal", False)}

    @extend_schema(operation_id="meetings_list", tags=["meetings"], responses=s.MeetingOutputSerializer(many=True))
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        self.can_see_internal = access.can_see_internal
        return self.page(selectors.meetings_with_attendance(access), s.MeetingOutputSerializer)

    @extend_schema(
        operation_id="meetings_create",
        tags=["meetings"],
        request=s.MeetingCreateInputSerializer,
        responses={201: s.MeetingOutputSerializer},
        examples=[
            example(
                "Kick-off",
                {"title": "Kick-off", "starts_at": "2026-12-01T10:00:00", "time_zone": "Europe/Moscow", "attendees": [3, 12]},
                request=True,
            )
        ],
    )
    def post(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        data = s.MeetingCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = meetings.meeting_create(actor=request.user, project=access.project, **data.validated_data)
        return _meeting_response(meeting, access, status.HTTP_201_CREATED)


def _meeting_response(meeting, access, code=status.HTTP_200_OK) -> Response:
    meeting = selectors.meeting_with_attendance(meeting)
    response = Response(s.MeetingOutputSerializer(meeting, context={"can_see_internal": access.can_see_internal}).data, status=code)
    response["ETag"] = f'"{meeting.version}"'
    return response


class MeetingDetailView(ApiView):
    """One meeting with its `ETag`; the team edits the agenda."""

    @extend_schema(operation_id="meetings_retrieve", tags=["meetings"], responses=s.MeetingOutputSerializer)
    def get(self, request, slug: str, pk: int):
        meeting, access = _meeting(request, slug, pk)
        return _meeting_response(meeting, access)

    @extend_schema(
        operation_id="meetings_partial_update",
        tags=["meetings"],
        parameters=[IF_MATCH],
        request=s.MeetingAgendaInputSerializer,
        responses=s.MeetingOutputSerializer,
        examples=[example("New agenda", {"agenda": "1. Design review\n2. Open decisions"}, request=True)],
    )
    def patch(self, request, slug: str, pk: int):
        meeting, access = _meeting(request, slug, pk)
        data = s.MeetingAgendaInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = expected_version(request, data.validated_data.get("version"))
        meeting = meetings.meeting_update_agenda(
            actor=request.user, meeting=meeting, agenda=data.validated_data["agenda"], expected_version=version
        )
        return _meeting_response(meeting, access)


class MeetingRsvpView(ApiView):
    """An invited member answers yes, maybe or no for a meeting still ahead."""

    @extend_schema(
        operation_id="meetings_rsvp",
        tags=["meetings"],
        request=s.MeetingRsvpInputSerializer,
        responses=s.MeetingOutputSerializer,
        examples=[example("Yes", {"answer": "yes"}, request=True)],
    )
    def post(self, request, slug: str, pk: int):
        meeting, access = _meeting(request, slug, pk)
        data = s.MeetingRsvpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meetings.rsvp_set(actor=request.user, meeting=meeting, answer=data.validated_data["answer"])
        return _meeting_response(meeting, access)


class MeetingHoldView(ApiView):
    """The team closes a meeting that took place: minutes, who attended, outcomes (tasks and decisions); a recap is e-mailed."""

    @extend_schema(
        operation_id="meetings_hold",
        tags=["meetings"],
        parameters=[IF_MATCH],
        request=s.MeetingHoldInputSerializer,
        responses=s.MeetingOutputSerializer,
        examples=[
            example(
                "Minutes with an action",
                {
                    "minutes": "Agreed the home page layout.",
                    "attended": [3, 12],
                    "outcomes": [{"kind": "task", "title": "Send logo files", "owner_id": 12, "due_date": "2026-12-08"}],
                },
                request=True,
            )
        ],
    )
    def post(self, request, slug: str, pk: int):
        meeting, access = _meeting(request, slug, pk)
        data = s.MeetingHoldInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        meeting = meetings.meeting_hold(
            actor=request.user,
            meeting=meeting,
            minutes=d["minutes"],
            attended_user_ids=d["attended"],
            outcomes=d.get("outcomes", []),
            share_minutes=d.get("share_minutes", True),
            expected_version=expected_version(request, d.get("version")),
        )
        return _meeting_response(meeting, access)


class MeetingCancelView(ApiView):
    """The team cancels one occurrence with a reason; the row stays and is counted."""

    @extend_schema(
        operation_id="meetings_cancel",
        tags=["meetings"],
        parameters=[IF_MATCH],
        request=s.MeetingCancelInputSerializer,
        responses=s.MeetingOutputSerializer,
        examples=[example("Holiday", {"reason": "Public holiday in Moscow"}, request=True)],
    )
    def post(self, request, slug: str, pk: int):
        meeting, access = _meeting(request, slug, pk)
        data = s.MeetingCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = expected_version(request, data.validated_data.get("version"))
        meeting = meetings.meeting_cancel(actor=request.user, meeting=meeting, reason=data.validated_data["reason"], expected_version=version)
        return _meeting_response(meeting, access)


class MeetingRescheduleView(ApiView):
    """The team moves one occurrence; attendees get an updated invitation."""

    @extend_schema(
        operation_id="meetings_reschedule",
        tags=["meetings"],
        parameters=[IF_MATCH],
        request=s.MeetingRescheduleInputSerializer,
        responses=s.MeetingOutputSerializer,
        examples=[example("One day later", {"starts_at": "2026-12-04T07:00:00Z", "reason": "Client travelling"}, request=True)],
    )
    def post(self, request, slug: str, pk: int):
        meeting, access = _meeting(request, slug, pk)
        data = s.MeetingRescheduleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        version = expected_version(request, d.pop("version", None))
        meeting = meetings.meeting_reschedule(actor=request.user, meeting=meeting, expected_version=version, **d)
        return _meeting_response(meeting, access)


class AttendanceListView(ApiView):
    """Who is invited, their RSVP and whether they attended."""

    pagination_class = None
    filter_backends: list = []

    @extend_schema(operation_id="meetings_attendance_list", tags=["meetings"], responses=s.AttendanceOutputSerializer(many=True))
    def get(self, request, slug: str, pk: int):
        meeting, _access = _meeting(request, slug, pk)
        return Response(s.AttendanceOutputSerializer(selectors.attendance_list(meeting), many=True).data)
