"""Meeting series: create, update, end, answer, and the rolling materialisation of occurrences.

Mail policy (issue 18): a series is one calendar event. Creating it invites each attendee once; changing its
rule, time, zone, length, title or place raises its SEQUENCE and sends the series again; ending it sends it
once more (its rule now stops). People added later get the series invitation, people removed a CANCEL of it.
Materialising occurrences sends nothing; a single occurrence's move or cancel is mailed by `meetings.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from engagement import notifications
from engagement.models import Attendance, Meeting, MeetingSeries, MeetingStatus, Rsvp, SeriesRsvp
from engagement.services.recurrence import (
    expand,
    last_occurrence,
    localise,
    rrule_end,
    rrule_validate,
    rrule_with_end,
    to_utc,
    validate_zone,
)
from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from projects.models import Membership, Project
from projects.permissions import project_access, require
from projects.services.audit import audit_record, diff, snapshot
from projects.services.common import check_fields

SERIES_TRACKED = (
    "title", "purpose", "rrule", "first_start", "duration_minutes", "time_zone", "location",
    "agenda_template", "reminder_offsets", "ended_at",
)
SERIES_EDITABLE = (
    "title", "purpose", "rrule", "first_start_local", "time_zone", "duration_minutes", "location",
    "attendees", "agenda_template", "reminder_offsets", "end_date", "end_count",
)
SCHEDULE_FIELDS = ("rrule", "first_start", "time_zone", "duration_minutes")
# Changes that raise the series' SEQUENCE and send it again (emails.md F3; agenda and purpose do not).
SIGNIFICANT_FIELDS = (*SCHEDULE_FIELDS, "title", "location")


def horizon(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(days=settings.MEETING_HORIZON_DAYS)


def on_commit(func, meeting_ids: Iterable[int]) -> None:
    """Schedule one notification per meeting after the transaction commits."""
    for meeting_id in meeting_ids:
        transaction.on_commit(partial(func, meeting_id))


def attendee_ids(*, project: Project, attendees: Iterable) -> list[int]:
    """Ids of `attendees` (users or ids); a ValidationError when one is not a member of the project."""
    ids = sorted({a.pk if isinstance(a, User) else int(a) for a in attendees})
    members = set(Membership.objects.filter(project=project, user_id__in=ids).values_list("user_id", flat=True))
    if set(ids) - members:
        raise ValidationError({"attendees": _("Every attendee must be a member of the project.")})
    return ids


def add_attendance(meetings: Iterable[Meeting], user_ids: Iterable[int]) -> None:
    user_ids = list(user_ids)
    rows = [Attendance(meeting=m, user_id=uid) for m in meetings for uid in user_ids]
    Attendance.objects.bulk_create(rows, ignore_conflicts=True)


def rsvp_survives(*, old_start: dt.datetime, old_end: dt.datetime, new_start: dt.datetime, new_end: dt.datetime) -> bool:
    """Whether answers given for the old time still hold: neither end moved by more than the policy allows."""
    limit = dt.timedelta(minutes=settings.MEETING_RSVP_KEEP_MINUTES)
    return abs(new_start - old_start) <= limit and abs(new_end - old_end) <= limit


def answers_reset(meeting_ids: Iterable[int]) -> int:
    """Forget the attendees' answers to these meetings: the next update asks them again."""
    return Attendance.objects.filter(meeting_id__in=list(meeting_ids)).exclude(rsvp=Rsvp.NONE).update(
        rsvp=Rsvp.NONE, rsvp_at=None
    )


def _slot(series: MeetingSeries, utc_start: dt.datetime) -> Meeting:
    return Meeting(
        series=series,
        project_id=series.project_id,
        title=series.title,
        starts_at=utc_start,
        ends_at=utc_start + dt.timedelta(minutes=series.duration_minutes),
        original_start=utc_start,
        time_zone=series.time_zone,
        location=series.location,
        agenda=series.agenda_template,
    )


