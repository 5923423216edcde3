"""The milestone form of the timeline (the manager's)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.models import Decision
from projects.forms import DateInput, StyledForm, VersionField
from projects.models import Task


class TitledChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.title


class MilestoneForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    tasks = TitledChoices(
        label=_("Tasks it depends on"), queryset=Task.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    decisions = TitledChoices(
        label=_("Decisions it depends on"), queryset=Decision.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    internal = forms.BooleanField(
        label=_("Internal (hidden from the client)"), required=False,
        help_text=_("Client people see a milestone that is not internal, with the tasks and decisions they may see."),
    )
    version = VersionField()

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = Task.objects.filter(project=access.project).order_by("due_date", "title")
        self.fields["decisions"].queryset = Decision.objects.filter(project=access.project).order_by("-created_at")

    def milestone_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
