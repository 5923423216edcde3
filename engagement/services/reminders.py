"""Meeting reminders: the every-minute job finds reminders whose instant has come and queues them.

A reminder is due at `starts_at - offset` (absolute UTC instants, so DST never shifts it)
and is queued by the first run with `now - grace < due <= now`. Never early (send_after =
due), never twice (dedupe key), rendered at send time and skipped then if the meeting was
cancelled or moved.

A run's reminders go to the workers in batches of `REMINDER_BATCH_SIZE`, each batch over one SMTP connection (as
digests do): many meetings starting in the same minute make one burst, and a connection per message would make it
late. Each row is still claimed and marked sent on its own.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from engagement.emails.meetings import reminder_key
from engagement.models import Meeting, MeetingStatus
from engagement.models.meetings import default_reminder_offsets
from portal.outbox.models import MessageKind, OutboundMessage
from portal.outbox.services import outbox_dispatch_many, outbox_enqueue

MAX_OFFSET_MINUTES = 7 * 24 * 60
RENDERER = "engagement.emails.meetings.render_reminder"


def _offsets(meeting: Meeting) -> list[int]:
    raw = meeting.series.reminder_offsets if meeting.series_id else default_reminder_offsets()
    return sorted({int(o) for o in raw or [] if 0 < int(o) <= MAX_OFFSET_MINUTES}, reverse=True)


def _grace(offset: int) -> dt.timedelta:
    # A 1 h reminder half an hour late is still useful; later than that it is noise.
    return dt.timedelta(minutes=min(settings.REMINDER_GRACE_MINUTES, max(offset // 2, 1)))


@transaction.atomic
def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Queue every reminder that fell due since the previous runs. Safe to run twice; returns how many were queued."""
    now = now or timezone.now()
    meetings = (
        Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + dt.timedelta(minutes=MAX_OFFSET_MINUTES),
        )
        .select_related("series")
        .prefetch_related("attendance__user")
    )
    candidates: list[tuple[str, Meeting, object, int, dt.datetime]] = []
    for meeting in meetings:
        for offset in _offsets(meeting):
            due = meeting.starts_at - dt.timedelta(minutes=offset)
            if not (now - _grace(offset) < due <= now):
                continue
            for attendance in meeting.attendance.all():
                person = attendance.user
                if person.is_active and person.email_reminders:
                    candidates.append((reminder_key(meeting, person.pk, offset), meeting, person, offset, due))
    existing = set(
        OutboundMessage.objects.filter(dedupe_key__in=[c[0] for c in candidates]).values_list("dedupe_key", flat=True)
    )
    queued: list[int] = []
    for key, meeting, person, offset, due in candidates:
        if key in existing:
            continue
        row, created = outbox_enqueue(
            kind=MessageKind.REMINDER,
            recipient=person,
            dedupe_key=key,
            subject=meeting.title,
            payload={"render": RENDERER, "meeting": meeting.pk, "offset": offset, "starts_at": meeting.starts_at.isoformat()},
            send_after=due,
            project_id=meeting.project_id,
            dispatch=False,
        )
        if created:
            queued.append(row.pk)
    size = settings.REMINDER_BATCH_SIZE
    for start in range(0, len(queued), size):
        transaction.on_commit(partial(outbox_dispatch_many, queued[start : start + size]))
    return len(queued)
