"""The Health tab of a project and the Attention list: staff only, read from snapshots."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from engagement.health.selectors import attention_list, project_health_page, staff_only
from projects.permissions import project_access
from projects.views.common import render_tab


@login_required
@require_GET
def project_health(request, slug: str):
    access = project_access(user=request.user, slug=slug)
    if not access.can_see_health:
        raise Http404
    page = project_health_page(access)
    return render_tab(request, access, "health", "engagement/health.html", {"page": page})


@login_required
@require_GET
def attention(request):
    staff_only(request.user)
    return render(request, "engagement/attention.html", {"items": attention_list(request.user)})
