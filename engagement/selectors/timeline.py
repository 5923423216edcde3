"""The timeline of a project: milestones, tasks and meetings placed on a time axis (drawn as SVG by the template).

Four queries whatever the number of items: milestones with their visible tasks and decisions (three), the tasks in
the window, the meetings in the window. Client people get the client-visible part only (one rule, `visible_to`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from engagement.models import Decision, Meeting, Milestone
from engagement.models.decisions import DecisionStatus
from projects.models import OPEN_TASK_STATUSES, Task
from projects.permissions import ProjectAccess
from projects.templatetags.rapport import day

CHART_WIDTH = 960  # px of the time axis; labels sit in a column to its left
LABEL_WIDTH = 240
ROW_HEIGHT = 30
HEADER_HEIGHT = 44
TASK_LIMIT = 80


@dataclass(frozen=True)
class Scale:
    key: str
    label: object
    days: int  # the window

    def ticks(self, start: dt.date, end: dt.date) -> list[dt.date]:
        if self.key == "week":
            first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
            return [first + dt.timedelta(weeks=n) for n in range((end - first).days // 7 + 1)]
        months = 1 if self.key == "month" else 3
        month = ((start.month - 1) // months) * months + 1
        tick = dt.date(start.year, month, 1)
        out = []
        while tick <= end:
            if tick >= start:
                out.append(tick)
            year, month = divmod(tick.month - 1 + months, 12)
            tick = dt.date(tick.year + year, month + 1, 1)
        return out


SCALES = {
    "week": Scale("week", gettext_lazy("Weeks"), 42),
    "month": Scale("month", gettext_lazy("Months"), 182),
    "quarter": Scale("quarter", gettext_lazy("Quarters"), 455),
}
DEFAULT_SCALE = "month"


@dataclass
class Item:
    kind: str  # milestone, task, meeting
    label: str
    url: str
    start: dt.date | None
    end: dt.date
    status: str  # on_track, at_risk, missed, done (milestones); overdue, open, done (tasks); held, scheduled, cancelled
    status_label: str
    reasons: list[str] = field(default_factory=list)
    internal: bool = False
    x: float = 0.0
    x_end: float = 0.0
    y: float = 0.0

    # Geometry the template draws with (SVG user units).
    @property
    def bar_width(self) -> float:
        return round(max(self.x_end - self.x, 6), 1)

    @property
    def top(self) -> float:
        return self.y - 8

    @property
    def text_y(self) -> float:
        return self.y + 4

    @property
    def marker(self) -> str:
        """A diamond around (x, y): the milestone's shape."""
        return f"M{self.x} {self.y - 9} L{self.x + 9} {self.y} L{self.x} {self.y + 9} L{self.x - 9} {self.y} Z"


@dataclass
class Timeline:
    scale: Scale
    start: dt.date
    end: dt.date
    today: dt.date
    milestones: list[Item]
    tasks: list[Item]
    meetings: list[Item]
    ticks: list[tuple[float, str]]
    today_x: float | None
    width: int
    height: int
    prev_start: dt.date
    next_start: dt.date
    more_tasks: bool

    label_width: int = LABEL_WIDTH
    chart_width: int = CHART_WIDTH

    @property
    def rows(self) -> list[Item]:
        return [*self.milestones, *self.tasks]

    @property
    def listed(self) -> list[Item]:
        """Everything in date order: the layout of narrow screens."""
        return sorted([*self.milestones, *self.tasks, *self.meetings], key=lambda item: (item.start or item.end, item.kind))


def parse_scale(value: str | None) -> Scale:
    return SCALES.get(value or "", SCALES[DEFAULT_SCALE])


