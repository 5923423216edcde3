"""`next_working_instant`: messages not tied to a moment land in the recipient's working hours (docs/notifications.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.core.time import next_working_instant

UTC = dt.UTC


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        # Tuesday 12:00 Moscow: now
        (dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "Europe/Moscow", dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        # Tuesday 02:00 New York: 08:00 the same day there
        (dt.datetime(2026, 12, 1, 7, 0, tzinfo=UTC), "America/New_York", dt.datetime(2026, 12, 1, 13, 0, tzinfo=UTC)),
        # Tuesday 20:00 Kolkata: 08:00 Wednesday there
        (dt.datetime(2026, 12, 1, 14, 30, tzinfo=UTC), "Asia/Kolkata", dt.datetime(2026, 12, 2, 2, 30, tzinfo=UTC)),
        # Friday 19:00 Moscow (the end of the day): Monday 08:00
        (dt.datetime(2026, 12, 4, 16, 0, tzinfo=UTC), "Europe/Moscow", dt.datetime(2026, 12, 7, 5, 0, tzinfo=UTC)),
        # Sunday 07:00 UTC: Monday 08:00
        (dt.datetime(2026, 12, 6, 7, 0, tzinfo=UTC), "UTC", dt.datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),
        # Monday 07:59 Berlin, the day after the clocks went forward: 08:00 CEST
        (dt.datetime(2027, 3, 29, 5, 59, tzinfo=UTC), "Europe/Berlin", dt.datetime(2027, 3, 29, 6, 0, tzinfo=UTC)),
    ],
)
def test_next_working_instant(now, tz, expected):
    assert next_working_instant(now, tz) == expected
