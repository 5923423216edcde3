"""`/invite/<token>/` (`accounts:invite-accept`): accept an invitation with a new account, or join with an existing one."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.accounts.models import User
from portal.core.cookies import set_language_cookie
from portal.core.exceptions import ApplicationError
from portal.core.time import TIME_ZONE_CHOICES
from projects.forms import InvitationAcceptForm
from projects.models import Invitation
from projects.services import invitations


def _login_backend() -> str:
    """The password backend (the last one; the first only guards against lock-outs)."""
    return settings.AUTHENTICATION_BACKENDS[-1]


def _inviter_name(token: str) -> str:
    """Who sent the invitation, when the link still names one (an expired or used link does; a tampered one not)."""
    try:
        payload = signing.loads(token, salt=invitations.SALT)
        invitation = Invitation.objects.select_related("invited_by").filter(pk=int(payload["i"])).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return ""
    return invitation.invited_by.display_name if invitation else ""


@never_cache
@require_http_methods(["GET", "POST"])
def invite_accept(request, token: str):
    try:
        invitation = invitations.invitation_from_token(token)
    except ApplicationError as error:
        context = {"reason": error.message, "code": error.code, "inviter": _inviter_name(token)}
        return TemplateResponse(
            request, "projects/invite_invalid.html", context, status=200 if error.code != "invalid" else 404
        )
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        return _join_existing(request, token, invitation, existing)
    initial = {"time_zone": invitation.project.client.time_zone, "language": invitation.project.client.language}
    form = InvitationAcceptForm(request.POST or None, email=invitation.email, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = invitations.invitation_accept(
                token=token,
                full_name=data["full_name"],
                password=data["password1"],
                time_zone=data["time_zone"],
                language=data["language"],
            )
        except ApplicationError as error:
            context = {"reason": error.message, "code": error.code, "inviter": invitation.invited_by.display_name}
            return TemplateResponse(request, "projects/invite_invalid.html", context)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            login(request, user, backend=_login_backend())
            translation.activate(user.language)
            messages.success(request, _("Welcome to Rapport, %(name)s.") % {"name": user.display_name})
            response = redirect("/")
            set_language_cookie(response, user.language)
            return response
    context = {"form": form, "invitation": invitation, "time_zones": TIME_ZONE_CHOICES}
    return TemplateResponse(request, "projects/invite_accept.html", context, status=400 if form.errors else 200)


def _join_existing(request, token: str, invitation, existing):
    """The address already has an account: sign in as that person, then one button joins the project."""
    if not request.user.is_authenticated:
        messages.info(
            request,
            _("You already have an account with %(email)s. Sign in to join the project.") % {"email": invitation.email},
        )
        return redirect_to_login(request.get_full_path())
    if request.user.pk != existing.pk:
        context = {
            "reason": _("This invitation was sent to another address. You are signed in as %(email)s.")
            % {"email": request.user.email},
            "code": "other_person",
            "inviter": invitation.invited_by.display_name,
        }
        return TemplateResponse(request, "projects/invite_invalid.html", context, status=403)
    if request.method == "POST":
        try:
            invitations.invitation_accept(token=token, user=request.user)
        except (ApplicationError, ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
        else:
            messages.success(request, _("You joined %(project)s.") % {"project": invitation.project.name})
            return redirect("/")
    return TemplateResponse(request, "projects/invite_join.html", {"invitation": invitation})
