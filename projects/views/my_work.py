"""The client's home: what they owe, what is coming up, what the team owes them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required

from portal.core.pagecache import cached_page
from projects.selectors.freshness import data_key
from projects.selectors.my_work import my_work_for


@login_required
def my_work(request):
    """Called by the home view for client people."""
    return cached_page(request, "projects/my_work.html", lambda: {"work": my_work_for(user=request.user)}, data_key(request.user))
