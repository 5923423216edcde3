"""Dates as each language writes them, from the per-language format files: day before month, never "12/01/2026";
in Russian the genitive month wherever a day precedes it ("1 декабря 2026"), never "1 Дек"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import formats, translation

from engagement.selectors.digests import WeekLabel
from engagement.services.agenda import agenda_draft
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
NOMINATIVE_ABBR = re.compile(r"\b\d{1,2} (Янв|Фев|Мар|Апр|Май|Июн|Июл|Авг|Сен|Окт|Ноя|Дек)")
NUMERIC = re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{4}\b")


@pytest.fixture(autouse=True)
def _monday_7_december():
    with time_machine.travel(NOW, tick=False):
        yield


def _meeting_with_an_overdue_task(world):
    f.TaskFactory(project=world.project, owner=world.client, title="Send the logo", due_date=dt.date(2026, 12, 1))
    start = NOW + dt.timedelta(days=2)
    return f.MeetingFactory(project=world.project, starts_at=start, ends_at=start + dt.timedelta(minutes=30))


@pytest.mark.parametrize(("language", "due"), [("en", "Tue 1 Dec 2026"), ("ru", "Вт 1 декабря 2026")])
def test_agenda_drafts_write_the_date_as_the_language_does(world, language, due):
    meeting = _meeting_with_an_overdue_task(world)

    with translation.override(language):
        text = agenda_draft(meeting)

    assert due in text
    assert NUMERIC.findall(text) == []


@pytest.mark.parametrize("name", ["DATE_FORMAT", "SHORT_DATE_FORMAT", "MONTH_DAY_FORMAT", "DATETIME_FORMAT",
                                  "SHORT_DATETIME_FORMAT"])
def test_every_named_date_puts_the_day_first_and_russian_months_in_the_genitive(name):
    moment = dt.datetime(2026, 12, 6, 10, 0)
    with translation.override("en"):
        english = formats.date_format(moment, name)
    with translation.override("ru"):
        russian = formats.date_format(moment, name)

    assert re.search(r"\b6 Dec\b", english), english
    assert re.search(r"\b6 декабря\b", russian), russian
    assert NUMERIC.findall(english + russian) == []


def test_week_labels_use_the_month_day_format():
    week = WeekLabel(dt.date(2026, 11, 30))
    with translation.override("en"):
        assert str(week) == "30 Nov – 6 Dec"
    with translation.override("ru"):
        assert str(week) == "30 ноября – 6 декабря"
    with translation.override("ru"):
        assert str(WeekLabel(dt.date(2026, 12, 7))) == "7–13 декабря"


def test_a_russian_page_writes_due_dates_with_the_genitive_month(client, world):
    world.client.language = "ru"
    world.client.save()
    f.TaskFactory(project=world.project, owner=world.client, title="Тексты", due_date=dt.date(2026, 12, 1))
    client.force_login(world.client)

    page = client.get(reverse("home")).content.decode()

    assert "Вт 1 декабря 2026" in page
    assert NOMINATIVE_ABBR.findall(page) == []
