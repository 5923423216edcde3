"""Store every project's counts as its tasks are now (after a bulk import, or to check nothing drifted)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from projects.models import Project
from projects.services.counts import project_counts_refresh

CHUNK = 500


class Command(BaseCommand):
    help = "Recompute the open client tasks and the last client report stored on every project."

    def handle(self, *args, **options):
        ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            with transaction.atomic():
                project_counts_refresh(project_ids=ids[start : start + CHUNK])
            if options["verbosity"]:
                self.stdout.write(f"{min(start + CHUNK, len(ids))}/{len(ids)} projects")