def _create_slots(series: MeetingSeries, starts: Iterable[dt.datetime], user_ids: list[int]) -> list[Meeting]:
    created = []
    for utc_start in starts:
        meeting = _slot(series, utc_start)
        meeting.full_clean(validate_unique=False, validate_constraints=False)
        try:
            # A savepoint per row: a concurrent run that created the same slot is not an error.
            with transaction.atomic():
                meeting.save()
        except IntegrityError:
            continue
        created.append(meeting)
    add_attendance(created, user_ids)
    # New occurrences inherit each person's answer to the series.
    for answer in SeriesRsvp.objects.filter(series=series, user_id__in=user_ids).exclude(rsvp=Rsvp.NONE):
        Attendance.objects.filter(meeting__in=created, user_id=answer.user_id).update(rsvp=answer.rsvp, rsvp_at=answer.rsvp_at)
    return created


def _materialise(series: MeetingSeries, until: dt.datetime, now: dt.datetime) -> list[Meeting]:
    if series.ended_at is not None:
        until = min(until, series.ended_at)
    # Occurrences are materialised from now on: a series whose first start has passed gets no past rows.
    start = max(series.first_start, series.materialised_until or now)
    if until <= start:
        return []
    slots = [utc for _local, utc in expand(
        rrule=series.rrule, first_start=series.first_start, time_zone=series.time_zone, start=start, end=until
    )]
    existing = set(series.meetings.filter(original_start__in=slots).values_list("original_start", flat=True))
    user_ids = list(series.attendees.values_list("pk", flat=True))
    created = _create_slots(series, [s for s in slots if s not in existing], user_ids)
    MeetingSeries.objects.filter(pk=series.pk).update(materialised_until=until)
    series.materialised_until = until
    return created


@transaction.atomic
def occurrences_materialise(*, series: MeetingSeries, until: dt.datetime | None = None) -> list[Meeting]:
    """Create the missing occurrences up to `until` (default: the rolling horizon). Safe to run twice.

    Only slots after the last materialised point are considered, so a past slot that a schedule change
    removed is never brought back. Sends nothing: the series invitation already holds every occurrence.
    """
    now = timezone.now()
    series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
    created = _materialise(series, until or horizon(now), now)
    if created:
        audit_record(
            actor=None, action="meeting_series.materialise", obj=series, internal=False,
            changes={"created": len(created), "until": series.materialised_until.isoformat()},
        )
    return created


def _first_start(first_start_local: dt.datetime, time_zone: str) -> dt.datetime:
    if first_start_local.tzinfo is not None:
        first_start_local = first_start_local.astimezone(ZoneInfo(time_zone)).replace(tzinfo=None)
    return to_utc(first_start_local, time_zone)


@transaction.atomic
def series_create(
    *,
    actor: User,
    project: Project,
    title: str,
    rrule: str,
    first_start_local: dt.datetime,
    time_zone: str,
    duration_minutes: int = 30,
    attendees: Iterable = (),
    purpose: str = "",
    location: str = "",
    agenda_template: str = "",
    reminder_offsets: list[int] | None = None,
    end_date: dt.date | None = None,
    end_count: int | None = None,
) -> MeetingSeries:
    """`first_start_local` is the wall-clock time of the first meeting in `time_zone` (naive, or aware in any zone).
    The series ends on `end_date` (inclusive), after `end_count` meetings, as the rule's UNTIL or COUNT says, or never."""
    access = project_access(user=actor, project=project)
    require(access.can_manage_meetings)
    validate_zone(time_zone)
    ids = attendee_ids(project=project, attendees=attendees)
    series = MeetingSeries(
        project=project,
        title=title,
        purpose=purpose,
        rrule=_with_end(rrule_validate(rrule), {
            key: value for key, value in (("end_date", end_date), ("end_count", end_count)) if value is not None}),
        first_start=_first_start(first_start_local, time_zone),
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        location=location,
        agenda_template=agenda_template,
        organiser=actor,
    )
    if reminder_offsets is not None:
        series.reminder_offsets = reminder_offsets
    _check_end(series, changed=True)
    series.full_clean()
    series.save()
    series.attendees.set(ids)
    now = timezone.now()
    created = _materialise(series, horizon(now), now)
    transaction.on_commit(partial(notifications.series_invited, series.pk))
    audit_record(
        actor=actor, action="meeting_series.create", obj=series, internal=False,
        changes={**diff({}, snapshot(series, SERIES_TRACKED)), "attendees": {"old": [], "new": ids}, "occurrences": len(created)},
    )
    return series


