import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from engagement.services.recurrence import expand, localise, rrule_build, rrule_describe, rrule_validate, to_utc

UTC = dt.UTC


@pytest.mark.parametrize(
    ("rule", "normal"),
    [
        ("FREQ=WEEKLY;BYDAY=TH", "FREQ=WEEKLY;BYDAY=TH"),
        ("RRULE:freq=weekly;interval=2;byday=mo,th", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"),
        ("FREQ=MONTHLY;BYDAY=2TU", "FREQ=MONTHLY;BYDAY=2TU"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("BYSETPOS=2;BYDAY=TU;FREQ=MONTHLY", "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2"),
        ("FREQ=DAILY;COUNT=10", "FREQ=DAILY;COUNT=10"),
        ("FREQ=WEEKLY;UNTIL=20261231T235959Z", "FREQ=WEEKLY;UNTIL=20261231T235959Z"),
    ],
)
def test_valid_rules_come_back_normalised(rule, normal):
    assert rrule_validate(rule) == normal


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("", "empty"),
        ("garbage", "KEY=VALUE"),
        ("FREQ=YEARLY", "daily, weekly and monthly"),
        ("FREQ=HOURLY", "daily, weekly and monthly"),
        ("INTERVAL=2", "needs a FREQ"),
        ("FREQ=WEEKLY;BYMONTH=3", "BYMONTH is not supported"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a weekday"),
        ("FREQ=WEEKLY;BYDAY=2TU", "only works with a monthly rule"),
        ("FREQ=MONTHLY;BYDAY=0TU", "not a weekday"),
        ("FREQ=WEEKLY;INTERVAL=0", "between 1 and"),
        ("FREQ=WEEKLY;INTERVAL=x", "must be a number"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "either COUNT or UNTIL"),
        ("FREQ=WEEKLY;UNTIL=tomorrow", "UNTIL must look like"),
        ("FREQ=MONTHLY;BYSETPOS=2", "BYSETPOS needs BYDAY"),
        ("FREQ=MONTHLY;BYDAY=TU;BYSETPOS=0", "cannot be 0"),
        ("FREQ=WEEKLY;FREQ=DAILY", "appears twice"),
    ],
)
def test_garbage_is_refused_with_a_clear_message(rule, says):
    with pytest.raises(ValidationError) as err:
        rrule_validate(rule)
    assert says in " ".join(err.value.message_dict["rrule"])


def test_build_from_the_picker():
    assert rrule_build(freq="weekly", byweekday=[3, 0], interval=2) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"
    assert rrule_build(freq="MONTHLY", byweekday=["TU"], bysetpos=2) == "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2"
    assert rrule_build(freq="monthly", byweekday=[4], bysetpos=-1, count=6) == "FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1;COUNT=6"
    assert rrule_build(freq="daily", until=dt.date(2027, 1, 31)) == "FREQ=DAILY;UNTIL=20270131"
    with pytest.raises(ValidationError):
        rrule_build(freq="yearly")


@pytest.mark.parametrize(
    ("rule", "en", "ru"),
    [
        ("FREQ=WEEKLY;BYDAY=TH", "Every week on Thursday", "Каждую неделю по четвергам"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR", "Every 2 weeks on Monday, Wednesday and Friday",
         "Каждые 2 недели по понедельникам, средам и пятницам"),
        ("FREQ=MONTHLY;BYDAY=2TU", "Every month on the second Tuesday", "Каждый месяц во второй вторник"),
        ("FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1", "Every month on the last Friday", "Каждый месяц в последнюю пятницу"),
        ("FREQ=MONTHLY;BYDAY=1SU", "Every month on the first Sunday", "Каждый месяц в первое воскресенье"),
        ("FREQ=DAILY;INTERVAL=5;COUNT=3", "Every 5 days, 3 times", "Каждые 5 дней, 3 раза"),
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231", "Every week on Monday, until 31 Dec 2026",
         "Каждую неделю по понедельникам, до 31 декабря 2026"),
        ("FREQ=DAILY;INTERVAL=21;COUNT=1", "Every 21 days, once", "Каждый 21 день, 1 раз"),
        ("FREQ=WEEKLY;INTERVAL=22;COUNT=24", "Every 22 weeks, 24 times", "Каждые 22 недели, 24 раза"),
        ("FREQ=MONTHLY;INTERVAL=11;BYDAY=WE;BYSETPOS=2", "Every 11 months on the second Wednesday",
         "Каждые 11 месяцев во вторую среду"),
    ],
)
def test_describe_in_english_and_russian(rule, en, ru):
    assert rrule_describe(rule, "en") == en
    assert rrule_describe(rule, "ru") == ru


def _year(rule: str, zone: str, first_local: dt.datetime):
    first = to_utc(first_local, zone)
    return expand(rrule=rule, first_start=first, time_zone=zone, start=first, end=first + dt.timedelta(days=365))


ZONES_WITH_DST = ["Europe/Berlin", "America/New_York", "Australia/Sydney"]
ZONES_WITHOUT_DST = ["Europe/Moscow", "Asia/Kolkata"]


