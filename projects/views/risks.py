"""The Risks tab: the log with severity and owner; raise, update, close."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from projects.forms import RiskCloseForm, RiskForm, RiskUpdateForm
from projects.permissions import project_access, require, risk_access
from projects.selectors.core import risk_list_for_project
from projects.services.risks import risk_close, risk_raise, risk_update
from projects.views.common import invalid_status, render_tab, run_service

UPDATE_FIELDS = ("title", "kind", "severity", "owner", "description", "internal", "status")


@login_required
@require_http_methods(["GET", "POST"])
def risk_list(request, slug):
    access = project_access(user=request.user, slug=slug)
    form = RiskForm(request.POST or None, access=access)
    if request.method == "POST":
        require(access.can_raise_risks)
        if form.is_valid():
            risk = run_service(request, form, lambda: risk_raise(actor=request.user, project=access.project, **form.cleaned_data))
            if risk is not None:
                messages.success(request, _("“%(title)s” added to the log.") % {"title": risk.title})
                return redirect("projects:risks", slug=slug)
    risks = risk_list_for_project(access)
    status = invalid_status(request) if form.errors else 200
    return render_tab(
        request, access, "risks", "projects/risks.html", {"risks": risks, "form": form, "open_form": bool(form.errors)}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request, slug, pk):
    risk, access = risk_access(user=request.user, risk_id=pk, project=project_access(user=request.user, slug=slug).project)
    require(access.can_edit_risk(risk))
    initial = {name: getattr(risk, name) for name in UPDATE_FIELDS}
    form = RiskUpdateForm(request.POST or None, access=access, initial={**initial, "version": risk.version})
    close_form = RiskCloseForm()
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in form.cleaned_data.items() if k in initial and initial[k] != v}
        version = form.cleaned_data["version"]
        saved = run_service(
            request, form, lambda: risk_update(actor=request.user, risk=risk, expected_version=version, **changed)
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("projects:risks", slug=slug)
    status = invalid_status(request) if form.errors else 200
    return render_tab(
        request, access, "risks", "projects/risk_edit.html", {"risk": risk, "form": form, "close_form": close_form}, status=status
    )


@login_required
@require_POST
def risk_close_view(request, slug, pk):
    risk, access = risk_access(user=request.user, risk_id=pk, project=project_access(user=request.user, slug=slug).project)
    require(access.can_edit_risk(risk))
    close_form = RiskCloseForm(request.POST)
    if close_form.is_valid():
        closed = run_service(request, close_form, lambda: risk_close(actor=request.user, risk=risk, **close_form.cleaned_data))
        if closed is not None:
            messages.success(request, _("Closed."))
            return redirect("projects:risks", slug=slug)
    form = RiskUpdateForm(access=access, initial={**{name: getattr(risk, name) for name in UPDATE_FIELDS}, "version": risk.version})
    return render_tab(
        request, access, "risks", "projects/risk_edit.html", {"risk": risk, "form": form, "close_form": close_form},
        status=invalid_status(request),
    )
