"""Recurrence: RRULE strings (a safe subset of RFC 5545) validated, built, expanded and described.

Expansion happens in the series' own time zone on naive wall-clock times; each
occurrence is then localised (a time inside a spring-forward gap moves forward,
an ambiguous one takes its first instance, fold=0) and converted to UTC. So a
10:00 meeting stays at 10:00 local across its zone's DST changes, whatever
other zones do.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from portal.core.time import is_valid_zone

UTC = dt.UTC
FREQS = ("DAILY", "WEEKLY", "MONTHLY")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ALLOWED_KEYS = ("FREQ", "INTERVAL", "BYDAY", "BYSETPOS", "COUNT", "UNTIL")
MAX_INTERVAL = 99
MAX_COUNT = 1000
_BYDAY_RE = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL_RE = re.compile(r"^(\d{8})(T(\d{6})(Z)?)?$")


def _invalid(message: str) -> ValidationError:
    return ValidationError({"rrule": message}, code="invalid_rrule")


def _parts(rrule: str) -> dict[str, str]:
    text = (rrule or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text:
        raise _invalid(_("The recurrence rule is empty."))
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        if not chunk:
            continue
        key, sep, value = chunk.partition("=")
        key, value = key.strip().upper(), value.strip().upper()
        if not sep or not value:
            raise _invalid(_("“%(part)s” is not KEY=VALUE.") % {"part": chunk})
        if key not in ALLOWED_KEYS:
            raise _invalid(_("%(key)s is not supported; use FREQ, INTERVAL, BYDAY, BYSETPOS, COUNT or UNTIL.") % {"key": key})
        if key in parts:
            raise _invalid(_("%(key)s appears twice.") % {"key": key})
        parts[key] = value
    return parts


def _int(value: str, key: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _invalid(_("%(key)s must be a number.") % {"key": key})
    if not low <= number <= high:
        raise _invalid(_("%(key)s must be between %(low)s and %(high)s.") % {"key": key, "low": low, "high": high})
    return number


def _check(parts: dict[str, str]) -> None:
    freq = parts.get("FREQ")
    if freq is None:
        raise _invalid(_("The rule needs a FREQ."))
    if freq not in FREQS:
        raise _invalid(_("Only daily, weekly and monthly meetings are supported."))
    if "INTERVAL" in parts:
        _int(parts["INTERVAL"], "INTERVAL", 1, MAX_INTERVAL)
    if "COUNT" in parts:
        _int(parts["COUNT"], "COUNT", 1, MAX_COUNT)
    if "COUNT" in parts and "UNTIL" in parts:
        raise _invalid(_("Use either COUNT or UNTIL, not both."))
    if "UNTIL" in parts and not _UNTIL_RE.match(parts["UNTIL"]):
        raise _invalid(_("UNTIL must look like 20261231 or 20261231T235959Z."))
    if "BYDAY" in parts:
        for day in parts["BYDAY"].split(","):
            match = _BYDAY_RE.match(day)
            if not match or match.group(1) in ("0", "+0", "-0"):
                raise _invalid(_("“%(day)s” is not a weekday such as MO, 2TU or -1FR.") % {"day": day})
            if match.group(1) and freq != "MONTHLY":
                raise _invalid(_("A numbered weekday such as 2TU only works with a monthly rule."))
    if "BYSETPOS" in parts:
        if "BYDAY" not in parts:
            raise _invalid(_("BYSETPOS needs BYDAY."))
        for pos in parts["BYSETPOS"].split(","):
            number = _int(pos, "BYSETPOS", -5, 5)
            if number == 0:
                raise _invalid(_("BYSETPOS cannot be 0."))


def _normalise(parts: dict[str, str]) -> str:
    return ";".join(f"{key}={parts[key]}" for key in ALLOWED_KEYS if key in parts)


def rrule_validate(rrule: str) -> str:
    """The rule in its normal form (`FREQ=…;INTERVAL=…`), or a ValidationError on `rrule` saying what is wrong."""
    parts = _parts(rrule)
    _check(parts)
    normal = _normalise(parts)
    try:
        _rule(normal, dt.datetime(2026, 1, 1, 10, 0), ZoneInfo("UTC"))
    except (ValueError, TypeError) as exc:
        raise _invalid(_("The recurrence rule cannot be read: %(error)s") % {"error": exc})
    return normal


def _day_code(day: int | str) -> str:
    if isinstance(day, int):
        return DAYS[day]
    code = str(day).strip().upper()[:2]
    if code not in DAYS:
        raise _invalid(_("“%(day)s” is not a weekday.") % {"day": day})
    return code


def rrule_build(
    *,
    freq: str,
    interval: int = 1,
    byweekday: Iterable[int | str] = (),
    bysetpos: int | None = None,
    count: int | None = None,
    until: dt.date | None = None,
) -> str:
    """A rule from the friendly picker: weekly on days, every N weeks, monthly on the Nth (or last, -1) weekday."""
    parts = {"FREQ": str(freq).upper()}
    if interval and int(interval) != 1:
        parts["INTERVAL"] = str(int(interval))
    days = [_day_code(d) for d in byweekday]
    if days:
        parts["BYDAY"] = ",".join(sorted(set(days), key=DAYS.index))
    if bysetpos:
        parts["BYSETPOS"] = str(int(bysetpos))
    if count:
        parts["COUNT"] = str(int(count))
    if until:
        parts["UNTIL"] = until.strftime("%Y%m%d")
    return rrule_validate(_normalise(parts))


def rrule_end(rrule: str) -> tuple[dt.date | None, int | None]:
    """The rule's end: (the local date of its UNTIL, its COUNT); (None, None) for a rule that never ends."""
    parts = _parts(rrule)
    until = dt.datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date() if "UNTIL" in parts else None
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    return until, count


