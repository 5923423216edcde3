"""Periodic jobs: each run is recorded (`JobRun`, the last run per job) and logged as one JSON line with its counts,
so the admin, `/healthz` (for staff) and a log pipeline see when each job last ran, how long it took and what it did.
"""

from __future__ import annotations

import functools
import json
import logging
import time

from django.db import DatabaseError
from django.db.models import F
from django.utils import timezone

from portal.core.models import JobRun

log = logging.getLogger("rapport.jobs")


def _counts(result) -> dict:
    if isinstance(result, dict):
        return {str(k): v for k, v in result.items() if isinstance(v, int | float | str | bool)}
    if isinstance(result, int | float):
        return {"count": result}
    return {}


def job_record(*, name: str, started_at, duration_ms: int, counts: dict, error: str = "") -> None:
    """Keep the run as the job's last; a database error here never fails the job itself."""
    fields = {"started_at": started_at, "finished_at": timezone.now(), "duration_ms": duration_ms, "ok": not error,
              "counts": counts, "error": error}
    try:
        updated = JobRun.objects.filter(name=name).update(
            runs=F("runs") + 1, failures=F("failures") + (1 if error else 0), **fields
        )
        if not updated:
            JobRun.objects.get_or_create(name=name, defaults={**fields, "runs": 1, "failures": 1 if error else 0})
    except DatabaseError:
        log.warning("job %s: its run could not be recorded", name, exc_info=True)


def periodic_job(name: str):
    """Decorates the function of a periodic job: its run is timed, recorded and logged as one JSON line."""

    def decorate(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            started_at, clock = timezone.now(), time.monotonic()
            error, result = "", None
            try:
                result = func(*args, **kwargs)
                return result
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"[:2000]
                raise
            finally:
                duration_ms = int((time.monotonic() - clock) * 1000)
                counts = _counts(result)
                line = {"event": "job_run", "job": name, "started_at": started_at.isoformat(), "duration_ms": duration_ms,
                        "ok": not error, "counts": counts}
                if error:
                    line["error"] = error
                (log.error if error else log.info)(json.dumps(line, sort_keys=True))
                job_record(name=name, started_at=started_at, duration_ms=duration_ms, counts=counts, error=error)

        return run

    return decorate


def jobs_last_runs() -> list[dict]:
    return [
        {"job": run.name, "started_at": run.started_at.isoformat(), "duration_ms": run.duration_ms, "ok": run.ok,
         "counts": run.counts, "runs": run.runs, "failures": run.failures, **({"error": run.error} if run.error else {})}
        for run in JobRun.objects.all()
    ]
