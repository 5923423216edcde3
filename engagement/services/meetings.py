"""Meetings: one-off meetings and the life of one occurrence (move, cancel, agenda, minutes, RSVP).

Series live in `engagement.services.series` and are re-exported here. Calendar
rules (emails.md §4.4): a change of time, status, place or title raises
`sequence` by one in the same transaction; RSVPs and minutes never do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement import notifications
from engagement.models import Attendance, Meeting, MeetingStatus, Rsvp
from engagement.services.agenda import agenda_draft  # noqa: F401  (part of this module's interface)
from engagement.services.recurrence import to_utc, validate_zone
from engagement.services.series import (  # noqa: F401  (part of this module's interface)
    add_attendance,
    answers_reset,
    attendee_ids,
    occurrences_materialise,
    on_commit,
    rsvp_survives,
    series_create,
    series_end,
    series_rsvp_set,
    series_update,
)
from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from projects.models import Project
from projects.permissions import ProjectAccess, project_access, require
from projects.services.audit import audit_record, diff, snapshot
from projects.services.common import NOT_A_MEMBER, check_version

MEETING_TRACKED = ("title", "starts_at", "ends_at", "time_zone", "location", "status", "cancel_reason", "agenda", "sequence")


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("project", "series").get(pk=meeting.pk)


def _staff_access(actor: User, meeting: Meeting) -> ProjectAccess:
    access = project_access(user=actor, project=meeting.project)
    require(access.can_manage_meetings)
    return access


def _require_scheduled(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ApplicationError(
            _("This meeting is %(status)s; it cannot be changed.") % {"status": meeting.get_status_display()},
            code="meeting_closed",
        )


def _aware(value: dt.datetime, time_zone: str) -> dt.datetime:
    """An aware UTC time from a naive wall-clock time in `time_zone` or from any aware time."""
    if value.tzinfo is None:
        return to_utc(value, time_zone)
    return value.astimezone(ZoneInfo("UTC"))


def _save(meeting: Meeting, *, actor: User, action: str, before: dict, extra: dict | None = None) -> Meeting:
    meeting.version += 1
    meeting.full_clean(validate_unique=False)
    meeting.save()
    changes = {**diff(before, snapshot(meeting, MEETING_TRACKED)), **(extra or {})}
    audit_record(actor=actor, action=action, obj=meeting, changes=changes, internal=False)
    return meeting


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    project: Project,
    title: str,
    starts_at: dt.datetime,
    duration_minutes: int = 30,
    time_zone: str = "UTC",
    location: str = "",
    agenda: str = "",
    attendees: Iterable = (),
) -> Meeting:
    """A one-off meeting. `starts_at` is aware, or naive wall-clock time in `time_zone`."""
    access = project_access(user=actor, project=project)
    require(access.can_manage_meetings)
    validate_zone(time_zone)
    ids = attendee_ids(project=project, attendees=attendees)
    if duration_minutes is None or int(duration_minutes) < 5:
        raise ValidationError({"duration_minutes": _("A meeting lasts at least 5 minutes.")})
    start = _aware(starts_at, time_zone)
    if start <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    meeting = Meeting(
        project=project,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=int(duration_minutes)),
        time_zone=time_zone,
        location=location,
        agenda=agenda,
    )
    meeting.full_clean()
    meeting.save()
    add_attendance([meeting], ids)
    audit_record(
        actor=actor, action="meeting.create", obj=meeting, internal=False,
        changes={**diff({}, snapshot(meeting, MEETING_TRACKED)), "attendees": {"old": [], "new": ids}},
    )
    on_commit(notifications.meeting_scheduled, [meeting.pk])
    return meeting


@transaction.atomic
def meeting_reschedule(
    *,
    actor: User,
    meeting: Meeting,
    starts_at: dt.datetime,
    reason: str = "",
    duration_minutes: int | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """Move one occurrence (sequence +1, `meeting_updated`). A series update no longer moves it.

    Attendees' answers survive a move within `MEETING_RSVP_KEEP_MINUTES`; a larger move forgets them, so the
    update asks everyone again."""
    meeting = _locked(meeting)
    _staff_access(actor, meeting)
    check_version(meeting, expected_version)
    _require_scheduled(meeting)
    start = _aware(starts_at, meeting.time_zone)
    duration = dt.timedelta(minutes=int(duration_minutes)) if duration_minutes else meeting.ends_at - meeting.starts_at
    if start <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    if start == meeting.starts_at and start + duration == meeting.ends_at:
        raise ApplicationError(_("The meeting is already at that time."), code="unchanged")
    before = snapshot(meeting, MEETING_TRACKED)
    extra = {"reason": reason.strip()}
    if not rsvp_survives(old_start=meeting.starts_at, old_end=meeting.ends_at, new_start=start, new_end=start + duration):
        extra["rsvps_reset"] = answers_reset([meeting.pk])
    meeting.rescheduled_from, meeting.reschedule_reason = meeting.starts_at, extra["reason"]
    meeting.starts_at, meeting.ends_at = start, start + duration
    meeting.sequence += 1
    _save(meeting, actor=actor, action="meeting.reschedule", before=before, extra=extra)
    on_commit(notifications.meeting_updated, [meeting.pk])
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str, expected_version: int | None = None) -> Meeting:
    """Cancel one occurrence with a reason (sequence +1, `meeting_cancelled`). The row stays and is counted."""
    meeting = _locked(meeting)
    _staff_access(actor, meeting)
    check_version(meeting, expected_version)
    _require_scheduled(meeting)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is cancelled; attendees will see it.")})
    before = snapshot(meeting, MEETING_TRACKED)
    meeting.status, meeting.cancel_reason, meeting.cancelled_at = MeetingStatus.CANCELLED, reason, timezone.now()
    meeting.sequence += 1
    _save(meeting, actor=actor, action="meeting.cancel", before=before)
    on_commit(notifications.meeting_cancelled, [meeting.pk])
    return meeting


@transaction.atomic
def meeting_update_agenda(*, actor: User, meeting: Meeting, agenda: str, expected_version: int | None = None) -> Meeting:
    """Replace the agenda. No e-mail goes out, so the calendar sequence stays."""
    meeting = _locked(meeting)
    _staff_access(actor, meeting)
    check_version(meeting, expected_version)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError(_("This meeting was cancelled."), code="meeting_closed")
    before = snapshot(meeting, MEETING_TRACKED)
    meeting.agenda = agenda
    return _save(meeting, actor=actor, action="meeting.agenda", before=before)


def _mark_attendance(meeting: Meeting, attended_user_ids: Iterable[int]) -> list[int]:
    attended = {int(uid) for uid in attended_user_ids}
    invited = set(meeting.attendance.values_list("user_id", flat=True))
    walk_ins = attended - invited
    if walk_ins:
        attendee_ids(project=meeting.project, attendees=walk_ins)
        add_attendance([meeting], walk_ins)
    Attendance.objects.filter(meeting=meeting).update(attended=False)
    Attendance.objects.filter(meeting=meeting, user_id__in=attended).update(attended=True)
    return sorted(attended)


def _outcome(actor: User, access: ProjectAccess, meeting: Meeting, outcome: dict):
    from engagement.services.decisions import decision_propose, decision_record

    kind = outcome.get("kind")
    if kind == "task":
        from projects.services.tasks import task_create

        if not outcome.get("owner_id"):
            raise ValidationError({"outcomes": _("Each action needs an owner.")})
        owner = User.objects.filter(pk=outcome["owner_id"]).first()
        if owner is None:  # worded as for someone else's account: an answer never tells which ids exist
            raise ValidationError({"owner": NOT_A_MEMBER})
        task = task_create(
            actor=actor, project=meeting.project, title=outcome.get("title", ""), owner=owner, due_date=outcome.get("due_date")
        )
        meeting.outcome_tasks.add(task)
        return task
    if kind == "decision":
        service = decision_record if access.can_record_decisions else decision_propose
        return service(
            actor=actor,
            project=meeting.project,
            title=outcome.get("title", ""),
            decision=outcome.get("decision", ""),
            involvement=outcome.get("involvement", "informed"),
            meeting=meeting,
        )
    raise ValidationError({"outcomes": _("An outcome is either a task or a decision.")})


@transaction.atomic
def meeting_hold(
    *,
    actor: User,
    meeting: Meeting,
    minutes: str,
    attended_user_ids: Iterable[int],
    outcomes: Iterable[dict] = (),
    share_minutes: bool = True,
    expected_version: int | None = None,
) -> Meeting:
    """Close a meeting that took place: minutes, attendance, outcomes (tasks and decisions) and, on commit, the recap.

    outcomes: [{"kind": "task", "title", "owner_id", "due_date"} | {"kind": "decision", "title", "decision", "involvement"}]
    """
    meeting = _locked(meeting)
    access = _staff_access(actor, meeting)
    check_version(meeting, expected_version)
    _require_scheduled(meeting)
    if meeting.starts_at > timezone.now():
        raise ApplicationError(_("This meeting has not started yet."), code="meeting_not_started")
    before = snapshot(meeting, MEETING_TRACKED)
    attended = _mark_attendance(meeting, attended_user_ids)
    made = [_outcome(actor, access, meeting, outcome) for outcome in outcomes]
    meeting.status, meeting.held_at = MeetingStatus.HELD, timezone.now()
    meeting.minutes, meeting.minutes_shared = minutes, share_minutes
    _save(
        meeting, actor=actor, action="meeting.hold", before=before,
        extra={"attended": attended, "outcomes": [f"{o._meta.model_name}:{o.pk}" for o in made], "minutes_shared": share_minutes},
    )
    on_commit(notifications.meeting_recap, [meeting.pk])
    return meeting


@transaction.atomic
def rsvp_set(*, actor: User, meeting: Meeting, answer: str) -> Attendance:
    """An attendee's answer (yes, maybe, no) to a meeting that is still ahead. Does not touch the calendar sequence."""
    meeting = _locked(meeting)
    project_access(user=actor, project=meeting.project)
    if answer not in (Rsvp.YES, Rsvp.MAYBE, Rsvp.NO):
        raise ValidationError({"answer": _("Answer yes, maybe or no.")})
    attendance = Attendance.objects.select_for_update().filter(meeting=meeting, user=actor).first()
    if attendance is None:
        raise PermissionDenied(_("Only the people invited to this meeting can answer."))
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError(_("This meeting was cancelled."), code="meeting_closed")
    if meeting.status == MeetingStatus.HELD or meeting.ends_at <= timezone.now():
        raise ApplicationError(_("This meeting is over."), code="meeting_past")
    old = attendance.rsvp
    if old == answer:
        return attendance
    attendance.rsvp, attendance.rsvp_at = answer, timezone.now()
    attendance.full_clean(validate_unique=False)
    attendance.save(update_fields=["rsvp", "rsvp_at"])
    audit_record(
        actor=actor, action="meeting.rsvp", obj=meeting, internal=False,
        changes={"rsvp": {"old": old, "new": answer}, "person": actor.pk},
    )
    return attendance
