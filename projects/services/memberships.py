"""Membership add / change / remove. Only managers manage people; a project always keeps one manager."""

from __future__ import annotations

from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from projects import notifications
from projects.models import CLIENT_ROLES, STAFF_ROLES, Membership, Project, Role
from projects.permissions import project_access, require
from projects.services.audit import audit_record


def check_role_fits(*, project: Project, user: User, role: str) -> None:
    """Client roles need a client person of the project's client company; staff roles need staff."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role in CLIENT_ROLES:
        if user.kind != User.Kind.CLIENT or user.organisation_id != project.client_id:
            raise ValidationError({"role": _("A client role needs a person of the project's client company.")})
    elif role in STAFF_ROLES and user.kind != User.Kind.STAFF:
        raise ValidationError({"role": _("A team role needs a staff person.")})


def _other_managers(membership: Membership) -> bool:
    return (
        Membership.objects.filter(project_id=membership.project_id, role=Role.MANAGER).exclude(pk=membership.pk).exists()
    )


def _hand_over_manager(membership: Membership) -> None:
    """Keep `Project.manager` pointing at a manager member when the named one steps down."""
    project = membership.project
    if project.manager_id != membership.user_id:
        return
    successor = (
        Membership.objects.filter(project=project, role=Role.MANAGER).exclude(pk=membership.pk).order_by("created_at").first()
    )
    project.manager_id = successor.user_id
    project.save(update_fields=["manager", "updated_at"])


def membership_create_unchecked(*, actor: User | None, project: Project, user: User, role: str, notify: bool) -> Membership:
    """Create the row, audit it and (optionally) tell the person. Callers have checked the actor's rights."""
    check_role_fits(project=project, user=user, role=role)
    if Membership.objects.filter(project=project, user=user).exists():
        raise ApplicationError(_("This person is already a member of the project."), code="already_member")
    membership = Membership(project=project, user=user, role=role)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action="membership.add",
        obj=membership,
        project=project,
        changes={"user": {"old": None, "new": user.pk}, "role": {"old": None, "new": role}},
    )
    if notify:
        transaction.on_commit(partial(notifications.membership_added_notify, membership.pk))
    return membership


@transaction.atomic
def membership_add(*, actor: User, project: Project, user: User, role: str) -> Membership:
    access = project_access(user=actor, project=project)
    require(access.can_manage_people)
    return membership_create_unchecked(actor=actor, project=project, user=user, role=role, notify=True)


@transaction.atomic
def membership_change(*, actor: User, membership: Membership, role: str) -> Membership:
    access = project_access(user=actor, project=membership.project)
    require(access.can_manage_people)
    membership = Membership.objects.select_for_update().select_related("project", "user").get(pk=membership.pk)
    check_role_fits(project=membership.project, user=membership.user, role=role)
    if membership.role == role:
        return membership
    if membership.role == Role.MANAGER and not _other_managers(membership):
        raise ApplicationError(_("A project needs at least one manager."), code="last_manager")
    old = membership.role
    membership.role = role
    membership.full_clean()
    membership.save()
    if old == Role.MANAGER:
        _hand_over_manager(membership)
    audit_record(
        actor=actor, action="membership.change", obj=membership, changes={"role": {"old": old, "new": role}}
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    access = project_access(user=actor, project=membership.project)
    require(access.can_manage_people)
    membership = Membership.objects.select_for_update().select_related("project", "user").get(pk=membership.pk)
    if membership.role == Role.MANAGER and not _other_managers(membership):
        raise ApplicationError(_("A project needs at least one manager."), code="last_manager")
    if membership.role == Role.MANAGER:
        _hand_over_manager(membership)
    audit_record(
        actor=actor,
        action="membership.remove",
        obj=membership,
        changes={"user": {"old": membership.user_id, "new": None}, "role": {"old": membership.role, "new": None}},
    )
    membership.delete()
