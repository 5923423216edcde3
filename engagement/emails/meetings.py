"""Meeting mail: invitations, updates and cancellations (iTIP), reminders and the recap.

iTIP rows are rendered at enqueue time from a snapshot and supersede older pending rows
for the same (occurrence, person); reminders are rendered at send time from current state.
A series is invited once as one RRULE event (`engagement.emails.series`); an occurrence of a series
is mailed here only when it alone changes (an update or a cancel with the series' UID and its
RECURRENCE-ID). All mail about one series, or one one-off meeting, threads under one root per person.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from engagement.emails.common import calendar_from, portal_url
from engagement.models import ActionLink, Attendance, Decision, Meeting, MeetingStatus
from engagement.services.ics import IcsAttendee, meeting_calendar, occurrence_sequence
from engagement.services.links import action_link_create, action_link_url, unsubscribe_url
from portal.core.time import zone
from portal.outbox.email import Rendered, base_headers, list_id, msgid, render_email, thread_root, unsubscribe_headers
from portal.outbox.models import MessageKind, MessageStatus, OutboundMessage
from portal.outbox.replies import reply_address
from portal.outbox.services import outbox_enqueue

A = ActionLink.Action
AGENDA_MAX = 10


def _meeting(meeting_id: int) -> Meeting | None:
    return Meeting.objects.select_related("project__manager", "series__organiser").filter(pk=meeting_id).first()


def _organiser(meeting: Meeting):
    if meeting.series_id and meeting.series.organiser_id:
        return meeting.series.organiser
    return meeting.project.manager


def _series_of(meeting: Meeting):
    """The series whose calendar event this occurrence belongs to, or None for a one-off meeting."""
    return meeting.series if meeting.series_id and meeting.original_start is not None else None


def thread_uid(meeting: Meeting) -> str:
    """The calendar event a meeting's mail threads under: its series, or the meeting itself."""
    series = _series_of(meeting)
    return str(series.uid if series is not None else meeting.uid)


def _attendances(meeting: Meeting) -> list[Attendance]:
    return list(meeting.attendance.select_related("user").order_by("user__full_name", "user__email"))


def meeting_url(meeting: Meeting) -> str:
    return portal_url("engagement:meeting", meeting.project.slug, meeting.pk)


def _rsvp_links(meeting: Meeting, person) -> dict[str, str]:
    if meeting.status != MeetingStatus.SCHEDULED:
        return {}
    return {
        answer: action_link_url(action_link_create(person=person, action=action, obj=meeting))
        for answer, action in (("yes", A.RSVP_YES), ("maybe", A.RSVP_MAYBE), ("no", A.RSVP_NO))
    }


def meeting_context(meeting: Meeting, person, attendances: list[Attendance], *, with_links: bool = True) -> dict:
    own = next((a for a in attendances if a.user_id == person.pk), None)
    agenda = [line.strip(" -*\t") for line in meeting.agenda.splitlines() if line.strip()]
    local_start = timezone.localtime(meeting.starts_at, timezone=zone(person.time_zone))
    return {
        "meeting": meeting,
        "person": person,
        "project": meeting.project,
        "organiser": _organiser(meeting),
        "attendee_names": [str(a.user) for a in attendances],
        "agenda_items": agenda[:AGENDA_MAX],
        "agenda_more": max(len(agenda) - AGENDA_MAX, 0),
        "rsvp": own.rsvp if own else "none",
        "rsvp_links": _rsvp_links(meeting, person) if with_links else {},
        "meeting_url": meeting_url(meeting),
        "local_start": local_start,
        "join_url": meeting.location if meeting.location.startswith(("http://", "https://")) else "",
    }


def _ics_attendees(attendances: list[Attendance], recipient) -> list[IcsAttendee]:
    return [
        IcsAttendee(email=a.user.email, name=str(a.user), rsvp=a.rsvp, is_recipient=a.user_id == recipient.pk)
        for a in attendances
    ]


def _ics_description(meeting: Meeting, person) -> str:
    """Plain text in the recipient's language: the agenda, the join link, the meeting in Rapport."""
    agenda, location = meeting.agenda.strip(), meeting.location or ""
    with translation.override(person.language):
        parts = [f"{gettext('Agenda')}:\n{agenda}" if agenda else ""]
        if location.startswith(("https://", "http://")):
            parts.append(f"{gettext('Join')}: {location}")
        parts.append(f"{gettext('Open the meeting in Rapport')}: {meeting_url(meeting)}")
    return "\n\n".join(p for p in parts if p)


