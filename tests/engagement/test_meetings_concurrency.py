"""Two materialise jobs at the same moment on PostgreSQL: the series row lock makes the second a no-op."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from engagement.models import Meeting, MeetingSeries
from engagement.services.meetings import occurrences_materialise
from tests.engagement.test_meetings_series import make_series


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_materialise_creates_each_slot_once(world, settings, postgres):
    settings.MEETING_HORIZON_DAYS = 14
    series = make_series(world)
    first = series.meetings.count()
    until = timezone.now() + dt.timedelta(days=120)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(len(occurrences_materialise(series=MeetingSeries.objects.get(pk=series.pk), until=until)))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results)[0] == 0 and sorted(results)[1] >= 14
    starts = list(Meeting.objects.filter(series=series).values_list("original_start", flat=True))
    assert len(starts) == len(set(starts)) == first + sum(results)
