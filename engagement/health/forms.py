from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.models import HealthLevel


class HealthOverrideForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Show the level as"),
        choices=[(HealthLevel.HEALTHY, HealthLevel.HEALTHY.label), (HealthLevel.WATCH, HealthLevel.WATCH.label), (HealthLevel.AT_RISK, HealthLevel.AT_RISK.label)],
    )
    note = forms.CharField(label=_("Why"), max_length=500, widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].widget.attrs["class"] = "form-select"
