"""Access functions for engagement objects; they build on `projects.permissions`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from engagement.models import Absence, CommunicationPlan, Decision, Meeting, MeetingSeries, Milestone, Stakeholder
from projects.models import Membership, Project, Role
from projects.permissions import ProjectAccess, object_access, project_access


def meeting_access(*, user, meeting_id: int, project: Project | None = None) -> tuple[Meeting, ProjectAccess]:
    meeting, access = object_access(user=user, model=Meeting, pk=meeting_id, project=project, related=("series",))
    return meeting, access


def series_access(*, user, series_id: int, project: Project | None = None) -> tuple[MeetingSeries, ProjectAccess]:
    return object_access(user=user, model=MeetingSeries, pk=series_id, project=project)


def decision_access(*, user, decision_id: int, project: Project | None = None) -> tuple[Decision, ProjectAccess]:
    return object_access(
        user=user, model=Decision, pk=decision_id, project=project, related=("decided_by", "recorded_by", "superseded_by")
    )


def plan_access(*, user, project: Project | None = None, slug: str | None = None) -> tuple[CommunicationPlan, ProjectAccess]:
    access = project_access(user=user, project=project, slug=slug)
    plan = CommunicationPlan.objects.filter(project=access.project).first()
    if plan is None:
        plan = CommunicationPlan(project=access.project)  # unsaved: a project without a plan yet reads as empty
    return plan, access


def plan_history_access(*, user, project: Project | None = None, slug: str | None = None) -> tuple[CommunicationPlan, ProjectAccess]:
    """The plan whose versions, sign-offs and differences are read: by the team and the client leads."""
    plan, access = plan_access(user=user, project=project, slug=slug)
    if access.is_staff:
        return plan, access
    if access.is_client_lead:
        return plan, access
    raise PermissionDenied


def stakeholder_access(*, user, stakeholder_id: int, project: Project | None = None) -> tuple[Stakeholder, ProjectAccess]:
    qs = Stakeholder.objects.select_related("plan__project", "user")
    if project is not None:
        qs = qs.filter(plan__project=project)
    stakeholder = qs.filter(pk=stakeholder_id).first()
    if stakeholder is None:
        raise Http404
    return stakeholder, project_access(user=user, project=stakeholder.plan.project)


def milestone_access(*, user, milestone_id: int, project: Project | None = None) -> tuple[Milestone, ProjectAccess]:
    return object_access(user=user, model=Milestone, pk=milestone_id, project=project)


def manages_person(*, actor, user) -> bool:
    """Whether `actor` manages a project of which `user` is a member (their team)."""
    managed = Membership.objects.filter(user=actor, role=Role.MANAGER).values("project_id")
    return Membership.objects.filter(user=user, project_id__in=managed).exists()


def require_may_enter_absence_for(actor, user) -> None:
    """A person enters their own absences; a project manager those of the members of their projects."""
    if actor.pk == user.pk:
        return
    if not manages_person(actor=actor, user=user):
        # Another person's absences are not the actor's business: the same answer as for a missing one.
        raise Http404


def absence_access(*, user, absence_id: int) -> Absence:
    """An absence the person may change: their own, or one of their team's when they manage a project of it."""
    absence = Absence.objects.select_related("user").filter(pk=absence_id).first()
    if absence is None:
        raise Http404
    require_may_enter_absence_for(user, absence.user)
    return absence
