"""Report progress on a task: GET shows the form and the task's history, POST submits (htmx-aware)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.core.exceptions import ApplicationError
from projects.forms_client import ReportForm
from projects.permissions import task_access
from projects.selectors.report import report_page
from projects.services.reports import report_submit


@login_required
@require_http_methods(["GET", "POST"])
def task_report(request, slug: str, pk: int):
    task, access = task_access(user=request.user, task_id=pk, slug=slug)
    may_report = access.can_report_on(task)
    if request.method == "POST":
        form = ReportForm(request.POST, task=task)
        status = _submit(request, form, task, access)
        if status is None and not request.htmx:
            messages.success(request, _("Thank you — your report on “%(task)s” is saved.") % {"task": task.title})
            # Post/Redirect/Get back to this page: its address as requested (redirect() would first try it as a URL name)
            return HttpResponseRedirect(request.path)
        if status is None:
            task.refresh_from_db()
            form = ReportForm(task=task)
    else:
        form = ReportForm(task=task)
        status = 200
    context = {"form": form, "may_report": may_report, "saved": status is None, **report_page(task=task, access=access)}
    template = "projects/_report_form.html" if request.htmx else "projects/report.html"
    return TemplateResponse(request, template, context, status=status or 200)


def _submit(request, form: ReportForm, task, access) -> int | None:
    """Validate and store the report; None when stored, else the HTTP status to answer with (input kept)."""
    if not access.can_report_on(task):
        form.is_valid()
        form.add_error(None, _("You can report only on your own tasks (a client lead: on your company's tasks)."))
        return 403
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    try:
        report_submit(
            actor=request.user,
            task=task,
            percent=data["percent"],
            state=data["state"],
            note=data["note"],
            blockers=data["blockers"],
            access=access,
        )
    except PermissionDenied as error:
        form.add_error(None, str(error) or _("You may not report on this task."))
        return 403
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return 400
    except ApplicationError as error:
        form.add_error(None, error.message)
        return 409 if error.status_code == 409 else 400
    return None
