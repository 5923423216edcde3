"""Time helpers: everything is stored in UTC and shown in the viewer's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, available_timezones

from django.utils import timezone
from django.utils.translation import pgettext_lazy


def utcnow() -> dt.datetime:
    return timezone.now()


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except Exception:
        return ZoneInfo("UTC")


def is_valid_zone(name: str) -> bool:
    return name in _ZONES


def local(value: dt.datetime, tz_name: str | None) -> dt.datetime:
    return value.astimezone(zone(tz_name))


def iso_week(value: dt.date | dt.datetime) -> str:
    """'2026-W48' — the ISO week label used in dedupe keys and snapshots."""
    year, week, _ = value.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(value: dt.date) -> dt.date:
    return value - dt.timedelta(days=value.weekday())


_ZONES = frozenset(available_timezones())
TIME_ZONE_CHOICES = sorted((z, z.replace("_", " ")) for z in _ZONES if "/" in z or z == "UTC")


def validate_time_zone(value: str) -> None:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if value not in _ZONES:
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value}, code="invalid_time_zone")


# Working hours (docs/notifications.md): messages that are not tied to a moment (a task given, a sign-off asked,
# a blocked task, an escalation) wait until the recipient's next working hour, in their own zone.
WORKING_HOURS = (8, 19)  # local [08:00, 19:00)
WORKING_DAYS = 5  # Monday to Friday


def next_working_instant(now: dt.datetime, tz_name: str | None) -> dt.datetime:
    """`now` when it falls in the person's working hours, else the start of their next working hour (aware UTC)."""
    tz = zone(tz_name)
    local_now = now.astimezone(tz)
    start, end = WORKING_HOURS
    if local_now.weekday() < WORKING_DAYS and start <= local_now.hour < end:
        return now
    day = local_now.date() if local_now.hour < start else local_now.date() + dt.timedelta(days=1)
    while day.weekday() >= WORKING_DAYS:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(start), tzinfo=tz).astimezone(dt.UTC)

# The zones people of this portal use most, named in the reader's language; other zones show their city as written.
_ZONE_NAMES = {
    "Europe/Moscow": pgettext_lazy("time zone", "Moscow"),
    "Europe/Berlin": pgettext_lazy("time zone", "Berlin"),
    "Europe/London": pgettext_lazy("time zone", "London"),
    "Europe/Paris": pgettext_lazy("time zone", "Paris"),
    "Europe/Kyiv": pgettext_lazy("time zone", "Kyiv"),
    "Europe/Minsk": pgettext_lazy("time zone", "Minsk"),
    "Asia/Almaty": pgettext_lazy("time zone", "Almaty"),
    "Asia/Yekaterinburg": pgettext_lazy("time zone", "Yekaterinburg"),
    "Asia/Novosibirsk": pgettext_lazy("time zone", "Novosibirsk"),
    "Asia/Dubai": pgettext_lazy("time zone", "Dubai"),
    "America/New_York": pgettext_lazy("time zone", "New York"),
    "UTC": pgettext_lazy("time zone", "UTC"),
}


def zone_label(tz_name: str | None, at: dt.datetime | None = None) -> str:
    """The zone as people read it, the one label of every page, e-mail and confirmation page.

    'Europe/Moscow' -> 'Moscow' (translated), 'America/Argentina/Buenos_Aires' -> 'Buenos Aires'; a zone without
    a city ('Etc/GMT-5') -> 'UTC+05:00' at `at` (now by default). Never the bare abbreviation '+05'.
    """
    name = tz_name or "UTC"
    if name in _ZONE_NAMES:
        return str(_ZONE_NAMES[name])
    if "/" in name and not name.startswith("Etc/"):
        return name.rsplit("/", 1)[-1].replace("_", " ")
    offset = (at or timezone.now()).astimezone(zone(name)).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
