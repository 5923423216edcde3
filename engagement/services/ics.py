"""iCalendar files: iTIP REQUEST/CANCEL for a one-off meeting, a series (one RRULE event) or one occurrence of a
series (its UID plus RECURRENCE-ID), and the personal PUBLISH feed (emails.md §4).

Built with icalendar only (it escapes `\\ ; , newline`, quotes parameters and folds at 75 octets).
`Calendar()` + `add()` rather than `Calendar.new()`, which would add a calendar-level UID.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from icalendar import Calendar, Event, vCalAddress, vRecur

from engagement.services.recurrence import expand, until_utc
from portal.core.time import zone

PRODID = "-//Rapport//Rapport 1.0//EN"
PARTSTAT = {"none": "NEEDS-ACTION", "yes": "ACCEPTED", "maybe": "TENTATIVE", "no": "DECLINED"}
FEED_CANCELLED_DAYS = 30
SERIES_ZONE_YEARS = 10


@dataclass(frozen=True)
class IcsAttendee:
    email: str
    name: str
    rsvp: str  # Rapport's answer: none / yes / maybe / no
    is_recipient: bool = False


def _text(value: str | None) -> str | None:
    """Plain text for a TEXT property: CR LF and lone CR become LF, which icalendar escapes as `\\n`."""
    if not value:
        return None
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _calendar(method: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    return cal


def _local(value: dt.datetime, tz_name: str) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("no floating times in calendar files: the datetime must be aware")
    return value.astimezone(zone(tz_name))


def _add_timezones(cal: Calendar, start: dt.date, end: dt.date) -> None:
    """A compact VTIMEZONE for every TZID in `cal` (none for UTC, which is written as `…Z`)."""
    cal.add_missing_timezones(first_date=start - dt.timedelta(days=366), last_date=end + dt.timedelta(days=366))


def organizer(name: str) -> vCalAddress:
    return vCalAddress.new(f"mailto:{settings.RAPPORT_CALENDAR_EMAIL}", cn=f"{name} (Rapport)")


def _add_attendees(event: Event, attendees: list[IcsAttendee], method: str) -> None:
    for person in attendees:
        needs_action = person.rsvp == "none"
        event.add(
            "attendee",
            vCalAddress.new(
                f"mailto:{person.email}",
                cn=person.name,
                cutype="INDIVIDUAL",
                role="REQ-PARTICIPANT",
                partstat=PARTSTAT.get(person.rsvp, "NEEDS-ACTION"),
                rsvp=True if (person.is_recipient and needs_action and method == "REQUEST") else None,
            ),
        )


def _status(method: str, cancelled: bool, uninvite: bool) -> str | None:
    # An uninvite (CANCEL to a removed person only) MUST NOT carry STATUS (RFC 5546 §3.2.5).
    if uninvite:
        return None
    return "CANCELLED" if method == "CANCEL" or cancelled else "CONFIRMED"


def occurrence_sequence(meeting, series=None) -> int:
    """An occurrence's SEQUENCE: its own, never below its series' (an override older than the master is ignored)."""
    return max(meeting.sequence, series.sequence) if series is not None else meeting.sequence


def meeting_event(
    meeting,
    *,
    method: str,
    organiser_name: str,
    attendees: list[IcsAttendee],
    description: str = "",
    url: str = "",
    comment: str = "",
    now: dt.datetime | None = None,
    series=None,
    uninvite: bool = False,
) -> Event:
    """One meeting. With `series`, the occurrence as an instance of the series' event: UID of the series and
    RECURRENCE-ID its original slot, in the series' zone."""
    event = Event.new(
        uid=str(series.uid if series is not None else meeting.uid),
        stamp=now or timezone.now(),
        sequence=occurrence_sequence(meeting, series),
        start=_local(meeting.starts_at, meeting.time_zone),
        end=_local(meeting.ends_at, meeting.time_zone),
        summary=_text(meeting.title),
        location=_text(meeting.location),
        url=url or None,
        description=_text(description),
        status=_status(method, meeting.status == "cancelled", uninvite),
        organizer=organizer(organiser_name),
    )
    if series is not None:
        event.add("recurrence-id", _local(meeting.original_start, series.time_zone))
    if method != "CANCEL":
        event.add("transp", "OPAQUE")
    if comment:
        event.add("comment", _text(comment))
    _add_attendees(event, attendees, method)
    return event


def series_rrule(series) -> vRecur | None:
    """The series' rule for a calendar file. UNTIL becomes a UTC date-time (RFC 5545 §3.3.10 with a TZID start);
    an ended series ends at its last occurrence before `ended_at`. None when an ended series never met."""
    parts = dict(part.split("=", 1) for part in series.rrule.split(";"))
    zone_ = zone(series.time_zone)
    if "UNTIL" in parts:
        parts["UNTIL"] = until_utc(parts["UNTIL"], zone_)
    if series.ended_at is not None:
        held = expand(
            rrule=series.rrule, first_start=series.first_start, time_zone=series.time_zone,
            start=series.first_start, end=series.ended_at,
        )
        if not held:
            return None
        parts.pop("COUNT", None)
        parts["UNTIL"] = held[-1][1].strftime("%Y%m%dT%H%M%SZ")
    return vRecur.from_ical(";".join(f"{key}={value}" for key, value in parts.items()))