def meeting_headers(*, project, organiser, uid: str, person, kind: str, first: bool, automated: bool,
                    dedupe_key: str, reply_to: str | None = None) -> tuple[dict, str]:
    """Headers and Message-ID of one piece of meeting mail; the first one to a person is the thread's root.
    `reply_to`: the person's reply address of one meeting (else the manager's address, for a whole series)."""
    headers = base_headers(kind=kind, language=person.language, automated=automated)
    headers["From"] = calendar_from(str(organiser))
    headers["Reply-To"] = reply_to or project.manager.email
    headers["List-Id"] = list_id(f"{project.name} meetings", f"meetings.p{project.pk}")
    root = thread_root("mtg", uid, person.pk)
    if first:
        return headers, root
    headers["In-Reply-To"] = root
    headers["References"] = root
    return headers, msgid(dedupe_key)


def _meeting_headers(meeting: Meeting, person, *, kind: str, first: bool, automated: bool, dedupe_key: str) -> tuple[dict, str]:
    return meeting_headers(
        project=meeting.project, organiser=_organiser(meeting), uid=thread_uid(meeting), person=person, kind=kind,
        first=first, automated=automated, dedupe_key=dedupe_key,
        reply_to=reply_address(person=person, kind="meetings", object_id=meeting.pk, project_id=meeting.project_id),
    )


def itip_sent_before(prefix: str) -> bool:
    """Whether any iTIP row (sent, pending or superseded) exists under `prefix`: then a new one is not the root."""
    return OutboundMessage.objects.filter(dedupe_key__startswith=prefix).exists()


def calendar_attachment(ics: str, method: str) -> dict:
    return {"calendar": True, "method": method, "filename": "invite.ics", "content_type": "text/calendar", "content": ics}


def queue_itip(*, meeting_id: int, method: str) -> int:
    """REQUEST or CANCEL at the meeting's current SEQUENCE to every attendee. Safe to call twice.

    A one-off meeting is its own calendar event. An occurrence of a series goes out as an instance of the
    series' event (same UID, RECURRENCE-ID = its original slot): an update after it alone was moved or a
    cancel of it alone. Its first announcement is the series invitation, so this is never the thread root.
    """
    meeting = _meeting(meeting_id)
    if meeting is None:
        return 0
    method = method.upper()
    series = _series_of(meeting)
    sequence = occurrence_sequence(meeting, series)
    attendances = _attendances(meeting)
    first_invite = series is None and sequence == 0
    template = "meeting_cancel" if method == "CANCEL" else ("meeting_invite" if first_invite else "meeting_update")
    kind = {
        "meeting_cancel": MessageKind.CANCELLATION,
        "meeting_invite": MessageKind.MEETING_INVITE,
        "meeting_update": MessageKind.MEETING_UPDATE,
    }[template]
    if method == "CANCEL":
        OutboundMessage.objects.filter(
            dedupe_key__startswith=f"reminder:{meeting.uid}:", status=MessageStatus.PENDING
        ).update(status=MessageStatus.SKIPPED, last_error="meeting cancelled")
    queued = 0
    for attendance in attendances:
        person = attendance.user
        prefix = f"itip:{meeting.uid}:{person.pk}:"
        key = f"{prefix}{sequence}:{method}"
        if not person.is_active or OutboundMessage.objects.filter(dedupe_key=key).exists():
            continue
        context = meeting_context(meeting, person, attendances, with_links=method == "REQUEST")
        rendered = render_email(template, context, language=person.language, time_zone=person.time_zone)
        ics = meeting_calendar(
            meeting,
            method=method,
            organiser_name=str(_organiser(meeting)),
            attendees=_ics_attendees(attendances, person),
            description=_ics_description(meeting, person) if method == "REQUEST" else meeting.cancel_reason,
            url=meeting_url(meeting),
            comment=meeting.cancel_reason if method == "CANCEL" else "",
            series=series,
        )
        first = method == "REQUEST" and series is None and not itip_sent_before(prefix)
        headers, message_id = _meeting_headers(meeting, person, kind=kind, first=first, automated=False, dedupe_key=key)
        _row, created = outbox_enqueue(
            kind=kind,
            recipient=person,
            dedupe_key=key,
            message_id=message_id,
            subject=rendered.subject,
            body_text=rendered.body_text,
            body_html=rendered.body_html,
            headers=headers,
            attachments=[calendar_attachment(ics, method)],
            payload={
                "supersede_prefix": prefix,
                "order": sequence * 2 + (1 if method == "CANCEL" else 0),
                "meeting": meeting.pk,
            },
            project_id=meeting.project_id,
        )
        queued += int(created)
    return queued