def _with_end(rrule: str, fields: dict) -> str:
    """The rule with the end given by `end_date` / `end_count` when either is among `fields` (None: never ends)."""
    if not {"end_date", "end_count"} & fields.keys():
        return rrule
    return rrule_with_end(rrule, until=fields.get("end_date"), count=fields.get("end_count"))


def _check_end(series: MeetingSeries, *, changed: bool) -> None:
    """An end date is never before the first meeting, and a newly set one is not in the past."""
    until, _count = rrule_end(series.rrule)
    if until is None:
        return
    zone = ZoneInfo(series.time_zone)
    first = series.first_start.astimezone(zone).date()
    if until < first:
        raise ValidationError({"end_date": _("The series cannot end before its first meeting (%(date)s).") % {
            "date": date_format(first, "DATE_FORMAT")}})
    if changed and until < timezone.now().astimezone(zone).date():
        raise ValidationError({"end_date": _("This date has passed. To stop the series now, end it instead.")})


def _apply_series_fields(series: MeetingSeries, fields: dict) -> None:
    old_zone = series.time_zone
    if "rrule" in fields:
        series.rrule = rrule_validate(fields["rrule"])
    series.rrule = _with_end(series.rrule, fields)
    if "time_zone" in fields:
        series.time_zone = validate_zone(fields["time_zone"])
    if "first_start_local" in fields:
        series.first_start = _first_start(fields["first_start_local"], series.time_zone)
    elif series.time_zone != old_zone:
        # Same wall-clock time, now in the new zone.
        wall = series.first_start.astimezone(ZoneInfo(old_zone)).replace(tzinfo=None)
        series.first_start = localise(wall, ZoneInfo(series.time_zone)).astimezone(dt.UTC)
    for name in ("title", "purpose", "duration_minutes", "location", "agenda_template", "reminder_offsets"):
        if name in fields:
            setattr(series, name, fields[name])


def _bump(meeting: Meeting) -> None:
    meeting.sequence += 1
    meeting.version += 1


def _reschedule_future(series: MeetingSeries, future: list[Meeting], now: dt.datetime) -> tuple[set, set, list, set]:
    """Move the future, never individually moved occurrences onto the new slots (keeping their UIDs).

    Returns the ids of the occurrences updated and cancelled, the occurrences created, and the ids of those
    that moved further than answers survive (`rsvp_survives`)."""
    future_ids = {m.pk for m in future}
    occupied = set(series.meetings.exclude(pk__in=future_ids).values_list("original_start", flat=True))
    until = horizon(now)
    slots = [utc for _l, utc in expand(
        rrule=series.rrule, first_start=series.first_start, time_zone=series.time_zone, start=now, end=until
    ) if utc not in occupied]
    updated, cancelled, asked_again = set(), set(), set()
    # An occurrence already on one of the new slots keeps it; the others take the free slots in order.
    slot_set = set(slots)
    staying = {m.pk: m.original_start for m in future if m.original_start in slot_set}
    free = [s for s in slots if s not in set(staying.values())]
    movers = [m for m in future if m.pk not in staying]
    plan = {m.pk: m.original_start for m in future if m.pk in staying}
    plan.update({m.pk: slot for m, slot in zip(movers, free, strict=False)})
    # Free the slot keys first so that swapping slots cannot trip the one-per-slot constraint.
    Meeting.objects.filter(pk__in=future_ids).update(original_start=None)
    duration = dt.timedelta(minutes=series.duration_minutes)
    for meeting in future:
        slot = plan.get(meeting.pk)
        if slot is None:
            # No slot left for it under the new rule: its old slot key is not a new slot, so it can stay.
            meeting.status, meeting.cancel_reason, meeting.cancelled_at = MeetingStatus.CANCELLED, _("The series schedule changed."), now
            _bump(meeting)
            meeting.save()
            cancelled.add(meeting.pk)
            continue
        moved = meeting.starts_at != slot or meeting.ends_at != slot + duration or meeting.time_zone != series.time_zone
        if not rsvp_survives(old_start=meeting.starts_at, old_end=meeting.ends_at, new_start=slot, new_end=slot + duration):
            asked_again.add(meeting.pk)
        meeting.starts_at, meeting.ends_at, meeting.original_start = slot, slot + duration, slot
        meeting.time_zone = series.time_zone
        if moved:
            _bump(meeting)
            updated.add(meeting.pk)
        meeting.save()
    created = _create_slots(series, free[len(movers):], list(series.attendees.values_list("pk", flat=True)))
    series.materialised_until = until
    return updated, cancelled, created, asked_again


