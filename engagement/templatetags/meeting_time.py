"""Meeting times in e-mails and link pages: the reader's local time, then the meeting's own.

Django's `date` filter converts an aware time to the *active* zone (the reader's), so the meeting's own wall
clock must be computed in its zone explicitly; `meeting_when` does both sides, with Django's per-language
formats and `zone_label` for the zone names.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from portal.core.time import zone, zone_label

register = template.Library()


def meeting_span(start: dt.datetime, end: dt.datetime, meeting_zone: str | None, reader_zone: str | None = None) -> str:
    """'Thu 10 Dec, 08:00–09:00 Berlin (10:00–11:00 Moscow)': the reader's wall clock and zone, then the meeting's
    own when it is another zone (with its day when that differs)."""
    reader = reader_zone or timezone.get_current_timezone_name()
    start_here, end_here = start.astimezone(zone(reader)), end.astimezone(zone(reader))
    text = (f"{date_format(start_here, 'SHORT_DATETIME_FORMAT')}–{date_format(end_here, 'TIME_FORMAT')} "
            f"{zone_label(reader, start)}")
    if meeting_zone and meeting_zone != reader:
        start_there, end_there = start.astimezone(zone(meeting_zone)), end.astimezone(zone(meeting_zone))
        head = date_format(start_there, "SHORT_DATETIME_FORMAT" if start_there.date() != start_here.date() else "TIME_FORMAT")
        text += f" ({head}–{date_format(end_there, 'TIME_FORMAT')} {zone_label(meeting_zone, start)})"
    return text


@register.simple_tag
def meeting_when(start, end, meeting_zone=None, reader_zone=None) -> str:
    if not isinstance(start, dt.datetime) or not isinstance(end, dt.datetime):
        return ""
    return meeting_span(start, end, meeting_zone, reader_zone)
