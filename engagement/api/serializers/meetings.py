from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from engagement.models import Involvement, MeetingStatus, Rsvp
from engagement.services.recurrence import MAX_COUNT, rrule_end
from portal.core.api.fields import id_field
from portal.core.time import TIME_ZONE_CHOICES
from projects.api.serializers import PersonSerializer


class SeriesOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    purpose = serializers.CharField()
    rrule = serializers.CharField(help_text="RFC 5545 RRULE, expanded in `time_zone`.")
    first_start = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    time_zone = serializers.CharField()
    location = serializers.CharField()
    attendees = serializers.SerializerMethodField()
    agenda_template = serializers.CharField()
    reminder_offsets = serializers.ListField(child=serializers.IntegerField(), help_text="Minutes before the start.")
    organiser = PersonSerializer(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    end_date = serializers.SerializerMethodField(help_text="The date of the last meeting at the latest (the rule's UNTIL).")
    end_count = serializers.SerializerMethodField(help_text="The number of meetings in all (the rule's COUNT).")

    def get_attendees(self, series) -> list[int]:
        return sorted(user.pk for user in series.attendees.all())

    def get_end_date(self, series) -> dt.date | None:
        return rrule_end(series.rrule)[0]

    def get_end_count(self, series) -> int | None:
        return rrule_end(series.rrule)[1]


class SeriesCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    rrule = serializers.CharField(max_length=300)
    first_start_local = serializers.DateTimeField(help_text="Wall-clock time of the first meeting in `time_zone`.")
    time_zone = serializers.ChoiceField(choices=TIME_ZONE_CHOICES)
    duration_minutes = serializers.IntegerField(min_value=5, max_value=1440, required=False)
    attendees = serializers.ListField(child=id_field(), required=False, help_text="User ids (members).")
    purpose = serializers.CharField(required=False, allow_blank=True)
    location = serializers.CharField(required=False, allow_blank=True, max_length=300)
    agenda_template = serializers.CharField(required=False, allow_blank=True)
    reminder_offsets = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=40320), required=False, max_length=5)
    end_date = serializers.DateField(
        required=False, allow_null=True, help_text="The series ends on this date (inclusive, in `time_zone`); null: never."
    )
    end_count = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_COUNT,
        help_text="The series ends after this many meetings in all, counting from the first; null: never.",
    )


class SeriesUpdateInputSerializer(SeriesCreateInputSerializer):
    title = serializers.CharField(max_length=200, required=False)
    rrule = serializers.CharField(max_length=300, required=False)
    first_start_local = serializers.DateTimeField(required=False)
    time_zone = serializers.ChoiceField(choices=TIME_ZONE_CHOICES, required=False)


class SeriesEndInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AttendanceOutputSerializer(serializers.Serializer):
    user = PersonSerializer()
    rsvp = serializers.ChoiceField(choices=Rsvp.choices)
    rsvp_at = serializers.DateTimeField(allow_null=True)
    attended = serializers.BooleanField(allow_null=True)


@extend_schema_serializer(examples=[OpenApiExample("Meeting", response_only=True, value={
        "id": 8, "series": 2, "title": "Weekly check-in", "starts_at": "2026-12-03T07:00:00Z", "ends_at": "2026-12-03T07:30:00Z",
        "time_zone": "Europe/Moscow", "location": "https://meet.example/acme", "status": "scheduled", "cancel_reason": "",
        "rescheduled_from": None, "agenda": "1. Design review", "minutes": "", "minutes_shared": True, "held_at": None, "sequence": 0,
        "attendance": [{"user": {"id": 12, "name": "Boris Client", "email": "bob@acme.example"}, "rsvp": "yes",
                        "rsvp_at": "2026-11-25T08:00:00Z", "attended": None}],
        "version": 1,
    })])
class MeetingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    series = serializers.IntegerField(source="series_id", allow_null=True)
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    time_zone = serializers.CharField()
    location = serializers.CharField()
    status = serializers.ChoiceField(choices=MeetingStatus.choices)
    cancel_reason = serializers.CharField()
    rescheduled_from = serializers.DateTimeField(allow_null=True)
    agenda = serializers.CharField()
    minutes = serializers.SerializerMethodField(help_text="Empty for client people when the minutes are not shared.")
    minutes_shared = serializers.BooleanField()
    held_at = serializers.DateTimeField(allow_null=True)
    sequence = serializers.IntegerField()
    attendance = AttendanceOutputSerializer(many=True)
    version = serializers.IntegerField()

    def get_minutes(self, meeting) -> str:
        if meeting.minutes_shared or self.context.get("can_see_internal"):
            return meeting.minutes
        return ""


class MeetingCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField(help_text="Aware, or wall-clock time in `time_zone`.")
    duration_minutes = serializers.IntegerField(min_value=5, max_value=1440, required=False)
    time_zone = serializers.ChoiceField(choices=TIME_ZONE_CHOICES, required=False)
    location = serializers.CharField(required=False, allow_blank=True, max_length=300)
    agenda = serializers.CharField(required=False, allow_blank=True)
    attendees = serializers.ListField(child=id_field(), required=False)


class MeetingAgendaInputSerializer(serializers.Serializer):
    agenda = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(required=False, write_only=True)


class MeetingRsvpInputSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=[Rsvp.YES, Rsvp.MAYBE, Rsvp.NO])


class MeetingOutcomeInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["task", "decision"])
    title = serializers.CharField(max_length=200)
    owner_id = id_field(required=False, help_text="For a task: its owner.")
    due_date = serializers.DateField(required=False, allow_null=True)
    decision = serializers.CharField(required=False, allow_blank=True, help_text="For a decision: what was decided.")
    involvement = serializers.ChoiceField(choices=Involvement.choices, required=False)


class MeetingHoldInputSerializer(serializers.Serializer):
    minutes = serializers.CharField(allow_blank=True)
    attended = serializers.ListField(child=id_field(), help_text="User ids who attended.")
    outcomes = MeetingOutcomeInputSerializer(many=True, required=False)
    share_minutes = serializers.BooleanField(required=False, default=True)
    version = serializers.IntegerField(required=False)


class MeetingCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    version = serializers.IntegerField(required=False)


class MeetingRescheduleInputSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=1440, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(required=False)
