"""The Decisions tab: the log with filters, record / propose, the decision page, approve / reject, supersede."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from engagement.forms import DecisionFilterForm, DecisionForm, SupersedeForm
from engagement.permissions import decision_access
from engagement.selectors.core import decision_list_for_project, decision_page
from engagement.services.decisions import (
    decision_approve,
    decision_propose,
    decision_record,
    decision_reject,
    decision_supersede,
)
from projects.permissions import project_access, require
from projects.selectors.people import client_people
from projects.views.common import invalid_status, render_tab, run_action, run_service

LIST_LIMIT = 100


@login_required
def decisions(request, slug):
    access = project_access(user=request.user, slug=slug)
    form = DecisionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = decision_list_for_project(
        access, status=filters.get("status") or None, involvement=filters.get("involvement") or None
    )
    if filters.get("impact"):
        rows = rows.filter(impact=filters["impact"])
    return render_tab(
        request, access, "decisions", "engagement/decisions.html", {"decisions": rows[:LIST_LIMIT], "filter_form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_new(request, slug):
    access = project_access(user=request.user, slug=slug)
    require(access.can_propose_decisions)
    form = DecisionForm(request.POST or None, access=access)
    context = {"form": form, "asked": client_people(access.project), "leads": client_people(access.project, leads_only=True)}
    editing = "edit" in request.POST
    if request.method == "POST" and form.is_valid() and not editing:
        if form.asks_client() and "confirmed" not in request.POST:
            # A client-visible request: show what is sent and to whom before anything is recorded.
            return render_tab(request, access, "decisions", "engagement/decision_confirm.html", context)
        service = decision_record if access.can_record_decisions else decision_propose
        made = run_service(
            request, form, lambda: service(actor=request.user, project=access.project, **form.decision_fields())
        )
        if made is not None:
            messages.success(request, _("Decision “%(title)s” logged.") % {"title": made.title})
            return redirect("engagement:decision", slug=slug, pk=made.pk)
    status = invalid_status(request) if form.errors else 200
    return render_tab(request, access, "decisions", "engagement/decision_form.html", context, status=status)


def _decision(request, slug, pk):
    project = project_access(user=request.user, slug=slug).project
    return decision_access(user=request.user, decision_id=pk, project=project)


@login_required
def decision_detail(request, slug, pk):
    decision, access = _decision(request, slug, pk)
    context = {
        **decision_page(decision, access),
        "supersede_form": SupersedeForm(decision=decision) if access.can_record_decisions else None,
    }
    return render_tab(request, access, "decisions", "engagement/decision_detail.html", context)


@login_required
@require_POST
def decision_status(request, slug, pk, action):
    decision, access = _decision(request, slug, pk)
    require(access.can_record_decisions)
    if action == "approve":
        run_action(request, lambda: decision_approve(actor=request.user, decision=decision), _("Decision approved."))
    else:
        run_action(request, lambda: decision_reject(actor=request.user, decision=decision), _("Decision rejected."))
    return redirect("engagement:decision", slug=slug, pk=pk)


@login_required
@require_POST
def decision_supersede_view(request, slug, pk):
    decision, access = _decision(request, slug, pk)
    require(access.can_record_decisions)
    form = SupersedeForm(request.POST, decision=decision)
    if form.is_valid():
        run_action(
            request,
            lambda: decision_supersede(actor=request.user, decision=decision, successor=form.cleaned_data["successor"]),
            _("Marked as superseded."),
        )
    else:
        messages.error(request, _("Choose the decision that replaces this one."))
    return redirect("engagement:decision", slug=slug, pk=pk)
