"""`/`: a manager's or team member's dashboard; a client's "my work".

The page is cached (portal.core.pagecache) keyed by the data key of the person's projects.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator

from portal.core.pagecache import cached_page
from projects.forms import DashboardFilterForm
from projects.selectors.dashboard import PAGE_SIZE, dashboard_projects, needs_you
from projects.selectors.freshness import data_key


@login_required
def home(request):
    if request.user.is_client:
        from projects.views.my_work import my_work

        return my_work(request)
    return dashboard(request)


def dashboard(request):
    return cached_page(request, "projects/dashboard.html", lambda: _dashboard_context(request), data_key(request.user))


def _dashboard_context(request) -> dict:
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
    return {"form": form, "page": page, "needs": needs_you(user=request.user), "query": query.urlencode()}
