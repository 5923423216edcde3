"""Rendered pages and API pages, reused while the data behind them is unchanged.

A key names everything a page depends on: the page and its query string, the person, their language and time
zone, today's date in that zone (overdue is a matter of the date) and a *data key* that changes whenever any
project behind the page changes (see `projects.selectors.freshness`). A stale page therefore cannot be served;
`PAGE_CACHE_SECONDS` only bounds how long relative wording ("3 h ago", the next meeting) may lag.

The cache is an accelerator, never a dependency: when Redis is down every lookup is a miss and every store is
skipped, so pages keep serving (quality.md, "Reliability").
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation

log = logging.getLogger(__name__)

_MISS = object()


def page_key(*parts: Any) -> str:
    """A short, stable key for `parts` plus the active language, time zone and local date."""
    context = (translation.get_language(), timezone.get_current_timezone_name(), timezone.localdate().isoformat())
    raw = repr((context, parts)).encode()
    return "p:" + hashlib.blake2b(raw, digest_size=20).hexdigest()


def page_cache_on() -> bool:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def cached(key: str, build: Callable[[], Any]) -> Any:
    """The value stored under `key`, or `build()` stored for `PAGE_CACHE_SECONDS` (no caching when 0)."""
    seconds = getattr(settings, "PAGE_CACHE_SECONDS", 0)
    if seconds <= 0:
        return build()
    try:
        store = caches["pages"]
        value = store.get(key, _MISS)
    except Exception:  # noqa: BLE001 — an unreachable cache is a miss, not an error page
        log.warning("page cache unavailable; rendering without it", exc_info=True)
        return build()
    if value is not _MISS:
        return value
    value = build()
    try:
        store.set(key, value, seconds)
    except Exception:  # noqa: BLE001
        log.warning("page cache unavailable; not storing", exc_info=True)
    return value


# Rendered in place of the CSRF token and swapped for the reader's own token on every request: a cached page must
# not carry the token of the session that rendered it (its forms would fail once a log-in rotated the token).
CSRF_PLACEHOLDER = "__rapport_csrf_token__"


def _person(user) -> tuple:
    """What the layout shows of the signed-in person: a change (their name, say) is a new key at once."""
    return (user.pk, user.display_name, user.email, user.is_staff, user.is_superuser, getattr(user, "kind", ""))


def cached_page(request, template_name: str, build_context: Callable[[], dict], *parts: Any) -> HttpResponse:
    """`template_name` rendered for this request, reused under `parts`, which must name the data the page shows.

    Only GET and HEAD are cached. Pages with a flash message waiting are rendered afresh (the message is shown
    once, and must not be stored).
    """

    def build() -> str:
        return render_to_string(template_name, {**build_context(), "csrf_token": CSRF_PLACEHOLDER}, request)

    if request.method not in ("GET", "HEAD") or len(messages.get_messages(request)):
        return HttpResponse(render_to_string(template_name, build_context(), request))
    html = cached(page_key(template_name, request.get_full_path(), _person(request.user), *parts), build)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return HttpResponse(html)