@pytest.mark.parametrize("zone", ZONES_WITH_DST + ZONES_WITHOUT_DST)
def test_weekly_ten_oclock_stays_ten_oclock_local_for_a_year(zone):
    occurrences = _year("FREQ=WEEKLY;BYDAY=TU", zone, dt.datetime(2026, 1, 6, 10, 0))
    assert len(occurrences) == 53
    tz = ZoneInfo(zone)
    for local, utc in occurrences:
        assert utc.tzinfo == UTC
        back = utc.astimezone(tz)
        assert (back.hour, back.minute, back.weekday()) == (10, 0, 1)
        assert local == back
    offsets = {utc.astimezone(tz).utcoffset() for _local, utc in occurrences}
    if zone in ZONES_WITH_DST:
        assert len(offsets) == 2
    else:
        assert len(offsets) == 1


def test_berlin_meeting_moves_in_utc_across_berlin_dst_and_moscow_does_not():
    berlin = _year("FREQ=WEEKLY;BYDAY=MO", "Europe/Berlin", dt.datetime(2026, 3, 23, 10, 0))
    moscow = _year("FREQ=WEEKLY;BYDAY=MO", "Europe/Moscow", dt.datetime(2026, 3, 23, 10, 0))
    # Berlin springs forward on 29 March 2026: 09:00 UTC before, 08:00 UTC after.
    assert [u.strftime("%m-%d %H:%M") for _l, u in berlin[:2]] == ["03-23 09:00", "03-30 08:00"]
    # Moscow has no DST: 07:00 UTC all year, whatever Berlin does.
    assert {u.strftime("%H:%M") for _l, u in moscow} == {"07:00"}


def test_new_york_and_sydney_change_in_opposite_directions():
    ny = _year("FREQ=WEEKLY;BYDAY=WE", "America/New_York", dt.datetime(2026, 1, 7, 10, 0))
    sydney = _year("FREQ=WEEKLY;BYDAY=WE", "Australia/Sydney", dt.datetime(2026, 1, 7, 10, 0))
    ny_hours = {u.month: u.hour for _l, u in ny}
    syd_hours = {u.month: (u.hour, u.day) for _l, u in sydney}
    assert ny_hours[1] == 15 and ny_hours[7] == 14  # EST -5, EDT -4
    assert syd_hours[1][0] == 23 and syd_hours[7][0] == 0  # AEDT +11 (previous UTC day), AEST +10


def test_kolkata_half_hour_offset_is_kept():
    occurrences = _year("FREQ=DAILY", "Asia/Kolkata", dt.datetime(2026, 1, 1, 10, 0))
    assert len(occurrences) == 365
    assert {(u.hour, u.minute) for _l, u in occurrences} == {(4, 30)}


def test_time_in_spring_forward_gap_moves_forward_and_ambiguous_takes_the_first():
    berlin = ZoneInfo("Europe/Berlin")
    gap = localise(dt.datetime(2026, 3, 29, 2, 30), berlin)
    assert (gap.hour, gap.minute) == (3, 30)
    assert gap.astimezone(UTC) == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    ambiguous = localise(dt.datetime(2026, 10, 25, 2, 30), berlin)
    assert ambiguous.astimezone(UTC) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    occurrences = _year("FREQ=WEEKLY;BYDAY=SU", "Europe/Berlin", dt.datetime(2026, 3, 22, 2, 30))
    assert [(loc.month, loc.day, loc.hour) for loc, _u in occurrences[:3]] == [(3, 22, 2), (3, 29, 3), (4, 5, 2)]


def test_monthly_nth_weekday_and_last_friday():
    second_tuesdays = _year("FREQ=MONTHLY;BYDAY=2TU", "Europe/Moscow", dt.datetime(2026, 1, 13, 11, 0))
    assert len(second_tuesdays) == 13  # 12 Jan 2027 is still inside the 365 days
    assert all(loc.weekday() == 1 and 8 <= loc.day <= 14 for loc, _u in second_tuesdays)
    last_fridays = _year("FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1", "Europe/Moscow", dt.datetime(2026, 1, 30, 11, 0))
    assert all(loc.weekday() == 4 and (loc + dt.timedelta(days=7)).month != loc.month for loc, _u in last_fridays)


def test_count_and_until_limit_the_series():
    assert len(_year("FREQ=WEEKLY;COUNT=4", "Europe/Berlin", dt.datetime(2026, 1, 5, 10, 0))) == 4
    until = _year("FREQ=WEEKLY;UNTIL=20260202T090000Z", "Europe/Berlin", dt.datetime(2026, 1, 5, 10, 0))
    assert [loc.day for loc, _u in until] == [5, 12, 19, 26, 2]


def test_window_is_half_open_in_utc():
    first = to_utc(dt.datetime(2026, 1, 5, 10, 0), "Europe/Moscow")
    out = expand(rrule="FREQ=DAILY", first_start=first, time_zone="Europe/Moscow", start=first + dt.timedelta(days=1), end=first + dt.timedelta(days=3))
    assert [u for _l, u in out] == [first + dt.timedelta(days=1), first + dt.timedelta(days=2)]
