"""Account pages: accept an invitation, preferences, the private calendar-feed address."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from portal.accounts import services
from portal.accounts.forms import InvitationAcceptForm, PreferencesForm
from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from portal.core.time import TIME_ZONE_CHOICES


def _login_backend() -> str:
    """The password backend (the last one; the first only guards against lock-outs)."""
    return settings.AUTHENTICATION_BACKENDS[-1]


def _invitations():
    # portal.accounts sits below projects in the import graph: the invitation services are loaded at call time.
    from projects.services import invitations

    return invitations


def _inviter_name(token: str) -> str:
    """Who sent the invitation, when the link still names one (an expired or used link does; a tampered one not)."""
    from projects.models import Invitation

    try:
        payload = signing.loads(token, salt=_invitations().SALT)
        invitation = Invitation.objects.select_related("invited_by").filter(pk=int(payload["i"])).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return ""
    return invitation.invited_by.display_name if invitation else ""


@never_cache
@require_http_methods(["GET", "POST"])
def invite_accept(request, token: str):
    invitations = _invitations()
    try:
        invitation = invitations.invitation_from_token(token)
    except ApplicationError as error:
        context = {"reason": error.message, "code": error.code, "inviter": _inviter_name(token)}
        return TemplateResponse(
            request, "accounts/invite_invalid.html", context, status=200 if error.code != "invalid" else 404
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
            return TemplateResponse(request, "accounts/invite_invalid.html", context)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            login(request, user, backend=_login_backend())
            translation.activate(user.language)
            messages.success(request, _("Welcome to Rapport, %(name)s.") % {"name": user.display_name})
            response = redirect("/")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
            return response
    context = {"form": form, "invitation": invitation, "time_zones": TIME_ZONE_CHOICES}
    return TemplateResponse(request, "accounts/invite_accept.html", context, status=400 if form.errors else 200)


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
        return TemplateResponse(request, "accounts/invite_invalid.html", context, status=403)
    if request.method == "POST":
        try:
            _invitations().invitation_accept(token=token, user=request.user)
        except (ApplicationError, ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
        else:
            messages.success(request, _("You joined %(project)s.") % {"project": invitation.project.name})
            return redirect("/")
    return TemplateResponse(request, "accounts/invite_join.html", {"invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    user = request.user
    form = PreferencesForm(request.POST or None, initial=PreferencesForm.initial_for(user))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.preferences_update(actor=request.user, user=user, **form.cleaned_data)
        except ValidationError as error:
            _attach(form, error)
        else:
            translation.activate(user.language)
            messages.success(request, _("Your preferences are saved."))
            response = redirect("accounts:preferences")
            # The saved language wins at once: the switcher's cookie follows it.
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
            return response
    context = {
        "form": form,
        "time_zones": TIME_ZONE_CHOICES,
        "owes_answers": user.is_client and services.person_owes_answers(user=user),
    }
    return TemplateResponse(request, "accounts/preferences.html", context, status=400 if form.errors else 200)


def _attach(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


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


@require_POST
def language_switch(request):
    """The header's language switch: a signed-in person's choice is saved as their preference (their e-mails
    follow it); then Django's `set_language` sets the cookie and redirects, as for an anonymous visitor."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES) and language != request.user.language:
        services.preferences_update(actor=request.user, user=request.user, language=language)
    return set_language(request)
