"""The forms of absences (preferences, and the manager's team page) and of a project's quiet periods."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from projects.forms import DateInput, StyledForm


class AbsenceForm(StyledForm):
    starts_on = forms.DateField(label=_("Away from"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until (included)"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    prefix = "absence"


class TeamAbsenceForm(AbsenceForm):
    """The manager's: the same, for a member of the project."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=None)

    field_order = ["person", "starts_on", "ends_on", "note"]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.filter(memberships__project=project, is_active=True).order_by("full_name")


class QuietPeriodForm(StyledForm):
    starts_on = forms.DateField(label=_("Quiet from"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until (included)"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False, help_text=_("For example: holidays, a release freeze."))

    prefix = "quiet"
