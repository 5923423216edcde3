from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.models import TimeStamped
from portal.core.time import validate_time_zone
from projects.models import Project


def default_reminder_offsets() -> list[int]:
    return [24 * 60, 60]


class MeetingSeries(TimeStamped):
    """A recurring meeting. `rrule` is an RFC 5545 RRULE expanded in `time_zone`."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="meeting_series")
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    rrule = models.CharField(_("recurrence (RRULE)"), max_length=300)
    first_start = models.DateTimeField(_("first start"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=30)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    location = models.CharField(_("location or video link"), max_length=300, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("attendees"), related_name="meeting_series", blank=True)
    agenda_template = models.TextField(_("agenda template"), blank=True)
    reminder_offsets = models.JSONField(_("reminder offsets (minutes before)"), default=default_reminder_offsets)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organiser"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    materialised_until = models.DateTimeField(null=True, blank=True)
    # The series is one calendar event (RRULE) in invitations: its UID never changes, and its SEQUENCE
    # rises with every change of the rule, time, zone, length, title or place, and when it ends.
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)

    class Meta:
        ordering = ["project", "title"]
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        constraints = [models.CheckConstraint(condition=Q(duration_minutes__gte=5), name="series_duration_min")]

    def __str__(self) -> str:
        return self.title


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(TimeStamped):
    """One occurrence, stored in UTC. A series' occurrences are materialised for a rolling horizon."""

    series = models.ForeignKey(
        MeetingSeries, verbose_name=_("series"), null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    original_start = models.DateTimeField(_("originally scheduled for"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    location = models.CharField(_("location or video link"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    rescheduled_from = models.DateTimeField(_("rescheduled from"), null=True, blank=True)
    reschedule_reason = models.TextField(_("reason for the move"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_shared = models.BooleanField(_("minutes shared with the client"), default=True)
    held_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Attendance", related_name="meetings", verbose_name=_("attendees")
    )
    outcome_tasks = models.ManyToManyField("projects.Task", blank=True, related_name="source_meetings")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=["project", "starts_at"], name="meeting_project_start"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="meeting_cancel_has_reason"
            ),
            models.UniqueConstraint(
                fields=["series", "original_start"], condition=Q(series__isnull=False), name="meeting_one_per_series_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def was_rescheduled(self) -> bool:
        return self.rescheduled_from is not None


class Rsvp(models.TextChoices):
    NONE = "none", _("no answer")
    YES = "yes", _("yes")
    MAYBE = "maybe", _("maybe")
    NO = "no", _("no")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="attendance")
    rsvp = models.CharField(_("RSVP"), max_length=6, choices=Rsvp.choices, default=Rsvp.NONE)
    rsvp_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "user"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendance_one_per_person")]
        indexes = [models.Index(fields=["user", "meeting"], name="attendance_user_meeting")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.meeting}"


class SeriesRsvp(models.Model):
    """A person's answer to a whole series (the RSVP links of a series invitation). It is copied to every
    occurrence materialised later; an answer to one occurrence stays on that occurrence."""

    series = models.ForeignKey(MeetingSeries, verbose_name=_("series"), on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    rsvp = models.CharField(_("RSVP"), max_length=6, choices=Rsvp.choices, default=Rsvp.NONE)
    rsvp_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer to a series")
        verbose_name_plural = _("answers to series")
        constraints = [models.UniqueConstraint(fields=["series", "user"], name="series_rsvp_one_per_person")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.series}: {self.rsvp}"
