"""The demo data set of contract.md: four log-ins, two client companies, three projects.

Idempotent: people and companies are found by e-mail and name; a project that already
exists keeps its history untouched, so a second run changes no counts.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from engagement.demo.builder import Cast, ProjectBuilder, Shape
from engagement.demo.rows import Rows, historical_timestamps
from portal.accounts.models import Client, User
from projects.models import Project, ProjectStatus

# The documented demo password (contract.md); seed_demo refuses to run with DEBUG off unless forced.
PASSWORD = "rapport-demo"  # noqa: S105  # nosec B105
LOGINS = ["manager@example.com", "team@example.com", "client@example.com", "client2@example.com"]

CLIENTS = {
    "northwind": ("Northwind Logistics", "Europe/Berlin", "en"),
    "aurora": ("Aurora Retail", "Europe/Moscow", "ru"),
}
# key: (e-mail, full name, company or None for staff, time zone, language)
PEOPLE = {
    "manager": ("manager@example.com", "Elena Markova", None, "Europe/Moscow", "en"),
    "team": ("team@example.com", "Tom Becker", None, "Europe/Berlin", "en"),
    "priya": ("priya.nair@example.com", "Priya Nair", None, "Asia/Kolkata", "en"),
    "jonas": ("jonas.weber@example.com", "Jonas Weber", None, "Europe/Berlin", "en"),
    "client": ("client@example.com", "Sarah Collins", "northwind", "Europe/London", "en"),
    "mark": ("mark.davies@northwind.example", "Mark Davies", "northwind", "Europe/London", "en"),
    "olivia": ("olivia.grant@northwind.example", "Olivia Grant", "northwind", "America/New_York", "en"),
    "client2": ("client2@example.com", "Ivan Orlov", "aurora", "Europe/Moscow", "en"),
    "natalia": ("natalia.volkova@aurora.example", "Natalia Volkova", "aurora", "Europe/Moscow", "ru"),
    "pavel": ("pavel.smirnov@aurora.example", "Pavel Smirnov", "aurora", "Asia/Yekaterinburg", "ru"),
}
PROJECTS = [
    {
        "slug": "northwind-customer-portal", "name": "Northwind Customer Portal", "client": "northwind",
        "description": "Relaunch of the self-service portal where Northwind's customers track shipments and invoices.",
        "cast": ("manager", ["team", "priya"], "client", ["mark", "olivia"]),
        "shape": Shape(weeks=12, plan="signed", weekday=1, time_zone="Europe/Berlin", client_tasks=10, team_tasks=10,
                       invite="procurement@northwind.example"),
        "launch_in": 6 * 7, "status": ProjectStatus.ACTIVE,
    },
    {
        "slug": "northwind-warehouse-app", "name": "Northwind Warehouse App", "client": "northwind",
        "description": "A mobile app for warehouse staff: picking lists, barcode scanning and stock counts.",
        "cast": ("manager", ["jonas"], "client", ["mark"]),
        "shape": Shape(weeks=5, plan="requested", weekday=3, time_zone="Europe/London", client_tasks=6, team_tasks=7,
                       decisions=5, risks=3),
        "launch_in": 20 * 7, "status": ProjectStatus.ACTIVE,
    },
    {
        "slug": "aurora-loyalty-platform", "name": "Aurora Loyalty Platform", "client": "aurora",
        "description": "Points, tiers and personal offers for Aurora's 2 million loyalty card holders.",
        "cast": ("manager", ["team"], "natalia", ["client2", "pavel"]),
        "shape": Shape(weeks=9, plan="changed", weekday=2, time_zone="Europe/Moscow", client_tasks=9, team_tasks=8),
        "launch_in": 10 * 7, "status": ProjectStatus.ACTIVE,
    },
]


def _people(rows: Rows) -> dict[str, User]:
    clients = {}
    for key, (name, tz, lang) in CLIENTS.items():
        clients[key], created = Client.objects.get_or_create(name=name, defaults={"time_zone": tz, "language": lang})
        rows.count["client companies"] += created
    password = make_password(PASSWORD)
    people = {}
    for key, (email, name, company, tz, lang) in PEOPLE.items():
        people[key], created = User.objects.get_or_create(
            email=email,
            defaults={
                "full_name": name, "kind": User.Kind.CLIENT if company else User.Kind.STAFF,
                "organisation": clients.get(company), "time_zone": tz, "language": lang, "password": password,
            },
        )
        rows.count["people"] += created
    people["_clients"] = clients
    return people


@transaction.atomic
def seed_showcase(now: dt.datetime | None = None) -> dict[str, int]:
    """Create what is missing; return the counts of rows made by this run."""
    now = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    rows = Rows()
    people = _people(rows)
    with historical_timestamps():
        for n, spec in enumerate(PROJECTS):
            if Project.objects.filter(slug=spec["slug"]).exists():
                continue
            manager, team, lead, clients = spec["cast"]
            cast = Cast(manager=people[manager], team=[people[k] for k in team], lead=people[lead], clients=[people[k] for k in clients])
            shape = spec["shape"]
            start = now - dt.timedelta(weeks=shape.weeks)
            project = Project(
                client=people["_clients"][spec["client"]], name=spec["name"], slug=spec["slug"], description=spec["description"],
                manager=cast.manager, status=spec["status"], start_date=start.date(),
                target_launch=(now + dt.timedelta(days=spec["launch_in"])).date(),
            )
            ProjectBuilder(rows=rows, rng=random.Random(n), project=project, cast=cast, shape=shape, now=now).build()
        rows.flush()
    return dict(rows.count)
