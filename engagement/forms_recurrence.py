"""The friendly recurrence picker: weekly on days, every N weeks, monthly on the Nth weekday → an RRULE."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from engagement.services.recurrence import (
    MAX_COUNT,
    last_occurrence,
    rrule_build,
    rrule_describe,
    rrule_end,
    rrule_with_end,
    to_utc,
)
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
REMINDERS = [
    (7 * 24 * 60, _("1 week before")),
    (24 * 60, _("1 day before")),
    (2 * 60, _("2 hours before")),
    (60, _("1 hour before")),
    (15, _("15 minutes before")),
]


class SeriesForm(StyledForm):
    PATTERNS = [("weekly", _("Weekly on chosen days")), ("monthly", _("Monthly on the Nth weekday"))]
    ENDS = [("never", _("Never")), ("on", _("On a date")), ("after", _("After a number of meetings"))]

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
    ends = forms.ChoiceField(label=_("Ends"), choices=ENDS, initial="never", widget=forms.RadioSelect, required=False)
    end_date = forms.DateField(label=_("Last meeting on or before"), widget=DateInput(), required=False)
    end_count = forms.IntegerField(
        label=_("Number of meetings in all, counting from the first"), min_value=1, max_value=MAX_COUNT, required=False
    )
    location = forms.CharField(label=_("Location or video link"), max_length=300, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    reminder_offsets = forms.TypedMultipleChoiceField(
        label=_("Reminders"), choices=REMINDERS, coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, project, series=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = member_users(project)
        self.fields["attendees"].label_from_instance = lambda u: u.display_name
        if series is None:
            del self.fields["reminder_offsets"]
            return
        self.fields["first_date"].label = _("Anchor date (the first meeting of the pattern)")
        known = {value for value, _label in REMINDERS}
        extra = [(m, _("%(minutes)s minutes before") % {"minutes": m}) for m in series.reminder_offsets if m not in known]
        self.fields["reminder_offsets"].choices = sorted([*REMINDERS, *extra], reverse=True)

    @classmethod
    def initial_from(cls, series) -> dict:
        """The picker's fields for an existing series (its rule, first start in its zone, attendees, reminders)."""
        parts = dict(p.split("=", 1) for p in series.rrule.split(";") if "=" in p)
        days = [d for d in parts.get("BYDAY", "").split(",") if d]
        local = series.first_start.astimezone(ZoneInfo(series.time_zone))
        initial = {
            "title": series.title,
            "purpose": series.purpose,
            "interval": int(parts.get("INTERVAL", 1)),
            "first_date": local.date(),
            "start_time": local.time().replace(second=0, microsecond=0),
            "time_zone": series.time_zone,
            "duration_minutes": series.duration_minutes,
            "location": series.location,
            "attendees": list(series.attendees.values_list("pk", flat=True)),
            "reminder_offsets": list(series.reminder_offsets),
        }
        until, count = rrule_end(series.rrule)
        initial.update(ends="on" if until else ("after" if count else "never"), end_date=until, end_count=count)
        if parts.get("FREQ") == "MONTHLY" and days:
            match = re.fullmatch(r"([+-]?\d)?([A-Z]{2})", days[0])
            setpos = parts.get("BYSETPOS") or (match and match.group(1)) or "1"
            initial.update(pattern="monthly", setpos=str(int(setpos)), month_weekday=match.group(2) if match else "MO")
        else:
            initial.update(pattern="weekly", weekdays=days)
        return initial

    def series_fields(self) -> dict:
        """Keyword arguments for `series_update`."""
        data = self.cleaned_data
        fields = {
            "title": data["title"],
            "purpose": data["purpose"],
            "rrule": data["rrule"],
            "first_start_local": self.first_start_local(),
            "time_zone": data["time_zone"],
            "duration_minutes": data["duration_minutes"],
            "location": data["location"],
            "attendees": list(data["attendees"]),
        }
        if "reminder_offsets" in self.fields:
            fields["reminder_offsets"] = sorted(data["reminder_offsets"], reverse=True)
        return fields

    def change_summary(self, series) -> dict:
        """What confirming the edit does: whether future meetings move, and who is sent an updated invitation."""
        initial = self.initial_from(series)
        data = self.cleaned_data
        end_changes = rrule_end(data["rrule"]) != rrule_end(series.rrule)
        schedule_moves = (
            rrule_with_end(data["rrule"]) != rrule_with_end(series.rrule)
            or data["time_zone"] != series.time_zone
            or data["duration_minutes"] != series.duration_minutes
            or (data["first_date"], data["start_time"]) != (initial["first_date"], initial["start_time"])
        )
        details = data["title"] != series.title or data["location"] != series.location
        old_ids = set(initial["attendees"])
        chosen = list(data["attendees"])
        new_ids = {u.pk for u in chosen}
        upcoming = series.meetings.filter(status="scheduled", starts_at__gt=timezone.now())
        last = last_occurrence(
            rrule=data["rrule"], first_start=to_utc(self.first_start_local(), data["time_zone"]), time_zone=data["time_zone"]
        )
        return {
            "beyond_end": upcoming.filter(original_start__gt=last).count() if last else 0,
            "schedule": rrule_describe(data["rrule"], (get_language() or "en")[:2]),
            "future_count": upcoming.count(),
            "moved_by_hand": upcoming.filter(rescheduled_from__isnull=False).count() if schedule_moves else 0,
            "schedule_moves": schedule_moves,
            "end_changes": end_changes,
            "details_change": details,
            "added": [u for u in chosen if u.pk not in old_ids],
            "removed": list(User.objects.filter(pk__in=old_ids - new_ids).order_by("full_name")),
            # The series goes out again to everyone only when it changes; otherwise only newcomers are invited.
            "invited": chosen if (schedule_moves or end_changes or details) else [u for u in chosen if u.pk not in old_ids],
        }

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
        self._clean_end(data)
        if self.errors:
            return data
        try:
            data["rrule"] = self.build_rrule(data)
        except ValidationError as error:
            self.add_error("pattern", error)
        return data

    @staticmethod
    def build_rrule(data: dict) -> str:
        end = {
            "until": data.get("end_date") if data.get("ends") == "on" else None,
            "count": data.get("end_count") if data.get("ends") == "after" else None,
        }
        if data["pattern"] == "weekly":
            return rrule_build(
                freq="WEEKLY", interval=data["interval"], byweekday=list(data["weekdays"]), bysetpos=None, **end
            )
        return rrule_build(
            freq="MONTHLY", interval=data["interval"], byweekday=[data["month_weekday"]], bysetpos=int(data["setpos"]),
            **end,
        )

    def _clean_end(self, data: dict) -> None:
        if data.get("ends") == "on":
            if "end_date" in self.errors:
                return
            if data.get("end_date") is None:
                self.add_error("end_date", _("Choose the date of the last meeting."))
            elif data.get("first_date") and data["end_date"] < data["first_date"]:
                self.add_error("end_date", _("The series cannot end before its first meeting."))
        if data.get("ends") == "after" and data.get("end_count") is None and "end_count" not in self.errors:
            self.add_error("end_count", _("Say after how many meetings the series ends."))

    def first_start_local(self) -> dt.datetime:
        """Naive wall-clock start in the series' zone; the service localises it."""
        return dt.datetime.combine(self.cleaned_data["first_date"], self.cleaned_data["start_time"])