def series_event(
    series,
    *,
    method: str,
    organiser_name: str,
    attendees: list[IcsAttendee],
    exdates: list[dt.datetime] = (),
    description: str = "",
    url: str = "",
    comment: str = "",
    now: dt.datetime | None = None,
    uninvite: bool = False,
) -> Event:
    """The series' master event: DTSTART of the first slot in the series' zone, DURATION, RRULE and EXDATE."""
    start = _local(series.first_start, series.time_zone)
    rule = series_rrule(series)
    cancelled = rule is None
    event = Event.new(
        uid=str(series.uid),
        stamp=now or timezone.now(),
        sequence=series.sequence,
        start=start,
        summary=_text(series.title),
        location=_text(series.location),
        url=url or None,
        description=_text(description),
        status=_status(method, cancelled, uninvite),
        organizer=organizer(organiser_name),
    )
    event.add("duration", dt.timedelta(minutes=series.duration_minutes))
    if rule is not None:
        event.add("rrule", rule)
    if exdates:
        event.add("exdate", [_local(value, series.time_zone) for value in sorted(exdates)])
    if method != "CANCEL" and not cancelled:
        event.add("transp", "OPAQUE")
    if comment:
        event.add("comment", _text(comment))
    _add_attendees(event, attendees, method)
    return event


def series_calendar(series, *, method: str, overrides: list[tuple] = (), **event_kwargs) -> str:
    """The whole series as one iTIP object: the master event, then one VEVENT per occurrence that differs from
    the rule (moved, retitled), given as `(meeting, attendees, description)`, so that a REQUEST of the master
    does not undo earlier changes of single occurrences in the recipient's calendar."""
    cal = _calendar(method)
    cal.add_component(series_event(series, method=method, **event_kwargs))
    first = series.first_start.date()
    last = _series_last_start(series).date()
    for meeting, attendees, description in overrides:
        cal.add_component(meeting_event(
            meeting, method=method, organiser_name=event_kwargs["organiser_name"], attendees=attendees,
            description=description, url=event_kwargs.get("url", ""), now=event_kwargs.get("now"), series=series,
        ))
        last = max(last, meeting.ends_at.date())
    # The VTIMEZONE must cover every occurrence (Outlook converts with it, not with its own zone data): the
    # whole rule, or SERIES_ZONE_YEARS for a rule without an end.
    _add_timezones(cal, first, last)
    return cal.to_ical().decode("utf-8")


def _series_last_start(series) -> dt.datetime:
    end = series.ended_at or series.first_start + dt.timedelta(days=365 * SERIES_ZONE_YEARS)
    slots = expand(rrule=series.rrule, first_start=series.first_start, time_zone=series.time_zone,
                   start=series.first_start, end=end)
    return slots[-1][1] if slots else series.first_start


def meeting_calendar(meeting, *, method: str, **event_kwargs) -> str:
    """A one-event iTIP calendar (REQUEST or CANCEL) as text with CRLF line ends."""
    cal = _calendar(method)
    cal.add_component(meeting_event(meeting, method=method, **event_kwargs))
    _add_timezones(cal, meeting.starts_at.date(), meeting.ends_at.date())
    return cal.to_ical().decode("utf-8")


def task_due_uid(task) -> str:
    digest = salted_hmac("rapport.ics.task", str(task.pk), algorithm="sha256").hexdigest()[:32]
    return f"{digest}-due@{settings.EMAIL_MESSAGE_ID_DOMAIN}"


def feed_calendar(*, name: str, meetings, tasks, now: dt.datetime | None = None, url_for=None) -> str:
    """PUBLISH feed: no ATTENDEE lines, cancelled occurrences as STATUS:CANCELLED, task due dates all-day."""
    now = now or timezone.now()
    cal = _calendar("PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    first = last = None
    for meeting in meetings:
        organiser = meeting.series.organiser if meeting.series_id and meeting.series.organiser_id else meeting.project.manager
        event = meeting_event(
            meeting,
            method="PUBLISH",
            organiser_name=str(organiser),
            attendees=[],
            description=meeting.agenda,
            url=url_for(meeting) if url_for else "",
            now=now,
        )
        event.add("last-modified", meeting.updated_at)
        cal.add_component(event)
        if meeting.time_zone != "UTC":
            first = min(first or meeting.starts_at.date(), meeting.starts_at.date())
            last = max(last or meeting.ends_at.date(), meeting.ends_at.date())
    for task in tasks:
        event = Event.new(
            uid=task_due_uid(task),
            stamp=now,
            start=task.due_date,
            end=task.due_date + dt.timedelta(days=1),
            summary=_text(f"{task.title} ({task.project.name})"),
            transparency="TRANSPARENT",
            status="CONFIRMED",
        )
        cal.add_component(event)
    if first is not None:
        _add_timezones(cal, first, last)
    return cal.to_ical().decode("utf-8")


def calendar_feed_for_token(*, token: str, now: dt.datetime | None = None) -> str | None:
    """The feed of the active person whose current `calendar_token` this is, or None."""
    from engagement.models import Meeting, MeetingStatus
    from portal.accounts.models import User
    from projects.models import Task

    person = User.objects.filter(calendar_token=token, is_active=True).first() if token else None
    if person is None:
        return None
    now = now or timezone.now()
    meetings = (
        Meeting.objects.filter(attendance__user=person, starts_at__gte=now - dt.timedelta(days=90))
        .exclude(status=MeetingStatus.CANCELLED, cancelled_at__lt=now - dt.timedelta(days=FEED_CANCELLED_DAYS))
        .select_related("project__manager", "series__organiser")
        .order_by("starts_at")
    )
    if person.is_client:
        meetings = meetings.filter(project__memberships__user=person)
    tasks = Task.objects.open().filter(owner=person, due_date__isnull=False).select_related("project")
    if person.is_client:
        tasks = tasks.visible_to_clients()

    def url_for(meeting) -> str:
        from engagement.emails.common import portal_url

        return portal_url("engagement:meeting", meeting.project.slug, meeting.pk)

    return feed_calendar(name=f"Rapport — {person}", meetings=meetings, tasks=tasks, now=now, url_for=url_for)
