"""Times in pages: the viewer's zone, named ("Thu 3 Dec, 10:00 Moscow"); "2 h ago" with the exact time on hover."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation

from projects.templatetags.rapport import ago, ago_text, clock, launch_in, when, zone_label

MOMENT = dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC)


def test_when_uses_the_active_zone_and_names_it():
    with timezone.override("Europe/Moscow"), translation.override("en"):
        assert when(MOMENT) == "Thu 3 Dec, 10:00 Moscow"


def test_when_in_an_explicit_zone():
    with translation.override("en"):
        assert when(MOMENT, "America/Argentina/Buenos_Aires") == "Thu 3 Dec, 04:00 Buenos Aires"
        assert clock(MOMENT, "Europe/Berlin") == "08:00 Berlin"


def test_when_is_localised_in_russian():
    with timezone.override("Europe/Moscow"), translation.override("ru"):
        text = when(MOMENT)
    assert "10:00" in text and "Thu" not in text and "Dec" not in text


def test_ago_reads_relative_and_keeps_the_exact_time_in_the_title():
    now = timezone.now()
    assert ago_text(now - dt.timedelta(hours=2), now) == "2 h ago"
    assert ago_text(now - dt.timedelta(days=3), now) == "3 days ago"
    assert ago_text(now + dt.timedelta(minutes=30), now) == "in 30 min"
    with timezone.override("Europe/Moscow"):
        html = ago(now - dt.timedelta(hours=2))
    assert 'title="' in html and "Moscow" in html and "2 h ago" in html


def test_zone_label_and_launch_countdown():
    assert zone_label("UTC") == "UTC"

    class P:
        days_to_launch = 143

    assert launch_in(P()) == "launch in 143 days"
    P.days_to_launch = -2
    assert launch_in(P()) == "launched 2 days ago"
