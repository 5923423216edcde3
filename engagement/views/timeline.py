"""The Timeline tab: milestones, tasks and meetings on a time axis; the manager's milestone form."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from engagement.forms_milestones import MilestoneForm
from engagement.permissions import milestone_access
from engagement.selectors.timeline import SCALES, parse_scale, timeline
from engagement.services.milestones import milestone_create, milestone_delete, milestone_update
from projects.permissions import project_access, require
from projects.views.common import invalid_status, render_tab, run_action, run_service

_ROUTES = {"milestone": "engagement:milestone-edit", "task": "projects:task", "meeting": "engagement:meeting"}


def _urls(slug: str, can_edit: bool):
    def url(kind: str, obj) -> str:
        if kind == "milestone" and not can_edit:
            return ""
        return reverse(_ROUTES[kind], kwargs={"slug": slug, "pk": obj.pk})

    return url


def _start(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def timeline_page(request, slug):
    access = project_access(user=request.user, slug=slug)
    scale = parse_scale(request.GET.get("scale"))
    data = timeline(
        access, scale=scale, start=_start(request.GET.get("start")), urls=_urls(slug, access.can_edit_project)
    )
    return render_tab(request, access, "timeline", "engagement/timeline.html", {"timeline": data, "scales": SCALES.values()})


@login_required
@require_http_methods(["GET", "POST"])
def milestone_new(request, slug):
    access = project_access(user=request.user, slug=slug)
    require(access.can_edit_project)
    form = MilestoneForm(request.POST or None, access=access)
    if request.method == "POST" and form.is_valid():
        made = run_service(
            request, form, lambda: milestone_create(actor=request.user, project=access.project, **form.milestone_fields())
        )
        if made is not None:
            messages.success(request, _("Milestone “%(name)s” set.") % {"name": made.name})
            return redirect("engagement:timeline", slug=slug)
    status = invalid_status(request) if form.errors else 200
    return render_tab(request, access, "timeline", "engagement/milestone_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, slug, pk):
    project = project_access(user=request.user, slug=slug).project
    milestone, access = milestone_access(user=request.user, milestone_id=pk, project=project)
    require(access.can_edit_project)
    initial = {
        "name": milestone.name, "date": milestone.date, "description": milestone.description,
        "internal": milestone.internal, "version": milestone.version,
        "tasks": list(milestone.tasks.values_list("pk", flat=True)),
        "decisions": list(milestone.decisions.values_list("pk", flat=True)),
    }
    form = MilestoneForm(request.POST or None, initial=initial, access=access)
    if request.method == "POST" and form.is_valid():
        updated = run_service(
            request, form, lambda: milestone_update(
                actor=request.user, milestone=milestone, expected_version=form.cleaned_data["version"],
                **form.milestone_fields(),
            ),
        )
        if updated is not None:
            messages.success(request, _("Milestone “%(name)s” saved.") % {"name": updated.name})
            return redirect("engagement:timeline", slug=slug)
    status = invalid_status(request) if form.errors else 200
    context = {"form": form, "milestone": milestone}
    return render_tab(request, access, "timeline", "engagement/milestone_form.html", context, status=status)


@login_required
@require_POST
def milestone_remove(request, slug, pk):
    project = project_access(user=request.user, slug=slug).project
    milestone, access = milestone_access(user=request.user, milestone_id=pk, project=project)
    require(access.can_edit_project)
    run_action(request, lambda: milestone_delete(actor=request.user, milestone=milestone), _("Milestone removed."))
    return redirect("engagement:timeline", slug=slug)
