"""The Plan tab: the plan as a document, the manager's editor, stakeholders, checklist, sign-off request, print view."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from engagement.forms import PlanCompareForm, PlanForm, StakeholderForm
from engagement.models import Stakeholder
from engagement.permissions import plan_access, plan_history_access, stakeholder_access
from engagement.selectors.plan_history import plan_changes_since_sign_off, plan_diff, plan_versions, version_document
from engagement.selectors.unreachable import unreachable_contacts
from engagement.services.plan import (
    plan_completeness,
    plan_get_or_create,
    plan_request_sign_off,
    plan_update,
    stakeholder_add,
    stakeholder_remove,
    stakeholder_update,
)
from engagement.services.unreachable import unreachable_clear
from projects.permissions import project_access, require
from projects.selectors.people import client_people
from projects.views.common import invalid_status, render_tab, run_action, run_service


def _stakeholders(plan):
    if not plan.pk:
        return []
    return list(Stakeholder.objects.filter(plan=plan).select_related("user", "backup_for", "backup_for__user"))


def _plan_context(plan, access) -> dict:
    stakeholders = _stakeholders(plan)
    return {
        "plan": plan,
        "stakeholders": stakeholders,
        "unreachable": unreachable_contacts(project=access.project, stakeholders=stakeholders) if access.can_edit_plan else [],
        "checklist": plan_completeness(plan),
        "leads": client_people(access.project, leads_only=True) if access.can_edit_plan else [],
        "since_sign_off": plan_changes_since_sign_off(plan),
    }


@login_required
def plan(request, slug):
    plan_obj, access = plan_access(user=request.user, slug=slug)
    context = _plan_context(plan_obj, access)
    if access.can_edit_plan:
        context["stakeholder_form"] = StakeholderForm(project=access.project, plan=plan_obj)
    return render_tab(request, access, "plan", "engagement/plan.html", context)


@login_required
def plan_print(request, slug):
    plan_obj, access = plan_access(user=request.user, slug=slug)
    return render(request, "engagement/plan_print.html", {"project": access.project, "access": access, **_plan_context(plan_obj, access)})


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, slug):
    plan_obj, access = plan_access(user=request.user, slug=slug)
    require(access.can_edit_plan)
    form = PlanForm(request.POST or None, initial=PlanForm.initial_from(plan_obj))
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            lambda: plan_update(
                actor=request.user,
                project=access.project,
                expected_version=form.cleaned_data.get("expected_version"),
                **form.plan_fields(),
            ),
        )
        if saved is not None:
            messages.success(request, _("Plan saved (version %(version)s).") % {"version": saved.version})
            return redirect("engagement:plan", slug=slug)
    status = invalid_status(request) if form.errors else 200
    return render_tab(request, access, "plan", "engagement/plan_edit.html", {"form": form, "plan": plan_obj}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_new(request, slug):
    plan_obj, access = plan_access(user=request.user, slug=slug)
    require(access.can_edit_plan)
    form = StakeholderForm(request.POST or None, project=access.project, plan=plan_obj)
    if request.method == "POST" and form.is_valid():

        def add():
            return stakeholder_add(actor=request.user, plan=plan_get_or_create(project=access.project), **form.stakeholder_fields())

        added = run_service(request, form, add)
        if added is not None:
            messages.success(request, _("%(name)s added to the plan.") % {"name": added.name})
            return redirect("engagement:plan", slug=slug)
    status = invalid_status(request) if form.errors else 200
    return render_tab(
        request, access, "plan", "engagement/stakeholder_form.html", {"form": form, "stakeholder": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request, slug, pk):
    project = project_access(user=request.user, slug=slug).project
    stakeholder, access = stakeholder_access(user=request.user, stakeholder_id=pk, project=project)
    require(access.can_edit_plan)
    form = StakeholderForm(
        request.POST or None,
        project=project,
        plan=stakeholder.plan,
        instance=stakeholder,
        initial=StakeholderForm.initial_from(stakeholder),
    )
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request, form, lambda: stakeholder_update(actor=request.user, stakeholder=stakeholder, **form.stakeholder_fields())
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("engagement:plan", slug=slug)
    status = invalid_status(request) if form.errors else 200
    return render_tab(
        request, access, "plan", "engagement/stakeholder_form.html", {"form": form, "stakeholder": stakeholder}, status=status
    )


@login_required
@require_POST
def stakeholder_delete(request, slug, pk):
    project = project_access(user=request.user, slug=slug).project
    stakeholder, access = stakeholder_access(user=request.user, stakeholder_id=pk, project=project)
    require(access.can_edit_plan)
    run_action(request, lambda: stakeholder_remove(actor=request.user, stakeholder=stakeholder), _("Removed from the plan."))
    return redirect("engagement:plan", slug=slug)


@login_required
@require_POST
def plan_request_signoff(request, slug):
    plan_obj, access = plan_access(user=request.user, slug=slug)
    require(access.can_edit_plan)
    run_action(
        request,
        lambda: plan_request_sign_off(actor=request.user, plan=plan_get_or_create(project=access.project)),
        _("The client leads were asked to sign the plan off."),
    )
    return redirect("engagement:plan", slug=slug)


@login_required
@require_POST
def unreachable_clear_view(request, slug, pk):
    """The manager says the person's address works again (they fixed it): mail to it resumes."""
    plan_obj, access = plan_access(user=request.user, slug=slug)
    require(access.can_edit_plan)
    run_action(
        request,
        lambda: unreachable_clear(actor=request.user, access=access, stakeholders=_stakeholders(plan_obj), suppression_id=pk),
        _("Cleared: e-mail goes to this address again."),
    )
    return redirect("engagement:plan", slug=slug)


def _default_comparison(plan, numbers: list[int]) -> dict:
    """What the history page compares when nothing is chosen: the last signed version with the current one when
    they differ, else the current version with the one before it."""
    if plan.changed_since_sign_off:
        return {"from": plan.signed_off_version, "to": plan.version}
    if len(numbers) >= 2:
        return {"from": numbers[1], "to": numbers[0]}
    return {}


@login_required
def plan_versions_page(request, slug):
    """Every version of the plan, who signed which and when; one version read in full; a difference between two."""
    plan_obj, access = plan_history_access(user=request.user, slug=slug)
    versions = list(plan_versions(plan_obj))
    by_number = {v.version: v for v in versions}
    query = request.GET if request.GET else _default_comparison(plan_obj, list(by_number))
    form = PlanCompareForm(query, versions=list(by_number))
    context = {"plan": plan_obj, "versions": versions, "form": form}
    if form.is_valid():
        data = form.cleaned_data
        if data.get("version") is not None:
            context["shown"] = by_number[data["version"]]
            context["document"] = version_document(context["shown"])
        if data.get("from") is not None:
            old, new = sorted((by_number[data["from"]], by_number[data["to"]]), key=lambda v: v.version)
            context.update(old=old, new=new, sections=plan_diff(old, new))
    status = invalid_status(request) if form.errors else 200
    return render_tab(request, access, "plan", "engagement/plan_versions.html", context, status=status)
