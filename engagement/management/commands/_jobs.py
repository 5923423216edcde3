"""Shared `--now ISO` handling of the e-mail job commands."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class JobCommand(BaseCommand):
    """Runs the same service as the beat job, in this process. Safe to run twice."""

    def add_arguments(self, parser):
        parser.add_argument("--now", help="the instant to act as, ISO 8601 with offset (default: now)")

    def moment(self, options) -> dt.datetime:
        raw = options.get("now")
        if not raw:
            return timezone.now()
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise CommandError(f"--now is not an ISO 8601 instant: {raw!r}")
        if timezone.is_naive(value):
            raise CommandError("--now needs an offset, e.g. 2026-11-30T08:00:00+00:00")
        return value
