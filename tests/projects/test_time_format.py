"""Times read like 'Thu 3 Dec, 10:00 Moscow' — and as Russian writes them in Russian."""

import datetime as dt

from django.utils import translation

from projects.templatetags.rapport import day, when

DEC_3_0700_UTC = dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC)


def test_english_reads_weekday_day_month_time_and_zone():
    with translation.override("en"):
        assert when(DEC_3_0700_UTC, "Europe/Moscow") == "Thu 3 Dec, 10:00 Moscow"
        assert day(DEC_3_0700_UTC.date()) == "Thu 3 Dec 2026"


def test_russian_uses_the_genitive_month_in_lower_case():
    with translation.override("ru"):
        assert when(DEC_3_0700_UTC, "Europe/Moscow").startswith("Чт 3 декабря, 10:00")
        assert day(DEC_3_0700_UTC.date()) == "Чт 3 декабря 2026"
