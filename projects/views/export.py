"""A staff-only CSV export of a project's tasks (all, or those the tasks page shows with its filters), safe to open
in a spreadsheet."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from projects.forms import TaskFilterForm
from projects.permissions import project_access, require
from projects.selectors.core import task_list_for_project

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Google Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value) -> str:
    """The value as text; a leading formula character is neutralised with an apostrophe (OWASP)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


@login_required
@require_GET
def tasks_csv(request, slug):
    access = project_access(user=request.user, slug=slug)
    require(access.can_see_internal)
    # With the tasks page's query, the page's filters; with none, every task of the project.
    filters = {}
    if request.GET:
        form = TaskFilterForm(request.GET, access=access)
        filters = form.task_filters(board=request.GET.get("view") == "board")
    return tasks_csv_response(task_list_for_project(access, **filters), filename=f"{access.project.slug}-tasks.csv")


def tasks_csv_response(tasks, *, filename: str, with_project: bool = False) -> HttpResponse:
    """The tasks as a CSV download (a byte-order mark first, so spreadsheets read it as UTF-8); `with_project` adds
    each task's project after the ID (for a list across projects, whose tasks carry their project)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    project_column = [_("Project")] if with_project else []
    writer.writerow(
        [
            _("ID"),
            *project_column,
            _("Title"),
            _("Status"),
            _("Side"),
            _("Owner"),
            _("Due"),
            _("Priority"),
            _("Internal"),
            _("Description"),
        ]
    )
    for task in tasks:
        project = [task.project.name] if with_project else []
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    task.pk,
                    *project,
                    task.title,
                    task.get_status_display(),
                    task.get_side_display(),
                    task.owner.full_name if task.owner_id else "",
                    task.due_date.isoformat() if task.due_date else "",
                    task.get_priority_display(),
                    _("yes") if task.internal else _("no"),
                    task.description,
                )
            ]
        )
    return response