def _window(scale: Scale, start: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    if start is None:
        start = today - dt.timedelta(days=scale.days // 4)
    if scale.key == "week":
        start -= dt.timedelta(days=start.weekday())
    else:
        start = start.replace(day=1)
    return start, start + dt.timedelta(days=scale.days)


def milestone_state(milestone: Milestone, today: dt.date) -> tuple[str, list[str]]:
    """The milestone's state and, when it is slipping, why in words (from the tasks and decisions the reader sees)."""
    tasks, decisions = list(milestone.tasks.all()), list(milestone.decisions.all())
    open_tasks = [t for t in tasks if t.status in OPEN_TASK_STATUSES]
    open_decisions = [d for d in decisions if d.status == DecisionStatus.PROPOSED]
    if not open_tasks and not open_decisions:
        return ("done" if milestone.date <= today else "on_track"), []
    reasons = []
    overdue = [t for t in open_tasks if t.due_date and t.due_date < today]
    if overdue:
        reasons.append(
            ngettext(
                "%(count)d task it depends on is late: %(names)s.",
                "%(count)d tasks it depends on are late: %(names)s.",
                len(overdue),
            )
            % {"count": len(overdue), "names": get_text_list([_("“%(task)s”") % {"task": t.title} for t in overdue], _("and"))}
        )
    after = [t for t in open_tasks if t.due_date and t.due_date > milestone.date and t not in overdue]
    for task in after:
        reasons.append(
            _("“%(task)s” is due %(due)s, after the milestone.") % {"task": task.title, "due": day(task.due_date)}
        )
    for decision in open_decisions:
        reasons.append(_("The decision “%(decision)s” is still awaiting approval.") % {"decision": decision.title})
    if milestone.date < today:
        count = len(open_tasks) + len(open_decisions)
        reasons.insert(
            0,
            ngettext(
                "The date has passed with %(count)d item still open.",
                "The date has passed with %(count)d items still open.",
                count,
            )
            % {"count": count},
        )
        return "missed", reasons
    return ("at_risk" if reasons else "on_track"), reasons


MILESTONE_LABELS = {
    "on_track": gettext_lazy("on track"),
    "at_risk": gettext_lazy("slipping"),
    "missed": gettext_lazy("missed"),
    "done": gettext_lazy("reached"),
}


def milestones_for(access: ProjectAccess):
    return (
        Milestone.objects.filter(project=access.project)
        .visible_to(access)
        .prefetch_related(
            Prefetch("tasks", queryset=Task.objects.visible_to(access).order_by("due_date", "id")),
            Prefetch("decisions", queryset=Decision.objects.visible_to(access).order_by("id")),
        )
    )


def timeline(access: ProjectAccess, *, scale: Scale, start: dt.date | None = None, urls) -> Timeline:
    """`urls(kind, obj)` gives each item's page (the view knows the routes)."""
    today = timezone.localdate()
    start, end = _window(scale, start, today)
    per_day = CHART_WIDTH / scale.days

    def x_of(date: dt.date) -> float:
        return round(LABEL_WIDTH + min(max((date - start).days, 0), scale.days) * per_day, 1)

    milestones = []
    for milestone in milestones_for(access).filter(date__gte=start, date__lte=end):
        state, reasons = milestone_state(milestone, today)
        milestones.append(
            Item("milestone", milestone.name, urls("milestone", milestone), None, milestone.date, state,
                 str(MILESTONE_LABELS[state]), reasons, milestone.internal)
        )
    in_window = Q(due_date__gte=start, due_date__lte=end) | Q(start_date__lte=end, due_date__gte=start) | Q(
        start_date__gte=start, start_date__lte=end
    )
    task_rows = list(
        Task.objects.filter(project=access.project).visible_to(access).filter(in_window)
        .select_related("project").order_by("start_date", "due_date", "id")[: TASK_LIMIT + 1]
    )
    tasks = []
    for task in task_rows[:TASK_LIMIT]:
        status = "done" if task.status not in OPEN_TASK_STATUSES else ("overdue" if task.is_overdue else "open")
        label = {"done": task.get_status_display(), "overdue": _("overdue"), "open": task.get_status_display()}[status]
        tasks.append(Item("task", task.title, urls("task", task), task.start_date, task.due_date or task.start_date,
                          status, str(label), internal=task.internal))
    meetings = [
        Item("meeting", meeting.title, urls("meeting", meeting), None, timezone.localtime(meeting.starts_at).date(),
             meeting.status, meeting.get_status_display())
        for meeting in Meeting.objects.filter(
            project=access.project, starts_at__date__gte=start, starts_at__date__lte=end
        ).select_related("project").order_by("starts_at")
    ]
    for row, item in enumerate([*milestones, *tasks]):
        item.y = HEADER_HEIGHT + row * ROW_HEIGHT + ROW_HEIGHT / 2
        item.x, item.x_end = x_of(item.start or item.end), x_of(item.end)
    meetings_y = HEADER_HEIGHT + len(milestones + tasks) * ROW_HEIGHT + ROW_HEIGHT / 2
    for item in meetings:
        item.x = item.x_end = x_of(item.end)
        item.y = meetings_y
    height = int(meetings_y + ROW_HEIGHT)
    ticks = [(x_of(t), date_format(t, "MONTH_DAY_FORMAT" if scale.key == "week" else "YEAR_MONTH_FORMAT"))
             for t in scale.ticks(start, end)]
    shift = dt.timedelta(days=scale.days // 2)
    return Timeline(
        scale=scale, start=start, end=end, today=today, milestones=milestones, tasks=tasks, meetings=meetings,
        ticks=ticks, today_x=x_of(today) if start <= today <= end else None, width=LABEL_WIDTH + CHART_WIDTH + 20,
        height=height, prev_start=start - shift, next_start=start + shift, more_tasks=len(task_rows) > TASK_LIMIT,
    )

