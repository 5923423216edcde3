"""The Tasks tab: table and board, inline create / edit / assign (htmx), the task page with its report history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from projects.forms import ReasonForm, TaskAssignForm, TaskEditForm, TaskFilterForm, TaskForm
from projects.models import TaskStatus
from projects.permissions import project_access, require, task_access
from projects.selectors.core import report_history, task_list_for_project
from projects.services.tasks import task_assign, task_cancel, task_complete, task_create, task_update
from projects.views.common import invalid_status, render_tab, run_action, run_service

EDIT_FIELDS = ("title", "start_date", "due_date", "priority", "report_cadence_days", "description", "internal")
BOARD_COLUMNS = (TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.DONE)


@login_required
def task_list(request, slug):
    access = project_access(user=request.user, slug=slug)
    form = TaskFilterForm(request.GET or None, access=access)
    board = request.GET.get("view") == "board"
    tasks = list(task_list_for_project(access, **form.task_filters(board=board)))
    for task in tasks:
        task.can_edit = access.can_edit_task(task)
    columns = [(status, [t for t in tasks if t.status == status]) for status in BOARD_COLUMNS] if board else []
    return render_tab(
        request,
        access,
        "tasks",
        "projects/tasks.html",
        {
            "filter_form": form,
            "tasks": tasks,
            "board": board,
            "columns": columns,
            # The export carries the filters shown (and the view, whose default status differs).
            "export_query": request.GET.urlencode() or "view=list",
            "create_form": TaskForm(access=access) if access.can_create_tasks else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request, slug):
    access = project_access(user=request.user, slug=slug)
    require(access.can_create_tasks)
    form = TaskForm(request.POST or None, access=access)
    if request.method == "POST" and form.is_valid():
        task = run_service(request, form, lambda: task_create(actor=request.user, project=access.project, **form.cleaned_data))
        if task is not None:
            messages.success(request, _("Task “%(title)s” created.") % {"title": task.title})
            if request.htmx:
                return HttpResponseClientRedirect(request.POST.get("next") or _tasks_url(access))
            return redirect("projects:task", slug=slug, pk=task.pk)
    template = "projects/_task_form.html" if request.htmx else "projects/task_new.html"
    status = invalid_status(request) if form.errors else 200
    return render_tab(request, access, "tasks", template, {"form": form}, status=status)


def _row(request, access, task):
    task.can_edit = access.can_edit_task(task)
    return render(request, "projects/_task_row.html", {"task": task, "access": access, "project": access.project})


def _tasks_url(access) -> str:
    return reverse("projects:tasks", kwargs={"slug": access.project.slug})


@login_required
def task_detail(request, slug, pk):
    task, access = task_access(user=request.user, task_id=pk, slug=slug)
    context = {
        "task": task,
        "reports": report_history(task),
        "can_edit": access.can_edit_task(task),
        "can_report": access.can_report_on(task) and task.is_open,
        "assign_form": TaskAssignForm(access=access, initial={"owner": task.owner_id}),
        "cancel_form": ReasonForm(),
    }
    return render_tab(request, access, "tasks", "projects/task_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, slug, pk):
    task, access = task_access(user=request.user, task_id=pk, slug=slug)
    require(access.can_edit_task(task))
    initial = {name: getattr(task, name) for name in EDIT_FIELDS}
    form = TaskEditForm(request.POST or None, access=access, initial={**initial, "version": task.version})
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in form.cleaned_data.items() if k in initial and initial[k] != v}
        version = form.cleaned_data["version"]
        updated = run_service(
            request, form, lambda: task_update(actor=request.user, task=task, expected_version=version, **changed)
        )
        if updated is not None:
            if request.htmx:
                return _row(request, access, updated)
            messages.success(request, _("Task saved."))
            return redirect("projects:task", slug=slug, pk=pk)
    template = "projects/_task_edit_row.html" if request.htmx else "projects/task_edit.html"
    status = invalid_status(request) if form.errors else 200
    assign_form = TaskAssignForm(access=access, initial={"owner": task.owner_id}, auto_id=f"assign-{task.pk}-%s")
    return render_tab(request, access, "tasks", template, {"form": form, "task": task, "assign_form": assign_form}, status=status)


@login_required
@require_POST
def task_assign_view(request, slug, pk):
    task, access = task_access(user=request.user, task_id=pk, slug=slug)
    require(access.can_edit_task(task))
    form = TaskAssignForm(request.POST, access=access)
    if form.is_valid():
        updated = run_service(request, form, lambda: task_assign(actor=request.user, task=task, owner=form.cleaned_data["owner"]))
        if updated is not None:
            if request.htmx:
                return _row(request, access, updated)
            messages.success(request, _("Task given to %(name)s.") % {"name": updated.owner.display_name})
            return redirect("projects:task", slug=slug, pk=pk)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect("projects:task", slug=slug, pk=pk)


@login_required
@require_POST
def task_close(request, slug, pk, action):
    task, access = task_access(user=request.user, task_id=pk, slug=slug)
    if action == "complete":
        require(access.can_edit_task(task) or access.can_report_on(task))
        run_action(request, lambda: task_complete(actor=request.user, task=task), _("Task marked done."))
    else:
        require(access.can_edit_task(task))
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        run_action(request, lambda: task_cancel(actor=request.user, task=task, reason=reason), _("Task cancelled."))
    return redirect("projects:task", slug=slug, pk=pk)


