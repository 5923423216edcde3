"""The people of a project: members, pending invitations, and the client side that is e-mailed."""

from __future__ import annotations

from django.db.models import QuerySet

from projects.models import Invitation, Membership
from projects.permissions import ProjectAccess, require


def project_people(access):
    """Members with their people, and — for those who manage people — the pending invitations."""
    members = (
        Membership.objects.filter(project=access.project)
        .select_related("user", "user__organisation")
        .order_by("role", "user__full_name", "user__email")
    )
    invitations = Invitation.objects.none()
    if access.can_manage_people:
        invitations = (
            Invitation.objects.filter(project=access.project, accepted_at__isnull=True, revoked_at__isnull=True)
            .select_related("invited_by")
            .order_by("-created_at")
        )
    return members, invitations


def client_people(project, *, leads_only: bool = False) -> list:
    """The client-side members (people who are e-mailed about decisions and the plan sign-off)."""
    roles = ["client_lead"] if leads_only else ["client_lead", "client"]
    return [
        m.user
        for m in Membership.objects.filter(project=project, role__in=roles, user__is_active=True)
        .select_related("user")
        .order_by("-role", "user__full_name")
    ]


def member_list(access: ProjectAccess) -> QuerySet[Membership]:
    return Membership.objects.filter(project=access.project).select_related("user").order_by("role", "user__full_name", "id")


def invitation_list(access: ProjectAccess) -> QuerySet[Invitation]:
    """Every invitation of the project, newest first; only for people who may manage the project's people."""
    require(access.can_manage_people)
    return Invitation.objects.filter(project=access.project).select_related("invited_by").order_by("-created_at", "-id")
