"""Forms of the account pages: preferences (and the time-zone field the invitation page reuses), and the password
forms of Django's change and reset pages saving through `password_set` (which revokes the API tokens)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from portal.accounts import services
from portal.accounts.models import Delivery, Language, User, Weekday
from portal.core.time import validate_time_zone


class TimeZoneField(forms.CharField):
    """A zone name typed with a datalist of all zones; validated against the zone database."""

    default_validators = [validate_time_zone]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"})
        )
        kwargs.setdefault("help_text", _("Start typing a city, e.g. Moscow or Berlin."))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value).strip().replace(" ", "_")
        return value


def _delivery(label) -> forms.ChoiceField:
    """How one kind of inbox line is told; left out, the saved choice stays."""
    return forms.ChoiceField(label=label, choices=Delivery.choices, widget=forms.RadioSelect, required=False)


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = TimeZoneField()
    digest_weekday = forms.TypedChoiceField(label=_("Weekly digest on"), choices=Weekday.choices, coerce=int)
    digest_hour = forms.TypedChoiceField(label=_("at"), choices=[(h, f"{h:02d}:00") for h in range(24)], coerce=int)
    email_digest = forms.BooleanField(label=_("Weekly digest"), required=False)
    email_nudges = forms.BooleanField(label=_("Task and sign-off notices, and reminders about reports and decisions awaiting me"), required=False)
    email_reminders = forms.BooleanField(label=_("Meeting reminders (24 h and 1 h before)"), required=False)
    notify_mention = _delivery(_("Mentions of me"))
    notify_reply = _delivery(_("Replies in threads I follow"))
    notify_task = _delivery(_("Changes to my tasks by others"))
    notify_decision = _delivery(_("Decisions awaiting my answer"))
    notify_report = _delivery(_("Reports awaiting me"))

    FIELDS = (
        "language",
        "time_zone",
        "digest_weekday",
        "digest_hour",
        "email_digest",
        "email_nudges",
        "email_reminders",
        *User.NOTIFY_FIELDS,
    )

    @classmethod
    def initial_for(cls, user) -> dict:
        return {name: getattr(user, name) for name in cls.FIELDS}

    def clean(self):
        cleaned = super().clean()
        for name in User.NOTIFY_FIELDS:  # a choice left out keeps the saved one
            if not cleaned.get(name):
                cleaned[name] = self.initial.get(name) or User._meta.get_field(name).default
        return cleaned


class NewPasswordForm(SetPasswordForm):
    """The reset page's form: the new password is set by `password_set`."""

    def save(self, commit=True):
        return services.password_set(user=self.user, raw_password=self.cleaned_data["new_password1"])


class ChangePasswordForm(PasswordChangeForm):
    """The change page's form: the new password is set by `password_set`."""

    def save(self, commit=True):
        return services.password_set(user=self.user, raw_password=self.cleaned_data["new_password1"])
