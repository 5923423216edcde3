"""Helpers for the project tests: a fingerprint of every table a service may touch."""

from __future__ import annotations

from portal.accounts.models import User
from projects.models import AuditEvent, Invitation, Membership, ProgressReport, Project, Risk, Task


def state() -> dict:
    """Row counts plus the mutable fields of tasks, risks and memberships — equal before and after means nothing changed."""
    return {
        "projects": list(Project.objects.order_by("pk").values_list("pk", "name", "status", "archived_at", "manager_id")),
        "users": User.objects.count(),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "role")),
        "invitations": list(Invitation.objects.order_by("pk").values_list("pk", "accepted_at", "revoked_at", "sent_count", "expires_at")),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "owner_id", "status", "version", "last_percent", "internal")),
        "reports": ProgressReport.objects.count(),
        "risks": list(Risk.objects.order_by("pk").values_list("pk", "status", "version", "internal")),
        "audit": AuditEvent.objects.count(),
    }
