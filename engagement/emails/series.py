"""Series mail: one invitation per series and person, as one RRULE calendar event (issue 18).

A series goes out as its master event (UID of the series, DTSTART in the series' zone, RRULE, EXDATE of
cancelled occurrences) plus one instance per occurrence that differs from the rule, so a later REQUEST of
the master never undoes a single occurrence's change in the recipient's calendar. Sent when the series is
created, when its rule, time, zone, length, title or place change, and when it ends (a REQUEST whose rule
stops at the last meeting, or a CANCEL when none took place); to a person added later, once; and a CANCEL
without STATUS to a person removed. Materialising occurrences sends nothing.
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext

from engagement.emails.common import portal_url
from engagement.emails.meetings import (
    AGENDA_MAX,
    calendar_attachment,
    itip_sent_before,
    meeting_headers,
)
from engagement.models import ActionLink, Meeting, MeetingSeries, MeetingStatus, SeriesRsvp
from engagement.services.ics import IcsAttendee, series_calendar, series_rrule
from engagement.services.links import action_link_create, action_link_url
from engagement.services.recurrence import last_occurrence, rrule_describe
from portal.accounts.models import User
from portal.outbox.email import render_email
from portal.outbox.models import MessageKind, OutboundMessage
from portal.outbox.services import outbox_enqueue

A = ActionLink.Action
NEXT_SHOWN = 5
KINDS = {
    "series_invite": MessageKind.MEETING_INVITE,
    "series_update": MessageKind.MEETING_UPDATE,
    "series_cancel": MessageKind.CANCELLATION,
}


def _series(series_id: int) -> MeetingSeries | None:
    return MeetingSeries.objects.select_related("project__manager", "organiser").filter(pk=series_id).first()


def _organiser(series: MeetingSeries):
    return series.organiser or series.project.manager


def series_url(series: MeetingSeries) -> str:
    return portal_url("engagement:meetings", series.project.slug)


def _answers(series: MeetingSeries) -> dict[int, str]:
    return dict(SeriesRsvp.objects.filter(series=series).values_list("user_id", "rsvp"))


def _ics_attendees(people, answers: dict[int, str], recipient) -> list[IcsAttendee]:
    return [
        IcsAttendee(email=p.email, name=str(p), rsvp=answers.get(p.pk, "none"), is_recipient=p.pk == recipient.pk)
        for p in people
    ]


def _occurrences(series: MeetingSeries) -> list[Meeting]:
    return list(series.meetings.exclude(original_start=None).order_by("starts_at"))


def _differs(meeting: Meeting, series: MeetingSeries) -> bool:
    """Whether the occurrence is no longer what the rule makes of it (moved, another length, title or place)."""
    return (
        meeting.starts_at != meeting.original_start
        or (meeting.ends_at - meeting.starts_at).total_seconds() != series.duration_minutes * 60
        or meeting.time_zone != series.time_zone
        or meeting.title != series.title
        or meeting.location != series.location
    )


def _description(series: MeetingSeries, person) -> str:
    with translation.override(person.language):
        agenda = series.agenda_template.strip()
        parts = [series.purpose.strip(), f"{gettext('Agenda')}:\n{agenda}" if agenda else ""]
        if series.location.startswith(("https://", "http://")):
            parts.append(f"{gettext('Join')}: {series.location}")
        parts.append(f"{gettext('Open the meetings in Rapport')}: {series_url(series)}")
    return "\n\n".join(p for p in parts if p)


def _rsvp_links(series: MeetingSeries, person) -> dict[str, str]:
    return {
        answer: action_link_url(action_link_create(person=person, action=action, obj=series))
        for answer, action in (("yes", A.RSVP_YES), ("maybe", A.RSVP_MAYBE), ("no", A.RSVP_NO))
    }


def series_context(series: MeetingSeries, person, *, people, answers: dict[int, str], upcoming: list[Meeting],
                   with_links: bool) -> dict:
    agenda = [line.strip(" -*\t") for line in series.agenda_template.splitlines() if line.strip()]
    return {
        "series": series,
        "person": person,
        "project": series.project,
        "organiser": _organiser(series),
        "rule": rrule_describe(series.rrule, person.language),
        "upcoming": upcoming[:NEXT_SHOWN],
        "upcoming_more": max(len(upcoming) - NEXT_SHOWN, 0),
        "attendee_names": [str(p) for p in people],
        "agenda_items": agenda[:AGENDA_MAX],
        "agenda_more": max(len(agenda) - AGENDA_MAX, 0),
        "rsvp": answers.get(person.pk, "none"),
        "rsvp_links": _rsvp_links(series, person) if with_links else {},
        "series_url": series_url(series),
        "join_url": series.location if series.location.startswith(("http://", "https://")) else "",
    }


def queue_series_itip(*, series_id: int, method: str = "REQUEST", person_ids=None, uninvite: bool = False,
                      reason: str = "") -> int:
    """The series' calendar event at its current SEQUENCE to its attendees (or to `person_ids`). Safe to call twice.

    `uninvite`: a CANCEL without STATUS, naming only the recipient, to people removed from the series.
    """
    series = _series(series_id)
    if series is None:
        return 0
    method = method.upper()
    everyone = list(series.attendees.order_by("full_name", "email"))
    if uninvite:
        recipients = list(User.objects.filter(pk__in=person_ids or []).order_by("full_name", "email"))
    else:
        recipients = [p for p in everyone if person_ids is None or p.pk in set(person_ids)]
    answers = _answers(series)
    occurrences = _occurrences(series)
    now = timezone.now()
    upcoming = [m for m in occurrences if m.status == MeetingStatus.SCHEDULED and m.starts_at > now]
    # Occurrences after the rule's end need no EXDATE: the rule no longer makes them.
    last = last_occurrence(rrule=series.rrule, first_start=series.first_start, time_zone=series.time_zone)
    exdates = [
        m.original_start for m in occurrences
        if m.status == MeetingStatus.CANCELLED and (last is None or m.original_start <= last)
    ]
    changed = [m for m in occurrences if m.status != MeetingStatus.CANCELLED and _differs(m, series)]
    ended = series.ended_at is not None
    cancelled = method == "CANCEL" or (ended and series_rrule(series) is None)
    method = "CANCEL" if cancelled else method
    queued = 0
    for person in recipients:
        prefix = f"itip:{series.uid}:{person.pk}:"
        key = f"{prefix}{series.sequence}:{method}"
        if not person.is_active or OutboundMessage.objects.filter(dedupe_key=key).exists():
            continue
        first = method == "REQUEST" and not itip_sent_before(prefix)
        # Someone added to a changed series gets an invitation, not news of changes they never saw.
        template = "series_cancel" if cancelled else ("series_invite" if first and not ended else "series_update")
        kind = KINDS[template]
        context = series_context(series, person, people=everyone, answers=answers, upcoming=upcoming,
                                 with_links=method == "REQUEST" and not ended)
        context.update({"uninvited": uninvite, "ended": ended, "reason": reason, "changed": not first})
        rendered = render_email(template, context, language=person.language, time_zone=person.time_zone)
        attendees = _ics_attendees([person] if uninvite else everyone, answers, person)
        description = _description(series, person) if method == "REQUEST" else reason
        ics = series_calendar(
            series,
            method=method,
            organiser_name=str(_organiser(series)),
            attendees=attendees,
            exdates=exdates,
            description=description,
            url=series_url(series),
            comment=reason if method == "CANCEL" else "",
            uninvite=uninvite,
            overrides=[] if uninvite else [(m, attendees, description) for m in changed],
        )
        headers, message_id = meeting_headers(
            project=series.project, organiser=_organiser(series), uid=str(series.uid), person=person, kind=kind,
            first=first, automated=False, dedupe_key=key,
        )
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
            payload={"supersede_prefix": prefix, "order": series.sequence * 2 + (1 if method == "CANCEL" else 0),
                     "series": series.pk},
            project_id=series.project_id,
        )
        queued += int(created)
    return queued

