"""HTML forms of the manager's and team's workspace. They parse input; services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from portal.accounts.forms import TimeZoneField
from portal.accounts.models import Client, Language
from projects.models import Priority, Project, ProjectStatus, Risk, Role, Severity, TaskSide, TaskStatus

User = get_user_model()


class StyledForm(forms.Form):
    """Bootstrap classes on every widget; errors rendered next to their field by `projects/forms/form.html`."""

    template_name = "projects/forms/form.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def render(self, template_name=None, context=None, renderer=None):
        # Our template lives in templates/, which Django's default form renderer does not search.
        return mark_safe(render_to_string(template_name or self.template_name, context or self.get_context()))  # noqa: S308

    __str__ = render

    def add_service_error(self, error: ValidationError) -> None:
        """Attach a service's ValidationError to the matching fields (or the form)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


def member_users(project, roles=None):
    qs = User.objects.filter(memberships__project=project, is_active=True)
    if roles is not None:
        qs = qs.filter(memberships__role__in=list(roles))
    return qs.order_by("full_name", "email").distinct()


class ProjectForm(StyledForm):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.all())
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Short address"), max_length=80, required=False, help_text=_("Leave empty to derive it from the name.")
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput(), required=False)
    target_launch = forms.DateField(label=_("Target launch"), widget=DateInput(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices, initial=ProjectStatus.PLANNING)

    def clean(self):
        data = super().clean()
        start, launch = data.get("start_date"), data.get("target_launch")
        if start and launch and launch < start:
            self.add_error("target_launch", _("The launch cannot be before the start."))
        return data


class ProjectEditForm(ProjectForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["client"]
        del self.fields["slug"]


class VersionField(forms.IntegerField):
    """The version of the row the person read, sent back in a hidden field; the service compares it with the stored
    one (a mismatch is a conflict). A value that is not a version means the form was altered: a clear error, never a
    server error. Empty means "not checked", as for callers that send none."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        altered = _("This form was altered before it was sent (its version is not valid). Reload the page and make your change again.")
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**31 - 1)
        kwargs.setdefault("error_messages", {"invalid": altered, "min_value": altered, "max_value": altered})
        super().__init__(**kwargs)


class TaskForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    owner = PersonChoiceField(label=_("Owner"), queryset=User.objects.none())
    start_date = forms.DateField(label=_("Start date"), widget=DateInput(), required=False)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput(), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    report_cadence_days = forms.IntegerField(label=_("Report every (days)"), min_value=1, max_value=90, initial=7)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    internal = forms.BooleanField(label=_("Internal (hidden from the client)"), required=False)

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_users(access.project)
        if not access.can_see_internal:
            del self.fields["internal"]

    def clean(self):
        data = super().clean()
        owner = data.get("owner")
        if data.get("internal") and owner is not None and owner.is_client:
            self.add_error("internal", _("A task owned by a client person cannot be internal."))
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("The due date cannot be before the start date."))
        return data


class TaskEditForm(TaskForm):
    """A task's edit form: the fields of a new task, minus the owner (reassigning is its own action), plus the version."""

    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["owner"]


class TaskStatusForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)


class TaskAssignForm(StyledForm):
    owner = PersonChoiceField(label=_("Owner"), queryset=User.objects.none())

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_users(access.project)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class TaskFilterForm(StyledForm):
    side = forms.ChoiceField(label=_("Side"), choices=[("", _("Both sides")), *TaskSide.choices], required=False)
    owner = PersonChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("Anyone"))
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Open")), ("all", _("All")), *TaskStatus.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, access=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_users(access.project) if people is None else people

    def valid_data(self) -> dict:
        """What is valid of the query: a choice no longer offered (a person or a project one has left) is dropped,
        the rest applies."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def valid_query(self) -> dict:
        """The query's valid parts as typed (for an address or a saved filter)."""
        data = self.valid_data()
        return {name: self.data[name] for name in self.fields if data.get(name) not in (None, "", False) and self.data.get(name)}

    def task_filters(self, *, board: bool = False) -> dict:
        """The filters of the tasks pages for `Task.objects.filtered`: open tasks unless a status is chosen; the
        board shows every status unless one is chosen. The CSV export applies the same."""
        data = self.valid_data()
        status = data.get("status") or None
        filters = {
            "side": data.get("side") or None,
            "owner": data.get("owner"),
            "overdue": bool(data.get("overdue")),
            "status": None if status == "all" else (status or "open"),
        }
        if board and filters["status"] == "open":
            filters["status"] = None
        return filters


class MyTaskFilterForm(TaskFilterForm):
    """The tasks page's filters across the person's projects, and which project."""

    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False, to_field_name="slug", empty_label=_("All my projects")
    )

    field_order = ["project", "side", "owner", "status", "overdue"]

    def __init__(self, *args, projects, people, **kwargs):
        super().__init__(*args, people=people, **kwargs)
        self.fields["project"].queryset = projects
        self.order_fields(self.field_order)

    def task_filters(self, *, board: bool = False) -> dict:
        return {**super().task_filters(board=board), "project": self.valid_data().get("project")}


class SavedFilterForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=80, required=False)
    is_default = forms.BooleanField(label=_("Open this one first"), required=False)
    query = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["placeholder"] = _("e.g. Overdue for Acme")


class RiskForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Risk.Kind.choices, initial=Risk.Kind.RISK)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    owner = PersonChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("Nobody yet"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    internal = forms.BooleanField(label=_("Internal (hidden from the client)"), required=False)

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_users(access.project)
        if not access.can_see_internal:
            del self.fields["internal"]


class RiskUpdateForm(RiskForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[(Risk.Status.OPEN, Risk.Status.OPEN.label), (Risk.Status.MITIGATING, Risk.Status.MITIGATING.label)]
    )
    version = VersionField()


class RiskCloseForm(StyledForm):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class InviteForm(StyledForm):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CLIENT)


class MembershipRoleForm(StyledForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


DASHBOARD_SORTS = [
    ("name", _("Name")),
    ("client", _("Client")),
    ("launch", _("Launch date")),
    ("-overdue", _("Most overdue")),
    ("-awaiting", _("Most decisions awaiting")),
    ("next_meeting", _("Next meeting")),
]


class ActivityFilterForm(StyledForm):
    """The Activity tab's filters (GET): a kind of object and the person who acted; both optional."""

    kind = forms.ChoiceField(label=_("What"), required=False)
    person = PersonChoiceField(label=_("Who"), queryset=User.objects.none(), required=False, empty_label=_("Anyone"))

    def __init__(self, *args, people, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything")), *kinds]
        self.fields["person"].queryset = people


class DashboardFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Open projects")), ("all", _("All")), *ProjectStatus.choices], required=False
    )
    # The id of one of the person's clients: their (id, name) pairs are the choices, read once for the select and the
    # check (a model instance per client of a large portfolio is the dashboard's cost that grows with the data).
    client = forms.TypedChoiceField(label=_("Client"), coerce=int, empty_value=None, required=False)
    attention = forms.BooleanField(label=_("Needs attention"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=DASHBOARD_SORTS, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The clients of the person's projects: a semi-join (no DISTINCT over every membership row), two columns.
        mine = Project.objects.filter(memberships__user=user).values("client_id")
        self.fields["client"].choices = [("", _("All clients")), *Client.objects.filter(pk__in=mine).values_list("id", "name")]


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label=_("Choose a password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Repeat the password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    time_zone = TimeZoneField()
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, *args, email: str = "", **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            probe = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(p1, user=probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
