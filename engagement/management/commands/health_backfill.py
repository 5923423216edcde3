"""Rebuild weekly health snapshots and early warnings from history, oldest week first, with a progress bar."""

from __future__ import annotations

import datetime as dt
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from engagement.health.config import get_config
from engagement.health.engine import WEEK
from engagement.health.loader import load_history
from engagement.health.snapshots import active_projects, snapshot_project
from projects.models import Project


class Progress:
    """A one-line progress bar over project-weeks (plain text when the output is not a terminal)."""

    def __init__(self, out, total: int, width: int = 30) -> None:
        self.out, self.total, self.width = out, max(total, 1), width
        self.done = 0
        self.started = time.monotonic()
        self.tty = hasattr(out, "isatty") and out.isatty()
        self.last_line = -1

    def step(self, n: int = 1) -> None:
        self.done += n
        filled = int(self.width * min(self.done, self.total) / self.total)
        percent = int(100 * min(self.done, self.total) / self.total)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} project-weeks {percent}%"
        if self.tty:
            self.out.write("\r" + line)
            self.out.flush()
        elif percent // 10 != self.last_line or self.done == self.total:
            self.last_line = percent // 10
            self.out.write(line + "\n")

    def close(self) -> None:
        if self.done != self.total:  # the estimate counted the running week too
            self.total = max(self.done, 1)
            self.done -= 1
            self.last_line = -1
            self.step()
        if self.tty:
            self.out.write("\n")
        self.out.write(f"{self.done} project-weeks in {time.monotonic() - self.started:.1f} s\n")


class Command(BaseCommand):
    help = "Compute past weekly health snapshots and early warnings from history (oldest first)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--weeks", type=int, default=26, help="How many past weeks to cover (default 26).")
        parser.add_argument("--project", help="Only this project (slug).")
        parser.add_argument("--since", help="Start at this ISO week, e.g. 2025-W10 (overrides --weeks).")
        parser.add_argument("--recompute", action="store_true", help="Delete and rewrite this algorithm version's snapshots.")
        parser.add_argument("--now", help="Act as if it were this moment (ISO 8601).")

    def handle(self, *args, **opts) -> None:
        now = dt.datetime.fromisoformat(opts["now"]) if opts.get("now") else timezone.now()
        if timezone.is_naive(now):
            now = timezone.make_aware(now, dt.UTC)
        since = now - opts["weeks"] * WEEK
        if opts.get("since"):
            try:
                year, week = opts["since"].upper().split("-W")
                since = dt.datetime.combine(dt.date.fromisocalendar(int(year), int(week), 1), dt.time(0), tzinfo=dt.UTC)
            except ValueError as error:
                raise CommandError(f"--since must look like 2025-W10: {error}") from error
        projects = active_projects().select_related("client").order_by("pk")
        if opts.get("project"):
            projects = Project.objects.select_related("client").filter(slug=opts["project"])
            if not projects.exists():
                raise CommandError(f"No project with slug {opts['project']!r}.")
        projects = list(projects)
        cfg = get_config()
        total = sum(max(1, int((now - max(since, self._start(p))).days // 7)) for p in projects)
        bar = Progress(self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout, total)
        weeks = 0
        for project in projects:
            history = load_history(project, now)
            weeks += snapshot_project(
                project=project, now=now, since=since, recompute=opts["recompute"], config=cfg, history=history, on_week=bar.step
            )
        bar.close()
        self.stdout.write(self.style.SUCCESS(f"Health {cfg.version}: {weeks} weeks finalised over {len(projects)} projects."))

    @staticmethod
    def _start(project) -> dt.datetime:
        if project.start_date:
            return dt.datetime.combine(project.start_date, dt.time(0), tzinfo=dt.UTC)
        return project.created_at
