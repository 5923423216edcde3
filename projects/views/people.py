"""The People tab: members and roles, invitations (invite, resend, revoke)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from projects.forms import InviteForm, MembershipRoleForm
from projects.models import Invitation
from projects.permissions import membership_access, project_access, require
from projects.selectors.people import project_people
from projects.services.invitations import invitation_create, invitation_resend, invitation_revoke
from projects.services.memberships import membership_change, membership_remove
from projects.views.common import invalid_status, render_tab, run_action, run_service


@login_required
@require_http_methods(["GET", "POST"])
def people(request, slug):
    access = project_access(user=request.user, slug=slug)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        require(access.can_manage_people)
        if form.is_valid():
            invitation = run_service(
                request, form, lambda: invitation_create(actor=request.user, project=access.project, **form.cleaned_data)
            )
            if invitation is not None:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return redirect("projects:people", slug=slug)
    members, invitations = project_people(access)
    status = invalid_status(request) if form.errors else 200
    return render_tab(
        request,
        access,
        "people",
        "projects/people.html",
        {"members": members, "invitations": invitations, "form": form, "role_form": MembershipRoleForm()},
        status=status,
    )


def _invitation(access, pk) -> Invitation:
    invitation = Invitation.objects.filter(project=access.project, pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


@login_required
@require_POST
def invitation_action(request, slug, pk, action):
    access = project_access(user=request.user, slug=slug)
    require(access.can_manage_people)
    invitation = _invitation(access, pk)
    if action == "resend":
        run_action(request, lambda: invitation_resend(actor=request.user, invitation=invitation), _("Invitation sent again."))
    else:
        run_action(request, lambda: invitation_revoke(actor=request.user, invitation=invitation), _("Invitation revoked."))
    return redirect("projects:people", slug=slug)


@login_required
@require_POST
def membership_action(request, slug, pk, action):
    project = project_access(user=request.user, slug=slug).project
    membership, access = membership_access(user=request.user, membership_id=pk, project=project)
    require(access.can_manage_people)
    if action == "remove":
        run_action(request, lambda: membership_remove(actor=request.user, membership=membership), _("Removed from the project."))
    else:
        form = MembershipRoleForm(request.POST)
        if form.is_valid():
            run_action(
                request,
                lambda: membership_change(actor=request.user, membership=membership, role=form.cleaned_data["role"]),
                _("Role changed."),
            )
    return redirect("projects:people", slug=slug)