def reminder_key(meeting: Meeting, person_id: int, offset: int) -> str:
    # The start instant is part of the key: after a reschedule the new time gets its own reminders.
    return f"reminder:{meeting.uid}:{person_id}:{offset}:{meeting.starts_at.astimezone(dt.UTC):%Y%m%dT%H%MZ}"


def render_reminder(row: OutboundMessage) -> Rendered | None:
    """Called by the outbox at send time. None (skip) when the meeting is cancelled, moved, past or the person opted out."""
    meeting = _meeting(row.payload.get("meeting"))
    person = row.recipient
    now = timezone.now()
    if meeting is None or person is None or meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= now:
        return None
    if meeting.starts_at.isoformat() != row.payload.get("starts_at") or not person.email_reminders:
        return None
    attendances = _attendances(meeting)
    if not any(a.user_id == person.pk for a in attendances):
        return None
    offset = int(row.payload.get("offset", 60))
    context = meeting_context(meeting, person, attendances)
    local_now = timezone.localtime(now, timezone=zone(person.time_zone))
    context.update(
        {
            "offset_minutes": offset,
            "is_short": offset <= 120,
            "offset_hours": max(offset // 60, 1),
            "is_tomorrow": context["local_start"].date() == local_now.date() + dt.timedelta(days=1),
            "is_today": context["local_start"].date() == local_now.date(),
            "prepare_decisions": list(Decision.objects.filter(meeting=meeting).visible_to_clients().only("title")[:10]),
            "unsubscribe_url": unsubscribe_url(person=person, preference="email_reminders"),
        }
    )
    rendered = render_email("meeting_reminder", context, language=person.language, time_zone=person.time_zone)
    headers, _ = _meeting_headers(meeting, person, kind=MessageKind.REMINDER, first=False, automated=True, dedupe_key=row.dedupe_key)
    headers.update(unsubscribe_headers(context["unsubscribe_url"]))
    rendered.headers = headers
    # An occurrence of a series carries no calendar: a same-SEQUENCE instance REQUEST would make calendars
    # store every reminded occurrence as an exception of the series. Its calendar is the series invitation.
    if settings.RAPPORT_REMINDER_ICS == "request" and _series_of(meeting) is None:
        ics = meeting_calendar(
            meeting,
            method="REQUEST",
            organiser_name=str(_organiser(meeting)),
            attendees=_ics_attendees(attendances, person),
            description=_ics_description(meeting, person),
            url=meeting_url(meeting),
        )
        rendered.attachments = [calendar_attachment(ics, "REQUEST")]
    return rendered


def queue_recap(*, meeting_id: int) -> int:
    """Minutes, decisions and new actions to every attendee once the meeting is held. Safe to call twice."""
    meeting = _meeting(meeting_id)
    if meeting is None or meeting.status != MeetingStatus.HELD:
        return 0
    attendances = _attendances(meeting)
    decisions = list(Decision.objects.filter(meeting=meeting).order_by("created_at"))
    tasks = list(meeting.outcome_tasks.select_related("owner").order_by("due_date", "pk"))
    queued = 0
    for attendance in attendances:
        person = attendance.user
        key = f"recap:{meeting.uid}:{person.pk}"
        if not person.is_active or OutboundMessage.objects.filter(dedupe_key=key).exists():
            continue
        is_client = person.is_client
        own_tasks = [t for t in tasks if t.owner_id == person.pk]
        visible_tasks = own_tasks + [t for t in tasks if t.owner_id != person.pk and not (is_client and t.internal)]
        context = meeting_context(meeting, person, attendances, with_links=False)
        context.update(
            {
                "show_minutes": bool(meeting.minutes) and (meeting.minutes_shared or not is_client),
                "decisions": [d for d in decisions if not (is_client and d.internal)],
                "tasks": visible_tasks,
                "unsubscribe_url": unsubscribe_url(person=person, preference="email_reminders"),
            }
        )
        rendered = render_email("meeting_recap", context, language=person.language, time_zone=person.time_zone)
        headers, message_id = _meeting_headers(meeting, person, kind=MessageKind.RECAP, first=False, automated=True, dedupe_key=key)
        headers.update(unsubscribe_headers(context["unsubscribe_url"]))
        _row, created = outbox_enqueue(
            kind=MessageKind.RECAP,
            recipient=person,
            dedupe_key=key,
            message_id=message_id,
            subject=rendered.subject,
            body_text=rendered.body_text,
            body_html=rendered.body_html,
            headers=headers,
            project_id=meeting.project_id,
        )
        queued += int(created)
    return queued

