"""`seed_demo --scale N`: N projects with proportional history, deterministic for a given N.

Per project: ~6 client contacts, 50 tasks, ~250 progress reports, two years of weekly
meetings with attendance, 20 decisions with responses, 8 risks. Rows go in with
`bulk_create`, a few projects per flush; each flush is its own transaction, so an
interrupted run resumes where it stopped (existing `scale-NNNN` projects are skipped).
"""

from __future__ import annotations

import datetime as dt
import random
import sys

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from engagement.demo import content as c
from engagement.demo.builder import Cast, ProjectBuilder, Shape
from engagement.demo.rows import Rows, historical_timestamps
from engagement.demo.showcase import PASSWORD
from portal.accounts.models import Client, User
from projects.models import Project, ProjectStatus

PROJECTS_PER_FLUSH = 10
CONTACTS_PER_PROJECT = 6
PROJECTS_PER_COMPANY = 3
STAFF_PER_PROJECT = 0.25


class Progress:
    """A plain progress bar on stderr (no dependency; works in any terminal and in logs)."""

    def __init__(self, total: int, stream=None, width: int = 30):
        self.total, self.stream, self.width, self.done = max(total, 1), stream or sys.stderr, width, 0

    def _write(self, text: str) -> None:
        if hasattr(self.stream, "style_func"):  # a management command's OutputWrapper adds newlines unless told not to
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()

    def step(self, n: int = 1, label: str = "") -> None:
        self.done += n
        filled = int(self.width * self.done / self.total)
        self._write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} {label}".ljust(60))

    def close(self) -> None:
        self._write("\n")


def _name(rng: random.Random) -> str:
    return f"{rng.choice(c.FIRST_NAMES)} {rng.choice(c.LAST_NAMES)}"


def _users(specs: list[dict], password: str, rows: Rows, label: str) -> dict[str, User]:
    """Get or bulk-create users by e-mail (one hash shared: hashing thousands of passwords would dominate the run)."""
    existing = {u.email: u for u in User.objects.filter(email__in=[s["email"] for s in specs])}
    new = [User(password=password, **s) for s in specs if s["email"] not in existing]
    User.objects.bulk_create(new, batch_size=500)
    existing.update({u.email: u for u in User.objects.filter(email__in=[u.email for u in new])})
    rows.count[label] += len(new)
    return existing


def seed_scale(n: int, *, now: dt.datetime | None = None, progress: Progress | None = None) -> dict[str, int]:
    rng = random.Random(n)
    now = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    password = make_password(PASSWORD)
    rows = Rows()
    companies = []
    for i in range((n + PROJECTS_PER_COMPANY - 1) // PROJECTS_PER_COMPANY):
        name = f"{c.COMPANY_WORDS[i % len(c.COMPANY_WORDS)]} {c.COMPANY_KINDS[(i // len(c.COMPANY_WORDS)) % len(c.COMPANY_KINDS)]}"
        if i >= len(c.COMPANY_WORDS) * len(c.COMPANY_KINDS):
            name = f"{name} {i}"
        company, created = Client.objects.get_or_create(name=f"{name} (scale)", defaults={"time_zone": rng.choice(c.ZONES)})
        companies.append(company)
        rows.count["client companies"] += created
    n_staff = max(4, int(n * STAFF_PER_PROJECT) + 3)
    staff = _users(
        [{"email": f"staff{i:04d}@scale.example", "full_name": _name(rng), "kind": User.Kind.STAFF, "time_zone": rng.choice(c.ZONES)}
         for i in range(n_staff)],
        password,
        rows,
        "staff",
    )
    staff_list = [staff[f"staff{i:04d}@scale.example"] for i in range(n_staff)]
    contact_specs = []
    for p in range(n):
        company = companies[p // PROJECTS_PER_COMPANY]
        for k in range(CONTACTS_PER_PROJECT):
            contact_specs.append({
                "email": f"contact{p:04d}-{k}@scale.example", "full_name": _name(rng), "kind": User.Kind.CLIENT,
                "organisation": company, "time_zone": company.time_zone, "language": rng.choice(["en", "en", "ru"]),
                "digest_weekday": rng.randint(0, 4), "digest_hour": rng.choice([8, 9, 10]),
            })
    contacts = _users(contact_specs, password, rows, "client contacts")
    existing = set(Project.objects.filter(slug__startswith="scale-").values_list("slug", flat=True))
    progress = progress or Progress(n)
    for p in range(n):
        project_rng = random.Random(n * 100_003 + p)  # each project's data is independent of the others
        slug = f"scale-{p:04d}"
        if slug not in existing:
            people = [contacts[f"contact{p:04d}-{k}@scale.example"] for k in range(CONTACTS_PER_PROJECT)]
            cast = Cast(
                manager=staff_list[p % len(staff_list)],
                team=[staff_list[(p + k) % len(staff_list)] for k in (1, 2, 3)],
                lead=people[0], clients=people[1:],
            )
            shape = Shape(
                weeks=104, client_tasks=22, team_tasks=28, decisions=20, risks=8,
                plan=project_rng.choice(["signed", "signed", "changed", "requested", "draft"]),
                weekday=project_rng.randint(0, 4), hour=project_rng.choice([9, 10, 11, 14, 16]), time_zone=people[0].time_zone,
            )
            start = now - dt.timedelta(weeks=shape.weeks)
            company = people[0].organisation
            project = Project(
                client=company, name=f"{company.name.removesuffix(' (scale)')} {c.PROJECT_KINDS[p % len(c.PROJECT_KINDS)]} {p}",
                slug=slug, manager=cast.manager, start_date=start.date(),
                target_launch=(now + dt.timedelta(days=project_rng.randint(14, 200))).date(),
                status=project_rng.choice([ProjectStatus.ACTIVE] * 4 + [ProjectStatus.PLANNING, ProjectStatus.ON_HOLD]),
                description="Generated for benchmarks.",
            )
            ProjectBuilder(rows=rows, rng=project_rng, project=project, cast=cast, shape=shape, now=now).build()
        if (p + 1) % PROJECTS_PER_FLUSH == 0 or p == n - 1:
            with historical_timestamps(), transaction.atomic():
                rows.flush()
            progress.step(min(PROJECTS_PER_FLUSH, p % PROJECTS_PER_FLUSH + 1), "projects")
    progress.close()
    return dict(rows.count)
