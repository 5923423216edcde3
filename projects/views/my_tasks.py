""""My tasks": a team member's or manager's tasks across their projects, with saved filters and the CSV export."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from projects.forms import MyTaskFilterForm, SavedFilterForm
from projects.permissions import my_tasks_access, saved_filter_access
from projects.selectors.my_tasks import my_task_people, my_task_projects, my_tasks, saved_task_filters
from projects.services.saved_filters import saved_filter_create, saved_filter_delete, saved_filter_update
from projects.views.export import tasks_csv_response

PAGE_SIZE = 25


def filter_form(user, data) -> MyTaskFilterForm:
    """The filters as asked, without the parts no longer valid (a project the person has left, a person gone)."""
    form = MyTaskFilterForm(data, projects=my_task_projects(user), people=my_task_people(user))
    if form.is_bound and not form.is_valid():
        form = MyTaskFilterForm(form.valid_query(), projects=my_task_projects(user), people=my_task_people(user))
    return form


def as_query(filters: dict) -> str:
    """A saved filter as the page's query, in the form's field order (PostgreSQL's jsonb keeps no key order)."""
    return urlencode([(name, filters[name]) for name in MyTaskFilterForm.field_order if name in filters])


def _page(request, *, data=None, save_form=None, edit_forms=None, status=200):
    saved = list(saved_task_filters(request.user))
    if data is None:
        default = next((item for item in saved if item.is_default), None)
        data = request.GET or (default.filters if default else None)
    form = filter_form(request.user, data)
    query = form.valid_query()
    paginator = Paginator(my_tasks(request.user, **form.task_filters()), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    edit_forms = edit_forms or {}
    for item in saved:
        item.query = as_query(item.filters)
        item.current = item.filters == query
        item.form = edit_forms.get(item.pk) or SavedFilterForm(
            initial={"name": item.name, "is_default": item.is_default}, auto_id=f"saved-{item.pk}-%s"
        )
    context = {
        "filter_form": form,
        "tasks": page.object_list,
        "page": page,
        "query": urlencode(query),
        "saved_filters": saved,
        "save_form": save_form or SavedFilterForm(initial={"query": urlencode(query)}),
        "show_project": True,
    }
    return render(request, "projects/my_tasks.html", context, status=status)


@login_required
@require_GET
def my_task_list(request):
    my_tasks_access(user=request.user)
    return _page(request)


def _back(query: str = ""):
    url = reverse("projects:my-tasks")
    return redirect(f"{url}?{query}" if query else f"{url}?status=")


@login_required
@require_POST
def saved_filter_new(request):
    my_tasks_access(user=request.user)
    form = SavedFilterForm(request.POST)
    form.is_valid()
    query = QueryDict(form.cleaned_data.get("query", ""))
    filters = filter_form(request.user, query).valid_query()
    try:
        saved = saved_filter_create(
            actor=request.user, name=form.cleaned_data.get("name", ""), filters=filters,
            is_default=form.cleaned_data.get("is_default", False),
        )
    except ValidationError as error:
        form.add_service_error(error)
        return _page(request, data=query, save_form=form, status=400)
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
    return _back(as_query(saved.filters))


@login_required
@require_POST
def saved_filter_edit(request, pk):
    saved = saved_filter_access(user=request.user, filter_id=pk)
    form = SavedFilterForm(request.POST, auto_id=f"saved-{saved.pk}-%s")
    form.is_valid()
    try:
        saved_filter_update(
            actor=request.user, saved=saved, name=form.cleaned_data.get("name", ""),
            is_default=form.cleaned_data.get("is_default", False),
        )
    except ValidationError as error:
        form.add_service_error(error)
        return _page(request, data=QueryDict(as_query(saved.filters)), edit_forms={saved.pk: form}, status=400)
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
    return _back(as_query(saved.filters))


@login_required
@require_POST
def saved_filter_remove(request, pk):
    saved = saved_filter_access(user=request.user, filter_id=pk)
    saved_filter_delete(actor=request.user, saved=saved)
    messages.success(request, _("Filter “%(name)s” deleted.") % {"name": saved.name})
    return _back()


@login_required
@require_GET
def my_tasks_csv(request):
    my_tasks_access(user=request.user)
    form = filter_form(request.user, request.GET or None)
    return tasks_csv_response(my_tasks(request.user, **form.task_filters()), filename="my-tasks.csv", with_project=True)
