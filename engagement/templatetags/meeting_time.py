"""Meeting times in e-mails and link pages: the reader's local time, then the meeting's own.

Django's `date` filter converts an aware time to the *active* zone (the reader's); only a value passed
through `{% load tz %}`'s `timezone` filter keeps its zone. `zone_abbr` follows the same rule.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def zone_abbr(value: dt.datetime) -> str:
    """"MSK", "CET", "EST"; "UTC+05" where the zone database has no letters for it (Asia/Yekaterinburg)."""
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        return ""
    if getattr(value, "convert_to_local_time", True):
        value = timezone.localtime(value)
    name = value.tzname() or ""
    if any(ch.isalpha() for ch in name):
        return name
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
