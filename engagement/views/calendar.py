"""The personal calendar feed: `/calendar/<token>.ics`. The token is the only credential; rotating it kills the URL."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from engagement.services.ics import calendar_feed_for_token


@never_cache
@require_safe
def calendar_feed(request, token: str) -> HttpResponse:
    body = calendar_feed_for_token(token=token)
    if body is None:
        raise Http404
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="rapport.ics"'
    response["Referrer-Policy"] = "no-referrer"
    return response
