"""Project create/edit, the Overview tab and the Activity tab."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from projects.forms import ActivityFilterForm, ProjectEditForm, ProjectForm
from projects.permissions import project_access, require
from projects.selectors.activity import activity_kinds, activity_page, activity_people, activity_recent
from projects.selectors.core import ledger
from projects.services.projects import project_create, project_update
from projects.views.common import invalid_status, render_tab, run_service

RECENT_ACTIVITY = 8


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request):
    if request.user.is_client:
        raise PermissionDenied
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = run_service(request, form, lambda: project_create(actor=request.user, **form.cleaned_data))
        if project is not None:
            return redirect("projects:overview", slug=project.slug)
    status = invalid_status(request) if form.errors else 200
    return render(request, "projects/project_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, slug):
    access = project_access(user=request.user, slug=slug)
    require(access.can_edit_project)
    project = access.project
    initial = {name: getattr(project, name) for name in ("name", "description", "start_date", "target_launch", "status")}
    form = ProjectEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in form.cleaned_data.items() if initial.get(k) != v}
        if run_service(request, form, lambda: project_update(actor=request.user, project=project, **changed)) is not None:
            return redirect("projects:overview", slug=project.slug)
    status = invalid_status(request) if form.errors else 200
    return render_tab(request, access, "overview", "projects/project_edit.html", {"form": form}, status=status)


@login_required
def overview(request, slug):
    access = project_access(user=request.user, slug=slug)
    recent = activity_recent(access, limit=RECENT_ACTIVITY) if access.can_see_internal else []
    return render_tab(request, access, "overview", "projects/overview.html", {"ledger": ledger(access), "recent": recent})


@login_required
def activity(request, slug):
    access = project_access(user=request.user, slug=slug)
    require(access.can_see_internal)
    form = ActivityFilterForm(request.GET or None, people=activity_people(access), kinds=activity_kinds())
    filters = form.cleaned_data if form.is_valid() else {}
    person = filters.get("person")
    feed = activity_page(access, kind=filters.get("kind", ""), person=person.pk if person else None, page=request.GET.get("page", 1))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"feed": feed, "form": form, "query": query.urlencode(), "filtered": bool(filters.get("kind") or person)}
    return render_tab(request, access, "activity", "projects/activity.html", context)
