"""The client's home: what they owe, what is coming up, what the team owes them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from engagement.selectors.my_work import my_work_for


@login_required
def my_work(request):
    """Called by the home view for client people."""
    return render(request, "projects/my_work.html", {"work": my_work_for(user=request.user)})