def _cancel_beyond_end(series: MeetingSeries, future: list[Meeting], now: dt.datetime) -> set[int]:
    """Cancel the future occurrences (moved by hand or not) whose slot lies after the rule's last one.
    Nothing is mailed per occurrence: the series update carries the rule's new end."""
    last = last_occurrence(rrule=series.rrule, first_start=series.first_start, time_zone=series.time_zone)
    if last is None:
        return set()
    when = date_format(last.astimezone(ZoneInfo(series.time_zone)).date(), "DATE_FORMAT")
    cancelled = set()
    for meeting in future:
        if meeting.original_start is None or meeting.original_start <= last:
            continue
        meeting.status, meeting.cancelled_at = MeetingStatus.CANCELLED, now
        meeting.cancel_reason = _("The series now ends on %(date)s.") % {"date": when}
        _bump(meeting)
        meeting.save()
        cancelled.add(meeting.pk)
    return cancelled


@transaction.atomic
def series_update(*, actor: User, series: MeetingSeries, **fields) -> MeetingSeries:
    """Change a series. Future scheduled occurrences follow, except for the time of occurrences that were moved
    one by one. A significant change sends the series again (SEQUENCE +1); added people get the invitation,
    removed ones a CANCEL (SEQUENCE +1 too, emails.md §4.4); nothing is mailed per occurrence."""
    check_fields(fields, SERIES_EDITABLE)
    series = MeetingSeries.objects.select_for_update().select_related("project").get(pk=series.pk)
    access = project_access(user=actor, project=series.project)
    require(access.can_manage_meetings)
    if series.ended_at is not None:
        raise ApplicationError(_("This series has ended."), code="series_ended")
    before = snapshot(series, SERIES_TRACKED)
    old_ids = set(series.attendees.values_list("pk", flat=True))
    new_ids = set(attendee_ids(project=series.project, attendees=fields["attendees"])) if "attendees" in fields else old_ids
    _apply_series_fields(series, fields)
    _check_end(series, changed=rrule_end(series.rrule) != rrule_end(before["rrule"]))
    series.full_clean()
    changes = diff(before, snapshot(series, SERIES_TRACKED))
    if new_ids != old_ids:
        changes["attendees"] = {"old": sorted(old_ids), "new": sorted(new_ids)}
    if not changes:
        return series
    now = timezone.now()
    future = list(series.meetings.select_for_update().filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now).order_by("starts_at"))
    updated, created, asked_again = set(), [], set()
    series.attendees.set(new_ids)
    cancelled = _cancel_beyond_end(series, future, now)
    if any(name in changes for name in SCHEDULE_FIELDS):
        unmoved = [m for m in future if m.rescheduled_from is None and m.pk not in cancelled]
        updated, dropped, created, asked_again = _reschedule_future(series, unmoved, now)
        cancelled |= dropped
    if asked_again:
        # The answers were given for another time: the series update asks everyone again, once.
        changes["rsvps_reset"] = answers_reset(asked_again - cancelled)
        SeriesRsvp.objects.filter(series=series).exclude(rsvp=Rsvp.NONE).update(rsvp=Rsvp.NONE, rsvp_at=None)
    significant = any(name in changes for name in SIGNIFICANT_FIELDS)
    added, removed = sorted(new_ids - old_ids), sorted(old_ids - new_ids)
    if significant or removed:
        series.sequence += 1
    series.save()
    live = [m for m in future if m.pk not in cancelled]
    for meeting in live:
        if meeting.title != series.title or meeting.location != series.location:
            meeting.title, meeting.location = series.title, series.location
            if meeting.pk not in updated:
                _bump(meeting)
                updated.add(meeting.pk)
            meeting.save()
    if new_ids != old_ids:
        Attendance.objects.filter(meeting__in=live, user_id__in=removed).delete()
        add_attendance(live, added)
        SeriesRsvp.objects.filter(series=series, user_id__in=removed).delete()
    if removed:
        transaction.on_commit(partial(notifications.series_uninvited, series.pk, removed))
    if significant:
        transaction.on_commit(partial(notifications.series_invited, series.pk))
    elif added:
        transaction.on_commit(partial(notifications.series_invited, series.pk, added))
    changes["occurrences"] = {"updated": len(updated), "cancelled": len(cancelled), "created": len(created)}
    audit_record(actor=actor, action="meeting_series.update", obj=series, changes=changes, internal=False)
    return series


