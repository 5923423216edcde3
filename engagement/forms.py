"""HTML forms of the plan, meetings and decisions pages. They parse input; services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from engagement.models import Channel, Decision, Impact, Involvement, Meeting, Raci, Stakeholder
from portal.accounts.models import Weekday
from portal.core.time import TIME_ZONE_CHOICES
from projects.forms import DateInput, PersonChoiceField, StyledForm, TimeInput, User, VersionField, member_users
from projects.models import Task, TaskSide


class PlanForm(StyledForm):
    expectations = forms.CharField(
        label=_("Expectations"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("What each side can expect from the other: reports, meetings, answers."),
    )
    status_update_cadence_days = forms.IntegerField(label=_("Status update every (days)"), min_value=1, max_value=90)
    digest_weekday = forms.TypedChoiceField(label=_("Digest day"), choices=Weekday.choices, coerce=int)
    digest_hour = forms.IntegerField(label=_("Digest hour (recipient's local time)"), min_value=0, max_value=23)
    client_response_hours = forms.IntegerField(label=_("Client answers within (hours)"), min_value=1)
    team_response_hours = forms.IntegerField(label=_("Team answers within (hours)"), min_value=1)
    escalation_path = forms.CharField(
        label=_("Escalation path"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    channels = forms.CharField(label=_("Channels"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    expected_version = VersionField()

    FIELDS = (
        "expectations",
        "status_update_cadence_days",
        "digest_weekday",
        "digest_hour",
        "client_response_hours",
        "team_response_hours",
        "escalation_path",
        "channels",
    )

    @classmethod
    def initial_from(cls, plan) -> dict:
        return {**{name: getattr(plan, name) for name in cls.FIELDS}, "expected_version": plan.version if plan.pk else None}

    def plan_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class StakeholderForm(StyledForm):
    user = PersonChoiceField(
        label=_("Person"), queryset=User.objects.none(), required=False, empty_label=_("Someone without a portal account")
    )
    external_name = forms.CharField(label=_("Name (not a portal user)"), max_length=200, required=False)
    external_email = forms.EmailField(label=_("E-mail (not a portal user)"), required=False)
    side = forms.ChoiceField(
        label=_("Side"), choices=[("", _("From the person")), *TaskSide.choices], required=False
    )
    responsibility = forms.CharField(label=_("Responsibility"), max_length=300, required=False)
    raci = forms.ChoiceField(label=_("RACI"), choices=[("", "—"), *Raci.choices], required=False)
    is_primary = forms.BooleanField(label=_("Primary contact for this side"), required=False)
    backup_for = forms.ModelChoiceField(
        label=_("Backup for"), queryset=Stakeholder.objects.none(), required=False, empty_label=_("Nobody")
    )
    channel = forms.ChoiceField(label=_("Preferred channel"), choices=Channel.choices, initial=Channel.EMAIL)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    FIELDS = ("user", "external_name", "external_email", "side", "responsibility", "raci", "is_primary", "backup_for", "channel", "phone")

    def __init__(self, *args, project, plan=None, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = member_users(project)
        others = Stakeholder.objects.filter(plan=plan).select_related("user") if plan is not None and plan.pk else Stakeholder.objects.none()
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        self.fields["backup_for"].queryset = others
        self.fields["backup_for"].label_from_instance = lambda s: f"{s.name} ({s.get_side_display()})"

    @classmethod
    def initial_from(cls, stakeholder) -> dict:
        return {name: getattr(stakeholder, name) for name in cls.FIELDS}

    def clean(self):
        data = super().clean()
        user = data.get("user")
        if not user and not data.get("external_name"):
            self.add_error("external_name", _("Pick a person or write a name."))
        if user and not data.get("side"):
            data["side"] = TaskSide.CLIENT if user.is_client else TaskSide.TEAM
        if not user and not data.get("side"):
            self.add_error("side", _("Say which side this person is on."))
        return data

    def stakeholder_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.FIELDS}


class AgendaForm(StyledForm):
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    version = VersionField()


class MeetingForm(StyledForm):
    """A one-off meeting; the date and time are wall-clock time in the chosen zone."""

    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=480, initial=30)
    location = forms.CharField(label=_("Location or video link"), max_length=300, required=False)
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = member_users(project)
        self.fields["attendees"].label_from_instance = lambda u: u.display_name

    def add_service_error(self, error: ValidationError) -> None:
        # The service speaks of `starts_at`; on this form that is the date and time the person typed.
        if hasattr(error, "error_dict") and "starts_at" in error.error_dict:
            error = ValidationError({("date" if k == "starts_at" else k): v for k, v in error.error_dict.items()})
        super().add_service_error(error)

    def meeting_fields(self) -> dict:
        """Keyword arguments for `meeting_create`."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "starts_at": dt.datetime.combine(data["date"], data["time"]),
            "duration_minutes": data["duration_minutes"],
            "time_zone": data["time_zone"],
            "location": data["location"],
            "agenda": data["agenda"],
            "attendees": list(data["attendees"]),
        }


class MeetingCancelForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Sent to every attendee with the cancellation."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "cancel_%s")  # the meeting page also shows the move form
        super().__init__(*args, **kwargs)


