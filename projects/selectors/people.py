"""Who is in a project and who was invited to it."""

from __future__ import annotations

from django.db.models import QuerySet

from projects.models import Invitation, Membership
from projects.permissions import ProjectAccess, require


def member_list(access: ProjectAccess) -> QuerySet[Membership]:
    return Membership.objects.filter(project=access.project).select_related("user").order_by("role", "user__full_name", "id")


def invitation_list(access: ProjectAccess) -> QuerySet[Invitation]:
    """Every invitation of the project, newest first; only for people who may manage the project's people."""
    require(access.can_manage_people)
    return Invitation.objects.filter(project=access.project).select_related("invited_by").order_by("-created_at", "-id")
