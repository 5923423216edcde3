"""`manage.py seed_demo [--scale N] [--force]` — see contract.md."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from engagement.demo.scale import Progress, seed_scale
from engagement.demo.showcase import LOGINS, PASSWORD, seed_showcase
from projects.models import Project
from projects.services.counts import project_counts_refresh


class Command(BaseCommand):
    help = "Load the demo data set (idempotent), or with --scale N a large deterministic data set for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0, help="Generate N projects with proportional data.")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, scale: int = 0, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates demo accounts with a known password; it runs only with DEBUG on (or --force).")
        if scale < 0:
            raise CommandError("--scale must be a positive number of projects.")
        made = seed_scale(scale, progress=Progress(scale, stream=self.stderr)) if scale else seed_showcase()
        # The demo data is written in bulk, past the task services: its projects' stored counts are set here.
        project_counts_refresh(project_ids=Project.objects.values_list("pk", flat=True))
        if not any(made.values()):
            self.stdout.write("Demo data already present; nothing to do.")
        else:
            self.stdout.write("Made: " + ", ".join(f"{count} {name}" for name, count in sorted(made.items())))
        if not scale:
            self.stdout.write(f"Demo log-ins (password {PASSWORD}): " + ", ".join(LOGINS))
