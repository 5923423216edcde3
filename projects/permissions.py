"""Access functions: the only way request code obtains a protected object.

Each `*_access` returns the object with the caller's `ProjectAccess`, or raises
`Http404` when the person may not see it (same as a missing object) or
`PermissionDenied` when their role is too low for the action asked.
The capability table is `product.md`'s "Who may do what", one rule per line.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from projects.models import CLIENT_ROLES, STAFF_ROLES, Membership, Project, Risk, Role, SavedTaskFilter, Task, TaskSide


@dataclass(frozen=True)
class ProjectAccess:
    """What one person may do in one project."""

    project: Project
    user: object
    role: str

    # --- reading -------------------------------------------------------
    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_client(self) -> bool:
        return self.role in CLIENT_ROLES

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_client_lead(self) -> bool:
        return self.role == Role.CLIENT_LEAD

    @property
    def can_see_internal(self) -> bool:
        return self.is_staff

    @property
    def can_see_health(self) -> bool:
        return self.is_staff

    # --- writing -------------------------------------------------------
    @property
    def can_edit_project(self) -> bool:
        return self.is_manager

    @property
    def can_manage_people(self) -> bool:
        return self.is_manager

    @property
    def can_edit_plan(self) -> bool:
        return self.is_manager

    @property
    def can_create_tasks(self) -> bool:
        return self.is_staff or self.is_client_lead

    def can_assign_to(self, owner_role: str | None, owner=None) -> bool:
        """Manager and team assign to any member; a client lead only to people of their own company."""
        if owner_role is None:
            return False
        if self.is_staff:
            return True
        if self.is_client_lead:
            return owner_role in CLIENT_ROLES and getattr(owner, "organisation_id", None) == getattr(
                self.user, "organisation_id", None
            )
        return False

    def can_report_on(self, task: Task) -> bool:
        if self.is_manager:
            return True
        if self.role == Role.TEAM:
            return task.owner_id == self.user.pk
        if self.is_client_lead:
            return task.side == TaskSide.CLIENT and _same_company(task.owner, self.user)
        if self.role == Role.CLIENT:
            return task.owner_id == self.user.pk
        return False

    def can_edit_task(self, task: Task) -> bool:
        if self.is_staff:
            return True
        return self.is_client_lead and task.side == TaskSide.CLIENT and _same_company(task.owner, self.user)

    @property
    def can_manage_meetings(self) -> bool:
        return self.is_staff

    @property
    def can_record_decisions(self) -> bool:
        return self.is_manager

    @property
    def can_propose_decisions(self) -> bool:
        return self.is_staff

    def can_respond_to(self, decision) -> bool:
        """Client leads always; plain clients only when the decision asks them (consulted or approval)."""
        if decision.internal:
            return False
        if self.is_client_lead:
            return True
        return self.role == Role.CLIENT and decision.involvement != "informed"

    @property
    def can_sign_off_plan(self) -> bool:
        return self.is_client_lead

    @property
    def can_raise_risks(self) -> bool:
        return True

    def can_edit_risk(self, risk: Risk) -> bool:
        return self.is_staff or risk.raised_by_id == self.user.pk


def _same_company(owner, user) -> bool:
    return owner is not None and owner.organisation_id is not None and owner.organisation_id == user.organisation_id


def _require_active(user) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404


def _effective_role(user, role: str | None) -> str:
    """The member's role; a superuser outside the project acts as its manager; anybody else gets 404."""
    if role is not None:
        return role
    if user.is_superuser:
        return Role.MANAGER
    raise Http404


def _role_for(user, project: Project) -> str:
    _require_active(user)
    role = next(iter(Membership.objects.filter(project=project, user=user).order_by().values_list("role", flat=True)[:1]), None)
    return _effective_role(user, role)


def require(allowed: bool, message: str | None = None) -> None:
    """Raise PermissionDenied unless `allowed` — for a member whose role is too low."""
    if not allowed:
        raise PermissionDenied(message or _("Your role in this project does not allow this."))