@transaction.atomic
def series_end(*, actor: User, series: MeetingSeries, reason: str) -> MeetingSeries:
    """End a series now: every future scheduled occurrence is cancelled with `reason`. The series goes out once
    more (SEQUENCE +1): its rule now stops at the last meeting, or a CANCEL when none took place."""
    series = MeetingSeries.objects.select_for_update().select_related("project").get(pk=series.pk)
    access = project_access(user=actor, project=series.project)
    require(access.can_manage_meetings)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the series ends; attendees will see it.")})
    if series.ended_at is not None:
        raise ApplicationError(_("This series has already ended."), code="series_ended")
    now = timezone.now()
    series.ended_at = now
    series.sequence += 1
    series.save(update_fields=["ended_at", "sequence", "updated_at"])
    cancelled = []
    for meeting in series.meetings.select_for_update().filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now):
        meeting.status, meeting.cancel_reason, meeting.cancelled_at = MeetingStatus.CANCELLED, reason, now
        _bump(meeting)
        meeting.save()
        cancelled.append(meeting.pk)
    transaction.on_commit(partial(notifications.series_ended, series.pk, reason))
    audit_record(
        actor=actor, action="meeting_series.end", obj=series, internal=False,
        changes={"ended_at": {"old": None, "new": now.isoformat()}, "reason": reason, "cancelled": len(cancelled)},
    )
    return series


@transaction.atomic
def series_rsvp_set(*, actor: User, series: MeetingSeries, answer: str) -> SeriesRsvp:
    """An attendee's answer to a whole series (the RSVP links of a series invitation): it becomes their answer to
    every coming scheduled occurrence, and to occurrences materialised later. Does not touch the SEQUENCE."""
    series = MeetingSeries.objects.select_for_update().select_related("project").get(pk=series.pk)
    project_access(user=actor, project=series.project)
    if answer not in (Rsvp.YES, Rsvp.MAYBE, Rsvp.NO):
        raise ValidationError({"answer": _("Answer yes, maybe or no.")})
    if not series.attendees.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("Only the people invited to this meeting can answer."))
    if series.ended_at is not None:
        raise ApplicationError(_("This series has ended."), code="series_ended")
    now = timezone.now()
    row, _created = SeriesRsvp.objects.select_for_update().get_or_create(series=series, user=actor)
    old = row.rsvp
    row.rsvp, row.rsvp_at = answer, now
    row.full_clean(validate_unique=False)
    row.save()
    changed = Attendance.objects.filter(
        meeting__series=series, meeting__status=MeetingStatus.SCHEDULED, meeting__starts_at__gt=now, user=actor
    ).exclude(rsvp=answer).update(rsvp=answer, rsvp_at=now)
    audit_record(
        actor=actor, action="meeting_series.rsvp", obj=series, internal=False,
        changes={"rsvp": {"old": old, "new": answer}, "person": actor.pk, "occurrences": changed},
    )
    return row
