"""The friendly recurrence picker: weekly on days, every N weeks, monthly on the Nth weekday → an RRULE."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.core.time import TIME_ZONE_CHOICES
from projects.forms import DateInput, StyledForm, TimeInput, User, member_users

WEEKDAYS = [
    ("MO", _("Mon")),
    ("TU", _("Tue")),
    ("WE", _("Wed")),
    ("TH", _("Thu")),
    ("FR", _("Fri")),
    ("SA", _("Sat")),
    ("SU", _("Sun")),
]
WEEKDAY_CODES = [code for code, _label in WEEKDAYS]
SETPOS = [("1", _("first")), ("2", _("second")), ("3", _("third")), ("4", _("fourth")), ("-1", _("last"))]


class SeriesForm(StyledForm):
    PATTERNS = [("weekly", _("Weekly on chosen days")), ("monthly", _("Monthly on the Nth weekday"))]

    title = forms.CharField(label=_("Title"), max_length=200, initial=_("Weekly check-in"))
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    pattern = forms.ChoiceField(label=_("Repeats"), choices=PATTERNS, initial="weekly", widget=forms.RadioSelect)
    interval = forms.IntegerField(label=_("Every … weeks / months"), min_value=1, max_value=12, initial=1)
    weekdays = forms.MultipleChoiceField(
        label=_("On"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, required=False
    )
    setpos = forms.ChoiceField(label=_("Which week of the month"), choices=SETPOS, required=False, initial="1")
    month_weekday = forms.ChoiceField(label=_("Weekday"), choices=WEEKDAYS, required=False, initial="MO")
    first_date = forms.DateField(label=_("First meeting on"), widget=DateInput())
    start_time = forms.TimeField(label=_("At"), widget=TimeInput(), initial=dt.time(10, 0))
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=480, initial=30)
    location = forms.CharField(label=_("Location or video link"), max_length=300, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = member_users(project)
        self.fields["attendees"].label_from_instance = lambda u: u.display_name

    def clean(self):
        data = super().clean()
        if data.get("pattern") == "weekly" and not data.get("weekdays"):
            first = data.get("first_date")
            if first is None:
                self.add_error("weekdays", _("Pick at least one day."))
            else:
                data["weekdays"] = [WEEKDAY_CODES[first.weekday()]]
        if data.get("pattern") == "monthly" and not (data.get("setpos") and data.get("month_weekday")):
            self.add_error("setpos", _("Pick which weekday of the month."))
        if self.errors:
            return data
        try:
            data["rrule"] = self.build_rrule(data)
        except ValidationError as error:
            self.add_error("pattern", error)
        return data

    @staticmethod
    def build_rrule(data: dict) -> str:
        from engagement.services.recurrence import rrule_build

        if data["pattern"] == "weekly":
            return rrule_build(freq="WEEKLY", interval=data["interval"], byweekday=list(data["weekdays"]), bysetpos=None)
        return rrule_build(
            freq="MONTHLY", interval=data["interval"], byweekday=[data["month_weekday"]], bysetpos=int(data["setpos"])
        )

    def first_start_local(self) -> dt.datetime:
        """Naive wall-clock start in the series' zone; the service localises it."""
        return dt.datetime.combine(self.cleaned_data["first_date"], self.cleaned_data["start_time"])
