"""Absences: a person's own (in preferences), the manager's team page with the project's quiet periods."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from engagement.forms_absences import AbsenceForm, QuietPeriodForm, TeamAbsenceForm
from engagement.models import QuietPeriod
from engagement.permissions import absence_access
from engagement.selectors.absences import team_absences
from engagement.services.absences import (
    absence_create,
    absence_delete,
    quiet_period_create,
    quiet_period_delete,
)
from engagement.views.preferences import render_preferences
from projects.permissions import project_access, require
from projects.views.common import invalid_status, render_tab, run_action, run_service


@login_required
@require_POST
def absence_add(request):
    """Declare one's own absence from the preferences page."""
    form = AbsenceForm(request.POST)
    if form.is_valid():
        made = run_service(request, form, lambda: absence_create(actor=request.user, user=request.user, **form.cleaned_data))
        if made is not None:
            messages.success(request, _("Your absence is saved."))
            return redirect("accounts:preferences")
    return render_preferences(request, absence_form=form, status=400)


@login_required
@require_POST
def absence_remove(request, pk):
    absence = absence_access(user=request.user, absence_id=pk)
    if absence.user_id != request.user.pk:
        raise Http404
    run_action(request, lambda: absence_delete(actor=request.user, absence=absence), _("Absence removed."))
    return redirect("accounts:preferences")


def _manager_access(request, slug):
    access = project_access(user=request.user, slug=slug)
    require(access.is_manager)
    return access


def _team_page(request, access, *, absence_form=None, quiet_form=None, status=200):
    context = {
        "absences": team_absences(project=access.project),
        "quiet_periods": QuietPeriod.objects.filter(project=access.project).order_by("-starts_on"),
        "absence_form": absence_form or TeamAbsenceForm(project=access.project),
        "quiet_form": quiet_form or QuietPeriodForm(),
    }
    return render_tab(request, access, "people", "engagement/absences.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team_absences_page(request, slug):
    """The manager's page: the team's absences (enter one for a member) and the project's quiet periods."""
    access = _manager_access(request, slug)
    if request.method == "GET":
        return _team_page(request, access)
    form = TeamAbsenceForm(request.POST, project=access.project)
    if form.is_valid():
        data = dict(form.cleaned_data)
        person = data.pop("person")
        made = run_service(request, form, lambda: absence_create(actor=request.user, user=person, **data))
        if made is not None:
            messages.success(request, _("The absence of %(person)s is saved.") % {"person": person})
            return redirect("engagement:absences", slug=slug)
    return _team_page(request, access, absence_form=form, status=invalid_status(request))


@login_required
@require_POST
def team_absence_remove(request, slug, pk):
    access = _manager_access(request, slug)
    absence = absence_access(user=request.user, absence_id=pk)
    if not access.project.memberships.filter(user_id=absence.user_id).exists():
        raise Http404
    run_action(request, lambda: absence_delete(actor=request.user, absence=absence), _("Absence removed."))
    return redirect("engagement:absences", slug=slug)


@login_required
@require_POST
def quiet_period_add(request, slug):
    access = _manager_access(request, slug)
    form = QuietPeriodForm(request.POST)
    if form.is_valid():
        made = run_service(request, form, lambda: quiet_period_create(actor=request.user, project=access.project, **form.cleaned_data))
        if made is not None:
            messages.success(request, _("Quiet period saved."))
            return redirect("engagement:absences", slug=slug)
    return _team_page(request, access, quiet_form=form, status=invalid_status(request))


@login_required
@require_POST
def quiet_period_remove(request, slug, pk):
    access = _manager_access(request, slug)
    period = QuietPeriod.objects.filter(project=access.project, pk=pk).first()
    if period is None:
        raise Http404
    run_action(request, lambda: quiet_period_delete(actor=request.user, period=period), _("Quiet period removed."))
    return redirect("engagement:absences", slug=slug)
