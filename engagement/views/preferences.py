"""The account preferences page and the header's language switch (`accounts:preferences`, `accounts:language`).

They live in `engagement`, above `portal.accounts`: the preferences rule needs to know whether the person still owes
answers (`engagement.selectors.awaiting.person_owes_answers`), and passes it to `preferences_update`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from engagement.forms_absences import AbsenceForm
from engagement.selectors.absences import absence_list_for, backups_of
from engagement.selectors.awaiting import person_owes_answers
from portal.accounts import services
from portal.accounts.forms import PreferencesForm
from portal.accounts.selectors import api_tokens_for
from portal.core.cookies import set_language_cookie
from portal.core.time import TIME_ZONE_CHOICES


def _owes_answers(user) -> bool:
    return user.is_client and person_owes_answers(user=user)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    user = request.user
    form = PreferencesForm(request.POST or None, initial=PreferencesForm.initial_for(user))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.preferences_update(
                actor=request.user, user=user, owes_answers=_owes_answers(user), **form.cleaned_data
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            translation.activate(user.language)
            messages.success(request, _("Your preferences are saved."))
            response = redirect("accounts:preferences")
            # The saved language wins at once: the switcher's cookie follows it.
            set_language_cookie(response, user.language)
            return response
    return render_preferences(request, form=form, status=400 if form.errors else 200)


def render_preferences(request, *, form=None, absence_form=None, status: int = 200):
    """The page with its forms (the absence form posts to its own address and comes back here with its errors)."""
    user = request.user
    context = {
        "form": form or PreferencesForm(initial=PreferencesForm.initial_for(user)),
        "time_zones": TIME_ZONE_CHOICES,
        "owes_answers": _owes_answers(user),
        "api_tokens": api_tokens_for(user=request.user),
        "absences": absence_list_for(user=user),
        "absence_form": absence_form or AbsenceForm(),
        "covers": backups_of(user=user),
    }
    return TemplateResponse(request, "accounts/preferences.html", context, status=status)


def _attach(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_POST
def language_switch(request):
    """The header's language switch: a signed-in person's choice is saved as their preference (their e-mails
    follow it); then Django's `set_language` sets the cookie and redirects, as for an anonymous visitor."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES) and language != request.user.language:
        services.preferences_update(
            actor=request.user, user=request.user, owes_answers=_owes_answers(request.user), language=language
        )
    return set_language(request)
