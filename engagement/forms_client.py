"""Forms of the client portal: decision answers, RSVP, plan sign-off."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.models import Involvement, Rsvp
from engagement.models.decisions import ResponseKind


class DecisionResponseForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Your answer"),
        choices=ResponseKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose acknowledge, approve or object.")},
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, decision=None, **kwargs):
        self.decision = decision
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if (
            kind == ResponseKind.APPROVED
            and self.decision is not None
            and self.decision.involvement != Involvement.APPROVAL
        ):
            self.add_error("kind", _("This decision does not ask for approval; acknowledge it or object."))
        if kind == ResponseKind.OBJECTED and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say why you object, so the team can respond."))
        return cleaned


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[(Rsvp.YES, Rsvp.YES.label), (Rsvp.MAYBE, Rsvp.MAYBE.label), (Rsvp.NO, Rsvp.NO.label)],
        error_messages={"required": _("Answer yes, maybe or no."), "invalid_choice": _("Answer yes, maybe or no.")},
    )


class PlanSignOffForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I have read this version of the plan and agree to it."),
        error_messages={"required": _("Tick the box to confirm you agree to this version.")},
    )
