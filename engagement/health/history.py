"""Everything the health computation reads about one project, as small plain objects.

`loader.load_history` fills them in a fixed number of queries; the computation
(`signals`, `score`, `warnings`) never touches the database, so a backfill loads
a project's history once and evaluates every week from memory.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from portal.core.time import zone
from projects.models import Role, TaskStatus

DAY = dt.timedelta(days=1)
OPEN = (TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED)


@dataclass
class Person:
    id: int
    name: str
    role: str
    joined_at: dt.datetime

    @property
    def is_lead(self) -> bool:
        return self.role == Role.CLIENT_LEAD


@dataclass
class TaskFact:
    id: int
    title: str
    owner_id: int
    created_at: dt.datetime
    cadence_days: int
    due_date: dt.date | None
    status: str
    completed_at: dt.datetime | None
    updated_at: dt.datetime
    changes: list = field(default_factory=list)  # [(at, field, old, new)] from the audit log, oldest first
    has_audit: bool = False
    reports: list = field(default_factory=list)  # client report times, sorted

    def value_at(self, name: str, at: dt.datetime, current):
        """The field's value at `at`: the current value with later audited changes undone."""
        value = current
        for when, fname, old, _new in reversed(self.changes):
            if when <= at:
                break
            if fname == name:
                value = old
        return value

    def state_at(self, at: dt.datetime) -> tuple[str, int, dt.date | None] | None:
        """(status, owner id, due date) at `at`, or None if the task did not exist yet."""
        if self.created_at > at:
            return None
        status = self.value_at("status", at, self.status)
        if not self.changes:
            if self.completed_at and self.completed_at > at and status == TaskStatus.DONE:
                status = TaskStatus.IN_PROGRESS
            elif status == TaskStatus.CANCELLED and self.updated_at > at:
                status = TaskStatus.TODO
        owner = self.value_at("owner", at, self.owner_id)
        due = self.value_at("due_date", at, self.due_date)
        if isinstance(due, str):
            due = dt.date.fromisoformat(due[:10])
        return status, owner, due

    def approximate_at(self, at: dt.datetime) -> bool:
        return not self.has_audit and self.updated_at > at and self.completed_at is None

    def assigned_at(self, at: dt.datetime) -> dt.datetime:
        """When the owner at `at` got the task (creation, or the last audited owner change before `at`)."""
        start = self.created_at
        for when, fname, _old, _new in self.changes:
            if when > at:
                break
            if fname == "owner":
                start = when
        return start

    def last_report_before(self, at: dt.datetime) -> dt.datetime | None:
        i = bisect.bisect_right(self.reports, at)
        return self.reports[i - 1] if i else None

    def report_in(self, start: dt.datetime, end: dt.datetime) -> bool:
        i = bisect.bisect_right(self.reports, start)
        return i < len(self.reports) and self.reports[i] <= end


@dataclass
class DecisionFact:
    id: int
    title: str
    requested_at: dt.datetime
    addressees: list  # person ids
    responses: dict  # person id -> first response time
    closed_at: dt.datetime | None = None  # since then it asks nothing (approved approval, rejected, superseded)

    def first_answer(self) -> dt.datetime | None:
        return min(self.responses.values()) if self.responses else None

    def asks_at(self, at: dt.datetime) -> bool:
        """Whether the decision still asked the client at `at` (engagement/selectors/awaiting.py's rule in time)."""
        return self.closed_at is None or at < self.closed_at

    def withdrawn(self, due: dt.datetime, answer: dt.datetime | None) -> bool:
        """Closed before its answer was due and before the person answered: it never became owed."""
        return not self.asks_at(due) and (answer is None or answer >= self.closed_at)


@dataclass
class MeetingFact:
    id: int
    series_id: int | None
    scheduled_at: dt.datetime  # the original slot
    starts_at: dt.datetime
    status: str
    rescheduled: bool
    cancelled_by: str
    invited: dict  # person id -> attended (True / False / None = not recorded)


@dataclass
class PlanFact:
    created_at: dt.datetime
    versions: list  # [(version, published_at)] oldest first
    signed_version: int | None
    signed_at: dt.datetime | None
    signers: list  # person ids who may sign (client leads)
    completeness_missing: list  # checklist item codes not present (current values)
    items_total: int
    status_cadence_days: int
    response_hours: int


@dataclass
class History:
    project_id: int
    project_name: str
    tz_name: str
    started_at: dt.datetime
    persons: dict
    tasks: list
    decisions: list
    meetings: list
    plan: PlanFact | None
    primary_id: int | None
    backup_ids: list
    series_interval_days: dict  # series id -> days between occurrences
    actions: dict  # person id -> sorted action times
    excused: dict  # person id -> [(start, end)] merged, UTC
    quiet: list  # project-wide [(start, end)]

    cache: dict = field(default_factory=dict)  # memo for pure per-history computations (gaps, weekly obligations)

    @property
    def tz(self):
        return zone(self.tz_name)

    def actions_before(self, pid: int, at: dt.datetime) -> list:
        times = self.actions.get(pid, [])
        return times[: bisect.bisect_right(times, at)]

    def last_action(self, pid: int, at: dt.datetime) -> dt.datetime | None:
        times = self.actions.get(pid, [])
        i = bisect.bisect_right(times, at)
        return times[i - 1] if i else None

    def acted_in(self, pid: int, start: dt.datetime, end: dt.datetime) -> bool:
        times = self.actions.get(pid, [])
        i = bisect.bisect_left(times, start)
        return i < len(times) and times[i] < end

    def excused_seconds(self, pid: int | None, start: dt.datetime, end: dt.datetime) -> float:
        if end <= start:
            return 0.0
        spans = self.excused.get(pid, self.quiet) if pid is not None else self.quiet
        total = 0.0
        for a, b in spans:
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        return total

    def is_excused(self, pid: int | None, at: dt.datetime) -> bool:
        spans = self.excused.get(pid, self.quiet) if pid is not None else self.quiet
        return any(a <= at < b for a, b in spans)

    def net_days(self, pid: int | None, start: dt.datetime, end: dt.datetime) -> float:
        """Days between two instants with the person's excused time removed."""
        return max(0.0, ((end - start).total_seconds() - self.excused_seconds(pid, start, end)) / 86400)

    def client_tasks_at(self, at: dt.datetime, owner: int | None = None) -> list:
        out = []
        for task in self.tasks:
            state = task.state_at(at)
            if state is None:
                continue
            if owner is not None and state[1] != owner:
                continue
            out.append((task, state))
        return out

    def local_midnight(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(0), tzinfo=self.tz).astimezone(dt.UTC)

    def shift_days(self, instant: dt.datetime, days: int) -> dt.datetime:
        """The local midnight `days` after the local date of `instant` (weeks are 7 local days, not 168 hours)."""
        return self.local_midnight(instant.astimezone(self.tz).date() + dt.timedelta(days=days))
