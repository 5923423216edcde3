"""Reads for the workspace frame (the header every project page shows)."""

from __future__ import annotations


def project_health(project):
    """The latest project-level health snapshot (engagement's, through the reverse relation), or None."""
    return (
        project.health_snapshots.filter(person__isnull=True)
        .order_by("-iso_year", "-iso_week", "-pk")
        .only("level", "score", "iso_year", "iso_week")
        .first()
    )
