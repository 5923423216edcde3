"""The Health tab of a project and the Attention list: staff only, read from snapshots."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from engagement.health.forms import HealthOverrideForm
from engagement.health.selectors import active_override, attention_list, project_health_page, staff_only
from engagement.health.services import health_override_clear, health_override_set, health_warning_acknowledge
from engagement.models import HealthWarning
from projects.permissions import project_access
from projects.views.common import render_tab, run_action


def _staff_access(request, slug: str):
    access = project_access(user=request.user, slug=slug)
    if not access.can_see_health:
        raise Http404
    return access


@login_required
@require_GET
def project_health(request, slug: str):
    access = _staff_access(request, slug)
    page = project_health_page(access)
    form = HealthOverrideForm() if access.is_manager else None
    return render_tab(request, access, "health", "engagement/health.html", {"page": page, "override_form": form})


@login_required
@require_POST
def override_set(request, slug: str):
    access = _staff_access(request, slug)
    form = HealthOverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a level and say why."))
        return redirect("engagement:health", slug=slug)
    run_action(
        request,
        lambda: health_override_set(actor=request.user, project=access.project, level=form.cleaned_data["level"], note=form.cleaned_data["note"]),
        _("The level is overridden until the override expires."),
    )
    return redirect("engagement:health", slug=slug)


@login_required
@require_POST
def override_clear(request, slug: str):
    access = _staff_access(request, slug)
    override = active_override(access.project)
    if override is None:
        raise Http404
    run_action(request, lambda: health_override_clear(actor=request.user, override=override), _("The computed level is shown again."))
    return redirect("engagement:health", slug=slug)


@login_required
@require_POST
def warning_acknowledge(request, slug: str, pk: int):
    access = _staff_access(request, slug)
    warning = HealthWarning.objects.filter(project=access.project, pk=pk).select_related("project").first()
    if warning is None:
        raise Http404
    run_action(request, lambda: health_warning_acknowledge(actor=request.user, warning=warning), _("Acknowledged: no reminders about it for two weeks."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("engagement:health", slug=slug)


@login_required
@require_GET
def attention(request):
    staff_only(request.user)
    return render(request, "engagement/attention.html", {"items": attention_list(request.user)})
