"""The search page: one box in the header, results grouped by kind with the matching words marked."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from projects.search import clean_query, search


@login_required
def search_page(request):
    text = clean_query(request.GET.get("q"))
    groups = search(user=request.user, text=text)
    return render(request, "projects/search.html", {"q": text, "groups": groups, "searched": bool(text)})
