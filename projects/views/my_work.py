"""The client's home: what they owe, what is coming up, what the team owes them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from projects.selectors.my_work import my_work_for


@login_required
def my_work(request):
    """Called by the home view for client people."""
    work = my_work_for(user=request.user)
    return TemplateResponse(request, "projects/my_work.html", {"work": work})
