"""Time helpers: everything is stored in UTC and shown in the viewer's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, available_timezones

from django.utils import timezone


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
