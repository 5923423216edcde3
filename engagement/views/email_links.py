"""One-click links from e-mails. GET/HEAD only show what would happen; a POST from that page does it.

No session is ever created here, and every page says `Referrer-Policy: no-referrer`.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from engagement.services import links
from portal.core.time import zone

STATUS = {
    links.OK: 200,
    links.DONE: 200,
    links.USED: 200,
    links.EXPIRED: 200,
    links.INVALID: 404,
    links.NOT_YOURS: 403,
    links.NO_ACCESS: 403,
    links.CHANGED: 409,
}


def _masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def _page(request, state: links.LinkState, *, unsubscribe: bool = False) -> HttpResponse:
    person = state.link.person if state.link else None
    own = person is not None and state.state != links.NOT_YOURS
    language = person.language if own else translation.get_language()
    # No session here: times are shown in the link owner's zone, as in the e-mail that carried the link.
    with translation.override(language), timezone.override(zone(person.time_zone) if own else timezone.get_current_timezone()):
        response = render(
            request,
            "engagement/links/page.html",
            {
                "state": state.state,
                "link": state.link,
                "obj": state.obj,
                "action": state.link.action if state.link else "",
                "preference": state.preference,
                "unsubscribe": unsubscribe,
                "masked_email": _masked(person.email) if person else "",
            },
            status=STATUS[state.state],
        )
    response["Referrer-Policy"] = "no-referrer"
    return response


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@method_decorator(never_cache, name="dispatch")
class ActionLinkView(View):
    http_method_names = ["get", "head", "post"]

    def get(self, request, token: str):
        return _page(request, links.action_link_check(token=token, user=request.user))

    def post(self, request, token: str):
        state = links.action_link_use(
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
        return _page(request, links.action_link_check(token=token, user=None), unsubscribe=True)

    def post(self, request, token: str):
        if not links.is_unsubscribe_token(token):
            return _page(request, links.LinkState(links.INVALID))
        return _page(request, links.action_link_use(token=token, user=None, ip=_client_ip(request)), unsubscribe=True)
