"""Account pages: the private calendar-feed address, revoking an API token (listed on the preferences page).

The root URLconf files the other account pages under this namespace: the invitation acceptance page
(`projects.views.invitations`, `accounts:invite-accept`) and the preferences page and language switch
(`engagement.views.preferences`, `accounts:preferences`, `accounts:language`): they need what the person owes."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts import services


def feed_url(request, token: str) -> str:
    try:
        path = reverse("engagement:calendar-feed", kwargs={"token": token})
    except NoReverseMatch:
        path = f"/calendar/{token}.ics"
    return f"{settings.SITE_URL}{path}"


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request):
    user = request.user
    if request.method == "POST":
        services.calendar_token_rotate(actor=user, user=user)
        messages.success(request, _("The old calendar address no longer works. Add the new one to your calendar."))
        return redirect("accounts:calendar")
    return TemplateResponse(request, "accounts/calendar.html", {"feed_url": feed_url(request, user.calendar_token)})


@login_required
@require_POST
def token_revoke(request, token_id: str):
    """Revoke one of the person's own API tokens; someone else's id is a 404, like a missing one."""
    if not services.api_token_revoke(actor=request.user, token_id=token_id):
        raise Http404
    messages.success(request, _("The API token %(id)s is revoked: programs using it can no longer sign in.") % {"id": token_id})
    return redirect("accounts:preferences")