class MeetingRescheduleForm(StyledForm):
    date = forms.DateField(label=_("New date"), widget=DateInput())
    time = forms.TimeField(label=_("New time"), widget=TimeInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "move_%s")
        super().__init__(*args, **kwargs)


class SeriesEndForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class MeetingHoldForm(StyledForm):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}))
    attended = forms.TypedMultipleChoiceField(
        label=_("Who attended"), widget=forms.CheckboxSelectMultiple, required=False, coerce=int
    )
    share_minutes = forms.BooleanField(label=_("Share the minutes with the client"), required=False, initial=True)

    def __init__(self, *args, meeting: Meeting, attendance, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(a.user_id, a.user.display_name) for a in attendance]


class OutcomeForm(StyledForm):
    KINDS = [("", _("No outcome")), ("task", _("Task")), ("decision", _("Decision"))]

    kind = forms.ChoiceField(label=_("Outcome"), choices=KINDS, required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    owner = PersonChoiceField(label=_("Owner (task)"), queryset=User.objects.none(), required=False, empty_label="—")
    due_date = forms.DateField(label=_("Due (task)"), widget=DateInput(), required=False)
    decision = forms.CharField(label=_("Decision (decision)"), max_length=4000, required=False)
    involvement = forms.ChoiceField(
        label=_("Client involvement (decision)"), choices=Involvement.choices, initial=Involvement.INFORMED, required=False
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_users(project)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        if not data.get("title"):
            self.add_error("title", _("Give the outcome a title."))
        if kind == "task" and not data.get("owner"):
            self.add_error("owner", _("A task needs an owner."))
        if kind == "decision" and not data.get("decision"):
            self.add_error("decision", _("Write what was decided."))
        return data

    def outcome(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        if data["kind"] == "task":
            return {"kind": "task", "title": data["title"], "owner_id": data["owner"].pk, "due_date": data.get("due_date")}
        return {
            "kind": "decision",
            "title": data["title"],
            "decision": data["decision"],
            "involvement": data.get("involvement") or Involvement.INFORMED,
        }


class DecisionForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    context = forms.CharField(label=_("Context"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    options = forms.CharField(label=_("Options considered"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    impact = forms.ChoiceField(label=_("Impact"), choices=Impact.choices, initial=Impact.MEDIUM)
    involvement = forms.ChoiceField(
        label=_("Client involvement"), choices=Involvement.choices, initial=Involvement.INFORMED, widget=forms.RadioSelect
    )
    task = forms.ModelChoiceField(label=_("Related task"), queryset=Task.objects.none(), required=False, empty_label="—")
    meeting = forms.ModelChoiceField(label=_("Related meeting"), queryset=Meeting.objects.none(), required=False, empty_label="—")
    internal = forms.BooleanField(label=_("Internal (hidden from the client)"), required=False)

    FIELDS = ("title", "context", "options", "decision", "impact", "involvement", "task", "meeting", "internal")

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = Task.objects.filter(project=access.project).order_by("-created_at")[:200]
        self.fields["meeting"].queryset = Meeting.objects.filter(project=access.project).order_by("-starts_at")[:100]

    def clean(self):
        data = super().clean()
        if data.get("internal") and data.get("involvement") != Involvement.INFORMED:
            self.add_error("internal", _("An internal decision cannot ask the client anything."))
        return data

    def asks_client(self) -> bool:
        """True when saving e-mails the client people (consulted or approval required, not internal)."""
        data = self.cleaned_data
        return not data.get("internal") and data.get("involvement") in (Involvement.CONSULTED, Involvement.APPROVAL)

    def decision_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.FIELDS}


class DecisionFilterForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status"))], required=False)
    impact = forms.ChoiceField(label=_("Impact"), choices=[("", _("Any impact")), *Impact.choices], required=False)
    involvement = forms.ChoiceField(
        label=_("Client involvement"), choices=[("", _("Any involvement")), *Involvement.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *Decision._meta.get_field("status").choices]


class SupersedeForm(StyledForm):
    successor = forms.ModelChoiceField(label=_("Replaced by"), queryset=Decision.objects.none())

    def __init__(self, *args, decision: Decision, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (
            Decision.objects.filter(project_id=decision.project_id).exclude(pk=decision.pk).order_by("-created_at")
        )


class PlanCompareForm(forms.Form):
    """Which stored version to read (`version`), and which two to compare (`from`, `to`), from a page's query."""

    def __init__(self, *args, versions: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v, _("Version %(n)s") % {"n": v}) for v in versions]
        for name, label in (("version", _("Read version")), ("from", _("Compare")), ("to", _("with"))):
            self.fields[name] = forms.TypedChoiceField(
                label=label, choices=choices, coerce=int, required=False, empty_value=None,
                error_messages={"invalid_choice": _("There is no version %(value)s of this plan.")},
            )
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        if (data.get("from") is None) != (data.get("to") is None) and not self.errors:
            raise ValidationError(_("Choose two versions to compare."))
        if data.get("from") is not None and data.get("from") == data.get("to"):
            raise ValidationError(_("Choose two different versions to compare."))
        return data
