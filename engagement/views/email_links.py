"""One-click links from e-mails. GET/HEAD only show what would happen; a POST from that page does it.

The token in the address is the secret that authorises the action, so:

- every page says `Referrer-Policy: same-origin`: no other site ever sees the address in a Referer (the pages load
  nothing from elsewhere, and a link followed to another site carries no referrer), while the page's own forms still
  post with their real `Origin` (`no-referrer` makes browsers send `Origin: null`, which Django's CSRF check refuses);
- the confirm and unsubscribe POSTs are exempt from Django's cookie-based CSRF check: they are authorised by the
  token, a per-person, per-action secret an attacking page cannot know, never by the session (a session can only
  make a link someone else's). So they work in a browser with or without a session, with cookies blocked, and after
  a log-in elsewhere rotated the CSRF cookie;
- no session is ever created here, and the pages speak the link's person's language and zone.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from engagement.models import Decision, Meeting, MeetingSeries
from engagement.services import links
from engagement.services.link_actions import action_link_use
from portal.core.addresses import client_address
from portal.core.time import zone
from projects.models import Task

REFERRER_POLICY = "same-origin"
STATUS = {
    links.OK: 200,
    links.DONE: 200,
    links.USED: 200,
    links.EXPIRED: 200,
    links.INVALID: 404,
    links.NOT_YOURS: 403,
    links.NO_ACCESS: 403,
    links.CHANGED: 409,
    links.LIMITED: 429,
}


def _masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def _page(request, state: links.LinkState, *, unsubscribe: bool = False) -> HttpResponse:
    person = state.link.person if state.link else None
    own = person is not None and state.state != links.NOT_YOURS
    language = person.language if own else translation.get_language()
    time_zone = zone(person.time_zone) if own else timezone.get_current_timezone()
    with translation.override(language), timezone.override(time_zone):
        response = render(
            request,
            "engagement/links/page.html",
            {
                "state": state.state,
                "link": state.link,
                "obj": state.obj,
                "object_url": _object_url(state.obj),
                "action": state.link.action if state.link else "",
                "preference": state.preference,
                "unsubscribe": unsubscribe,
                "masked_email": _masked(person.email) if person else "",
                "reader_zone": time_zone.key,
                "wait_minutes": settings.ONE_CLICK_LIMIT_WINDOW_SECONDS // 60,
            },
            status=STATUS[state.state],
        )
    response["Referrer-Policy"] = REFERRER_POLICY
    return response


def _object_url(obj) -> str:
    """Where the link's object lives in the portal (the page a person lands on after signing in)."""
    if isinstance(obj, Decision):
        return reverse("engagement:decision", args=[obj.project.slug, obj.pk])
    if isinstance(obj, Meeting):
        return reverse("engagement:meeting", args=[obj.project.slug, obj.pk])
    if isinstance(obj, MeetingSeries):
        return reverse("engagement:meetings", args=[obj.project.slug])
    if isinstance(obj, Task):
        return reverse("projects:task", args=[obj.project.slug, obj.pk])
    return ""


def _client_ip(request) -> str | None:
    return client_address(request) or None


@method_decorator([never_cache, csrf_exempt], name="dispatch")
class ActionLinkView(View):
    http_method_names = ["get", "head", "post"]

    def get(self, request, token: str):
        if limited := links.link_rate_check(token=token, address=_client_ip(request)):
            return _page(request, limited)
        return _page(request, links.action_link_check(token=token, user=request.user))

    def post(self, request, token: str):
        if limited := links.link_rate_check(token=token, address=_client_ip(request)):
            return _page(request, limited)
        state = action_link_use(
            token=token, user=request.user, ip=_client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
        )
        return _page(request, state)


@method_decorator([never_cache, csrf_exempt], name="dispatch")
class UnsubscribeView(View):
    """RFC 8058: a POST with `List-Unsubscribe=One-Click`, no cookie and no CSRF token, turns the mail off."""

    http_method_names = ["get", "head", "post"]

    def get(self, request, token: str):
        if not links.is_unsubscribe_token(token):
            return _page(request, links.LinkState(links.INVALID))
        if limited := links.link_rate_check(token=token, address=_client_ip(request)):
            return _page(request, limited, unsubscribe=True)
        return _page(request, links.action_link_check(token=token, user=None), unsubscribe=True)

    def post(self, request, token: str):
        if not links.is_unsubscribe_token(token):
            return _page(request, links.LinkState(links.INVALID))
        if limited := links.link_rate_check(token=token, address=_client_ip(request), per_address=False):
            return _page(request, limited, unsubscribe=True)
        return _page(request, action_link_use(token=token, user=None, ip=_client_ip(request)), unsubscribe=True)