def project_access(*, user, slug: str | None = None, project_id: int | None = None, project: Project | None = None) -> ProjectAccess:
    if project is None:
        _require_active(user)
        # The project and the person's role in it in one query (every project page and API call starts here).
        lookup = {"slug": slug} if slug is not None else {"pk": project_id}
        # order_by(): Membership's and Project's default orderings would add joins and sorts to a one-row lookup.
        role = Membership.objects.filter(project=OuterRef("pk"), user=user).order_by().values("role")[:1]
        rows = Project.objects.select_related("client", "manager").annotate(_my_role=Subquery(role)).filter(**lookup)
        project = next(iter(rows.order_by()[:1]), None)
        if project is None:
            raise Http404
        if project._my_role is not None:
            return ProjectAccess(project=project, user=user, role=project._my_role)
    return ProjectAccess(project=project, user=user, role=_role_for(user, project))


def _visible(access: ProjectAccess, obj) -> None:
    if getattr(obj, "internal", False) and not access.can_see_internal:
        raise Http404


def require_can_mark_internal(access: ProjectAccess, internal: bool) -> None:
    """Only people who may see internal items may make one (or keep one) internal."""
    if internal and not access.can_see_internal:
        raise PermissionDenied(_("Only the team can mark items internal."))


def task_access(*, user, task_id: int, slug: str) -> tuple[Task, ProjectAccess]:
    """The task of the project `slug`, with its owner, project, client and manager and the person's role in one
    query (every task page, the task API and the report POST start here)."""
    _require_active(user)
    role = Membership.objects.filter(project=OuterRef("project"), user=user).order_by().values("role")[:1]
    tasks = Task.objects.select_related("owner", "project__client", "project__manager").annotate(_my_role=Subquery(role))
    try:
        task = tasks.filter(project__slug=slug, pk=task_id).order_by().first()
    except (TypeError, ValueError):
        raise Http404 from None
    if task is None:
        raise Http404
    access = ProjectAccess(project=task.project, user=user, role=_effective_role(user, task._my_role))
    _visible(access, task)
    return task, access


def risk_access(*, user, risk_id: int, project: Project | None = None) -> tuple[Risk, ProjectAccess]:
    qs = Risk.objects.select_related("project", "owner", "raised_by")
    if project is not None:
        qs = qs.filter(project=project)
    risk = qs.filter(pk=risk_id).first()
    if risk is None:
        raise Http404
    access = project_access(user=user, project=risk.project)
    _visible(access, risk)
    return risk, access


def membership_access(*, user, membership_id: int, project: Project | None = None) -> tuple[Membership, ProjectAccess]:
    qs = Membership.objects.select_related("project", "user")
    if project is not None:
        qs = qs.filter(project=project)
    membership = qs.filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    return membership, project_access(user=user, project=membership.project)


def object_access(*, user, model, pk, project: Project | None = None, related=()) -> tuple[object, ProjectAccess]:
    """Generic access for any project-owned model with a `project` FK and an optional `internal` flag."""
    qs = model.objects.select_related("project", *related)
    if project is not None:
        qs = qs.filter(project=project)
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    access = project_access(user=user, project=obj.project)
    _visible(access, obj)
    return obj, access


def my_tasks_access(*, user) -> None:
    """"My tasks" is for the team and managers: client people have "my work" instead (404, as for a missing page)."""
    if not getattr(user, "is_authenticated", False) or user.is_client:
        raise Http404
    _require_active(user)


def saved_filter_access(*, user, filter_id: int) -> SavedTaskFilter:
    """One of the person's own saved filters; anybody else's is missing (404)."""
    my_tasks_access(user=user)
    saved = SavedTaskFilter.objects.filter(pk=filter_id, user=user).first()
    if saved is None:
        raise Http404
    return saved
