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


def occurrences(series, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """(local start, UTC start) of `series` in [start, end)."""
    return expand(rrule=series.rrule, first_start=series.first_start, time_zone=series.time_zone, start=start, end=end)


def validate_zone(time_zone: str) -> str:
    if not is_valid_zone(time_zone or ""):
        raise ValidationError({"time_zone": _("%(value)s is not a known time zone.") % {"value": time_zone}})
    return time_zone


# --- describing a rule in words -----------------------------------------

_EN_DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday", "SA": "Saturday", "SU": "Sunday"}
_EN_ORD = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last", -2: "second to last"}
# Russian: weekdays in the dative plural ("по вторникам") and the accusative ("во вторник"), with their gender.
_RU_DAYS_PL = {"MO": "понедельникам", "TU": "вторникам", "WE": "средам", "TH": "четвергам", "FR": "пятницам", "SA": "субботам", "SU": "воскресеньям"}
_RU_DAYS_ACC = {"MO": "понедельник", "TU": "вторник", "WE": "среду", "TH": "четверг", "FR": "пятницу", "SA": "субботу", "SU": "воскресенье"}
_RU_GENDER = {"MO": 0, "TU": 0, "WE": 1, "TH": 0, "FR": 1, "SA": 1, "SU": 2}
_RU_ORD = {
    1: ("первый", "первую", "первое"),
    2: ("второй", "вторую", "второе"),
    3: ("третий", "третью", "третье"),
    4: ("четвёртый", "четвёртую", "четвёртое"),
    5: ("пятый", "пятую", "пятое"),
    -1: ("последний", "последнюю", "последнее"),
    -2: ("предпоследний", "предпоследнюю", "предпоследнее"),
}


def _ru_plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _en_join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _ru_join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " и " + items[-1]


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


def _describe_en(parts: dict[str, str], interval: int) -> str:
    freq = parts["FREQ"]
    if freq == "DAILY":
        text = "Every day" if interval == 1 else f"Every {interval} days"
    elif freq == "WEEKLY":
        text = "Every week" if interval == 1 else f"Every {interval} weeks"
        days = [_EN_DAYS[d] for d in parts.get("BYDAY", "").split(",") if d]
        if days:
            text += " on " + _en_join(days)
    else:
        text = "Every month" if interval == 1 else f"Every {interval} months"
        nth = _nth_days(parts)
        if nth:
            text += " on " + _en_join([(f"the {_EN_ORD.get(n, n)} " if n else "every ") + _EN_DAYS[d] for n, d in nth])
    if "COUNT" in parts:
        count = int(parts["COUNT"])
        text += ", once" if count == 1 else f", {count} times"
    if "UNTIL" in parts:
        until = dt.datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date()
        text += f", until {until.day} {until:%B %Y}"
    return text


def _describe_ru(parts: dict[str, str], interval: int) -> str:
    freq = parts["FREQ"]
    if freq == "DAILY":
        text = "Каждый день" if interval == 1 else f"Каждые {interval} {_ru_plural(interval, 'день', 'дня', 'дней')}"
        if interval % 10 == 1 and interval % 100 != 11 and interval != 1:
            text = f"Каждый {interval} день"
    elif freq == "WEEKLY":
        if interval == 1:
            text = "Каждую неделю"
        elif interval % 10 == 1 and interval % 100 != 11:
            text = f"Каждую {interval} неделю"
        else:
            text = f"Каждые {interval} {_ru_plural(interval, 'неделю', 'недели', 'недель')}"
        days = [_RU_DAYS_PL[d] for d in parts.get("BYDAY", "").split(",") if d]
        if days:
            text += " по " + _ru_join(days)
    else:
        if interval == 1:
            text = "Каждый месяц"
        elif interval % 10 == 1 and interval % 100 != 11:
            text = f"Каждый {interval} месяц"
        else:
            text = f"Каждые {interval} {_ru_plural(interval, 'месяц', 'месяца', 'месяцев')}"
        nth = _nth_days(parts)
        items = []
        for n, d in nth:
            ordinal = _RU_ORD.get(n, ("", "", ""))[_RU_GENDER[d]] if n else ""
            phrase = f"{ordinal} {_RU_DAYS_ACC[d]}".strip()
            items.append(("во " if phrase.startswith("вт") else "в ") + phrase)
        if items:
            text += " " + _ru_join(items)
    if "COUNT" in parts:
        count = int(parts["COUNT"])
        text += f", {count} {_ru_plural(count, 'раз', 'раза', 'раз')}"
    if "UNTIL" in parts:
        until = dt.datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date()
        text += f", до {until:%d.%m.%Y}"
    return text


def rrule_describe(rrule: str, language: str = "en") -> str:
    """The rule in words, in English or Russian ("Every 2 weeks on Tuesday", "Каждые 2 недели по вторникам")."""
    parts = _parts(rrule_validate(rrule))
    interval = int(parts.get("INTERVAL", "1"))
    if (language or "en").lower().startswith("ru"):
        return _describe_ru(parts, interval)
    return _describe_en(parts, interval)
