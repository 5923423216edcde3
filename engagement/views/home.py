"""`/`: a manager's or team member's dashboard; a client's "my work"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from engagement.selectors.dashboard import PAGE_SIZE, dashboard_projects, needs_you
from engagement.views.my_work import my_work
from projects.forms import DashboardFilterForm


@login_required
def home(request):
    if request.user.is_client:
        return my_work(request)
    return dashboard(request)


def dashboard(request):
    form = DashboardFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    projects = dashboard_projects(
        user=request.user,
        status=filters.get("status", ""),
        client=filters.get("client"),
        attention=filters.get("attention", False),
        sort=filters.get("sort", ""),
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "needs": needs_you(user=request.user), "query": query.urlencode()}
    return render(request, "projects/dashboard.html", context)
