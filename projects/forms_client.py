"""Forms of the client portal (progress reports)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import ReportState


class ReportForm(forms.Form):
    """One progress report. `task` echoes the task of the URL so a tampered form is refused, not stored."""

    task = forms.IntegerField(widget=forms.HiddenInput)
    percent = forms.IntegerField(
        label=_("Percent complete"),
        min_value=0,
        max_value=100,
        error_messages={
            "required": _("Say how far along the task is (0–100 %)."),
            "min_value": _("The percent must be between 0 and 100."),
            "max_value": _("The percent must be between 0 and 100."),
            "invalid": _("The percent must be a whole number between 0 and 100."),
        },
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=ReportState.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pick a state: on track, at risk, blocked or done.")},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    blockers = forms.CharField(
        label=_("Blockers"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, task=None, **kwargs):
        self.task_obj = task
        initial = kwargs.setdefault("initial", {})
        if task is not None:
            initial.setdefault("task", task.pk)
            initial.setdefault("percent", task.last_percent)
            initial.setdefault("state", task.last_state or ReportState.ON_TRACK)
        super().__init__(*args, **kwargs)

    def clean_task(self):
        value = self.cleaned_data["task"]
        if self.task_obj is None or value != self.task_obj.pk:
            raise forms.ValidationError(
                _("This form was for another task. Nothing was saved — check the task and send it again.")
            )
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("state") == ReportState.BLOCKED and not (cleaned.get("blockers") or "").strip():
            self.add_error("blockers", _("Tell the team what blocks you, so they can help."))
        return cleaned