def rrule_with_end(rrule: str, *, until: dt.date | None = None, count: int | None = None) -> str:
    """`rrule` ending on the date `until` (inclusive, local) or after `count` meetings in all, or never (both None)."""
    if until is not None and count is not None:
        raise ValidationError({"end_count": _("Choose one end: a date or a number of meetings.")})
    if count is not None and not 1 <= int(count) <= MAX_COUNT:
        raise ValidationError(
            {"end_count": _("The number of meetings must be between 1 and %(max)s.") % {"max": MAX_COUNT}}
        )
    parts = _parts(rrule)
    parts.pop("UNTIL", None)
    parts.pop("COUNT", None)
    if until is not None:
        parts["UNTIL"] = until.strftime("%Y%m%d")
    if count is not None:
        parts["COUNT"] = str(int(count))
    return rrule_validate(_normalise(parts))


def localise(naive: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Wall-clock time in `tz` → aware. A time in a spring-forward gap moves forward; an ambiguous one takes fold=0."""
    aware = naive.replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC).astimezone(tz)


def to_utc(value: dt.datetime, time_zone: str) -> dt.datetime:
    """A naive wall-clock time in `time_zone` (or any aware time) as aware UTC."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return localise(value, ZoneInfo(time_zone)).astimezone(UTC)


def _until_local(value: str, tz: ZoneInfo) -> dt.datetime:
    match = _UNTIL_RE.match(value)
    day = dt.datetime.strptime(match.group(1), "%Y%m%d")
    if not match.group(2):
        return day.replace(hour=23, minute=59, second=59)
    moment = dt.datetime.strptime(match.group(1) + match.group(3), "%Y%m%d%H%M%S")
    if match.group(4):
        return moment.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
    return moment


def until_utc(value: str, tz: ZoneInfo) -> str:
    """A rule's UNTIL (a local date, local date-time or UTC) as the UTC date-time a calendar file needs."""
    local = _until_local(value, tz)
    return localise(local, tz).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _rule(rrule: str, dtstart_local: dt.datetime, tz: ZoneInfo) -> du.rrule:
    parts = _parts(rrule)
    until = parts.pop("UNTIL", None)
    rule = du.rrulestr(_normalise(parts), dtstart=dtstart_local)
    if until:
        rule = rule.replace(until=_until_local(until, tz))
    return rule


def expand(
    *, rrule: str, first_start: dt.datetime, time_zone: str, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """(local aware start, UTC start) for every occurrence with start <= UTC start < end.

    `first_start` is the aware first start; its local wall-clock time in `time_zone` is the time of every occurrence.
    """
    tz = ZoneInfo(time_zone)
    local_first = first_start.astimezone(tz).replace(tzinfo=None)
    rule = _rule(rrule, local_first, tz)
    # Search a day wider on each side in local time, then filter exactly in UTC.
    lo = start.astimezone(tz).replace(tzinfo=None) - dt.timedelta(days=1)
    hi = end.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=1)
    out = []
    for naive in rule.between(max(lo, local_first), hi, inc=True):
        local_start = localise(naive, tz)
        utc_start = local_start.astimezone(UTC)
        if start <= utc_start < end:
            out.append((local_start, utc_start))
    return out


def last_occurrence(*, rrule: str, first_start: dt.datetime, time_zone: str) -> dt.datetime | None:
    """The UTC start of the rule's last occurrence, or None when the rule never ends (or has no occurrence)."""
    until, count = rrule_end(rrule)
    if until is None and count is None:
        return None
    tz = ZoneInfo(time_zone)
    rule = _rule(rrule, first_start.astimezone(tz).replace(tzinfo=None), tz)
    starts = list(rule)  # finite: COUNT is at most MAX_COUNT, UNTIL bounds the rest
    return localise(starts[-1], tz).astimezone(UTC) if starts else None


def occurrences(series, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """(local start, UTC start) of `series` in [start, end)."""
    return expand(rrule=series.rrule, first_start=series.first_start, time_zone=series.time_zone, start=start, end=end)


def validate_zone(time_zone: str) -> str:
    if not is_valid_zone(time_zone or ""):
        raise ValidationError({"time_zone": _("%(value)s is not a known time zone.") % {"value": time_zone}})
    return time_zone


# --- describing a rule in words -----------------------------------------
# Whole phrases in the catalogue (translators see every word and its grammar); plurals through ngettext,
# lists through get_text_list.

_WEEKDAYS = {  # after "Every week on …" (Russian: the dative plural, "по вторникам")
    "MO": pgettext_lazy("every week on", "Monday"),
    "TU": pgettext_lazy("every week on", "Tuesday"),
    "WE": pgettext_lazy("every week on", "Wednesday"),
    "TH": pgettext_lazy("every week on", "Thursday"),
    "FR": pgettext_lazy("every week on", "Friday"),
    "SA": pgettext_lazy("every week on", "Saturday"),
    "SU": pgettext_lazy("every week on", "Sunday"),
}
_NTH_WEEKDAYS = {  # after "Every month on …"
    (1, "MO"): pgettext_lazy("every month on", "the first Monday"),
    (1, "TU"): pgettext_lazy("every month on", "the first Tuesday"),
    (1, "WE"): pgettext_lazy("every month on", "the first Wednesday"),
    (1, "TH"): pgettext_lazy("every month on", "the first Thursday"),
    (1, "FR"): pgettext_lazy("every month on", "the first Friday"),
    (1, "SA"): pgettext_lazy("every month on", "the first Saturday"),
    (1, "SU"): pgettext_lazy("every month on", "the first Sunday"),
    (2, "MO"): pgettext_lazy("every month on", "the second Monday"),
    (2, "TU"): pgettext_lazy("every month on", "the second Tuesday"),
    (2, "WE"): pgettext_lazy("every month on", "the second Wednesday"),
    (2, "TH"): pgettext_lazy("every month on", "the second Thursday"),
    (2, "FR"): pgettext_lazy("every month on", "the second Friday"),
    (2, "SA"): pgettext_lazy("every month on", "the second Saturday"),
    (2, "SU"): pgettext_lazy("every month on", "the second Sunday"),
    (3, "MO"): pgettext_lazy("every month on", "the third Monday"),
    (3, "TU"): pgettext_lazy("every month on", "the third Tuesday"),
    (3, "WE"): pgettext_lazy("every month on", "the third Wednesday"),
    (3, "TH"): pgettext_lazy("every month on", "the third Thursday"),
    (3, "FR"): pgettext_lazy("every month on", "the third Friday"),
    (3, "SA"): pgettext_lazy("every month on", "the third Saturday"),
    (3, "SU"): pgettext_lazy("every month on", "the third Sunday"),
    (4, "MO"): pgettext_lazy("every month on", "the fourth Monday"),
    (4, "TU"): pgettext_lazy("every month on", "the fourth Tuesday"),
    (4, "WE"): pgettext_lazy("every month on", "the fourth Wednesday"),
    (4, "TH"): pgettext_lazy("every month on", "the fourth Thursday"),
    (4, "FR"): pgettext_lazy("every month on", "the fourth Friday"),
    (4, "SA"): pgettext_lazy("every month on", "the fourth Saturday"),
    (4, "SU"): pgettext_lazy("every month on", "the fourth Sunday"),
    (5, "MO"): pgettext_lazy("every month on", "the fifth Monday"),
    (5, "TU"): pgettext_lazy("every month on", "the fifth Tuesday"),
    (5, "WE"): pgettext_lazy("every month on", "the fifth Wednesday"),
    (5, "TH"): pgettext_lazy("every month on", "the fifth Thursday"),
    (5, "FR"): pgettext_lazy("every month on", "the fifth Friday"),
    (5, "SA"): pgettext_lazy("every month on", "the fifth Saturday"),
    (5, "SU"): pgettext_lazy("every month on", "the fifth Sunday"),
    (-1, "MO"): pgettext_lazy("every month on", "the last Monday"),
    (-1, "TU"): pgettext_lazy("every month on", "the last Tuesday"),
    (-1, "WE"): pgettext_lazy("every month on", "the last Wednesday"),
    (-1, "TH"): pgettext_lazy("every month on", "the last Thursday"),
    (-1, "FR"): pgettext_lazy("every month on", "the last Friday"),
    (-1, "SA"): pgettext_lazy("every month on", "the last Saturday"),
    (-1, "SU"): pgettext_lazy("every month on", "the last Sunday"),
    (None, "MO"): pgettext_lazy("every month on", "every Monday"),
    (None, "TU"): pgettext_lazy("every month on", "every Tuesday"),
    (None, "WE"): pgettext_lazy("every month on", "every Wednesday"),
    (None, "TH"): pgettext_lazy("every month on", "every Thursday"),
    (None, "FR"): pgettext_lazy("every month on", "every Friday"),
    (None, "SA"): pgettext_lazy("every month on", "every Saturday"),
    (None, "SU"): pgettext_lazy("every month on", "every Sunday"),
}
_DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]  # django.utils.dates.WEEKDAYS order


def _nth_days(parts: dict[str, str]) -> list[tuple[int, str]]:
    """[(n, "TU"), ...] for monthly rules written as BYDAY=2TU or BYDAY=TU;BYSETPOS=2."""
    out = []
    setpos = int(parts["BYSETPOS"].split(",")[0]) if "BYSETPOS" in parts else None
    for day in parts.get("BYDAY", "").split(","):
        match = _BYDAY_RE.match(day)
        if match:
            n = int(match.group(1)) if match.group(1) else setpos
            out.append((n, match.group(2)))
    return out


def _nth_day(n: int | None, day: str) -> str:
    if n is None:
        return str(_NTH_WEEKDAYS[None, day])
    if (n, day) in _NTH_WEEKDAYS:
        return str(_NTH_WEEKDAYS[n, day])
    # BYSETPOS -2 … -5: valid, but the picker never writes them
    return gettext("the weekday %(weekday)s number %(n)d from the end of the month") % {
        "weekday": WEEKDAYS[_DAY_CODES.index(day)], "n": -n}


def _every(freq: str, interval: int, days: str) -> str:
    """The rule's first clause: "Every 2 weeks on Monday and Thursday"."""
    if freq == "DAILY":
        if interval == 1:
            return gettext("Every day")
        return ngettext("Every %(n)d day", "Every %(n)d days", interval) % {"n": interval}
    if freq == "WEEKLY" and days:
        if interval == 1:
            return gettext("Every week on %(days)s") % {"days": days}
        return ngettext("Every %(n)d week on %(days)s", "Every %(n)d weeks on %(days)s", interval) % {
            "n": interval, "days": days}
    if freq == "WEEKLY":
        if interval == 1:
            return gettext("Every week")
        return ngettext("Every %(n)d week", "Every %(n)d weeks", interval) % {"n": interval}
    if days:
        if interval == 1:
            return gettext("Every month on %(days)s") % {"days": days}
        return ngettext("Every %(n)d month on %(days)s", "Every %(n)d months on %(days)s", interval) % {
            "n": interval, "days": days}
    if interval == 1:
        return gettext("Every month")
    return ngettext("Every %(n)d month", "Every %(n)d months", interval) % {"n": interval}


def _describe(parts: dict[str, str]) -> str:
    freq, interval = parts["FREQ"], int(parts.get("INTERVAL", "1"))
    if freq == "WEEKLY":
        names = [str(_WEEKDAYS[d]) for d in parts.get("BYDAY", "").split(",") if d]
    elif freq == "MONTHLY":
        names = [_nth_day(n, d) for n, d in _nth_days(parts)]
    else:
        names = []
    text = _every(freq, interval, str(get_text_list(names, gettext("and"))) if names else "")
    if "COUNT" in parts:
        count = int(parts["COUNT"])
        return ngettext("%(rule)s, once", "%(rule)s, %(count)d times", count) % {"rule": text, "count": count}
    if "UNTIL" in parts:
        until = dt.datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date()
        return gettext("%(rule)s, until %(date)s") % {"rule": text, "date": date_format(until, "DATE_FORMAT")}
    return text


def rrule_describe(rrule: str, language: str = "en") -> str:
    """The rule in words in `language` ("Every 2 weeks on Tuesday", "Каждые 2 недели по вторникам")."""
    parts = _parts(rrule_validate(rrule))
    with translation.override(language or "en"):
        return _describe(parts)
