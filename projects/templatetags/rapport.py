"""Template helpers for the portal: times in the viewer's zone with the zone named, relative times, chips."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from portal.core.time import zone, zone_label
from projects.models import ReportState

register = template.Library()


def _aware(value):
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)
    return None


def _in_zone(value: dt.datetime, tz_name: str | None) -> tuple[dt.datetime, str]:
    """`value` on the wall clock of `tz_name`, or of the active zone (the reader's), and that zone's name."""
    if tz_name:
        return value.astimezone(zone(tz_name)), tz_name
    return timezone.localtime(value), timezone.get_current_timezone_name()


@register.filter
def when(value, tz_name: str | None = None) -> str:
    """'Thu 3 Dec, 10:00 Moscow' in the active zone (the reader's) or in `tz_name`."""
    value = _aware(value)
    if value is None:
        return ""
    local, name = _in_zone(value, tz_name)
    return f"{date_format(local, 'SHORT_DATETIME_FORMAT')} {zone_label(name, value)}"


@register.filter
def clock(value, tz_name: str | None = None) -> str:
    """'10:00 Moscow': the wall-clock time in `tz_name` (recurring meetings) or in the active zone."""
    value = _aware(value)
    if value is None:
        return ""
    local, name = _in_zone(value, tz_name)
    return f"{date_format(local, 'TIME_FORMAT')} {zone_label(name, value)}"


@register.filter
def when_short(value) -> str:
    """'Thu 3 Dec, 10:00' in the reader's zone — for tables and sentences where the zone is named once."""
    value = _aware(value)
    if value is None:
        return ""
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


@register.filter
def day(value) -> str:
    """'Thu 3 Dec 2026' for dates (and datetimes in the reader's zone)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(_aware(value)).date()
    return date_format(value, "SHORT_DATE_FORMAT")


@register.filter
def zone_name(tz_name: str | None) -> str:
    """'Yekaterinburg' for 'Asia/Yekaterinburg' (see portal.core.time.zone_label)."""
    return zone_label(tz_name)


@register.simple_tag
def viewer_zone() -> str:
    return zone_label(timezone.get_current_timezone_name())


def ago_text(value: dt.datetime, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    seconds = int((now - value).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        n = seconds // 60
        text = ngettext("%(n)d min", "%(n)d min", n) % {"n": n}
    elif seconds < 86400:
        n = seconds // 3600
        text = ngettext("%(n)d h", "%(n)d h", n) % {"n": n}
    else:
        n = seconds // 86400
        text = ngettext("%(n)d day", "%(n)d days", n) % {"n": n}
    if future:
        return _("in %(time)s") % {"time": text}
    return _("%(time)s ago") % {"time": text}


@register.filter
def ago(value) -> str:
    """'2 h ago' inside a <time> element whose title is the exact local time."""
    value = _aware(value)
    if value is None:
        return ""
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', value.isoformat(), when(value), ago_text(value)
    )


@register.filter
def launch_in(project) -> str:
    days = getattr(project, "days_to_launch", None)
    if days is None:
        return ""
    if days > 0:
        return ngettext("launch in %(n)d day", "launch in %(n)d days", days) % {"n": days}
    if days == 0:
        return _("launch today")
    return ngettext("launched %(n)d day ago", "launched %(n)d days ago", -days) % {"n": -days}


# value -> (class from rapport.css, extra icon when that class draws none)
_CHIPS = {
    "healthy": ("chip-healthy", ""),
    "watch": ("chip-watch", ""),
    "at_risk": ("chip-at-risk", ""),
    "unknown": ("chip-neutral", "bi-question-circle"),
    "on_track": ("chip-on-track", ""),
    "missed": ("chip-blocked", ""),
    "overdue": ("chip-blocked", ""),
    "blocked": ("chip-blocked", ""),
    "done": ("chip-done", ""),
    "todo": ("chip-neutral", "bi-circle"),
    "in_progress": ("chip-info", ""),
    "cancelled": ("chip-done", ""),
    "client": ("chip-side-client", "bi-building"),
    "team": ("chip-side-team", "bi-people"),
    "held": ("chip-on-track", ""),
    "scheduled": ("chip-info", ""),
    "rescheduled": ("chip-watch", ""),
    "approved": ("chip-on-track", ""),
    "acknowledged": ("chip-info", ""),
    "objected": ("chip-blocked", ""),
    "proposed": ("chip-watch", ""),
    "rejected": ("chip-blocked", ""),
    "superseded": ("chip-done", ""),
    "open": ("chip-watch", ""),
    "mitigating": ("chip-info", ""),
    "closed": ("chip-done", ""),
    "low": ("chip-neutral", "bi-chevron-down"),
    "normal": ("chip-neutral", "bi-dash"),
    "medium": ("chip-watch", ""),
    "high": ("chip-at-risk", ""),
    "critical": ("chip-blocked", ""),
    "urgent": ("chip-blocked", ""),
    "informed": ("chip-neutral", "bi-info-circle"),
    "planning": ("chip-info", ""),
    "active": ("chip-on-track", ""),
    "on_hold": ("chip-watch", ""),
    "completed": ("chip-done", ""),
    "consulted": ("chip-info", ""),
    "approval": ("chip-watch", ""),
}


@register.simple_tag
def chip(value, label) -> str:
    """A status chip: colour, icon and word (classes from rapport.css / workspace.css)."""
    css, icon = _CHIPS.get(str(value), ("chip-neutral", "bi-dot"))
    if icon:
        return format_html('<span class="chip {}"><i class="bi {}" aria-hidden="true"></i> {}</span>', css, icon, label)
    return format_html('<span class="chip {}">{}</span>', css, label)


@register.simple_tag
def state_chip(state, percent=None) -> str:
    """The chip of a report's state ('on track · 40 %'), for task rows and report histories: the state's own word, and
    its class in rapport.css (`chip-on-track`, …); anything else reads as done."""
    state = ReportState(state) if state in ReportState.values else ReportState.DONE
    css = state.value.replace("_", "-")
    if percent is None:
        return format_html('<span class="chip chip-{}">{}</span>', css, state.label)
    return format_html('<span class="chip chip-{}">{} · {} %</span>', css, state.label, percent)


@register.filter
def select_options(bound_field) -> list[tuple[str, object, bool]]:
    """(value, label, selected) for each option of a single-choice field, read straight from its choices: what the
    Select widget would mark, without building a widget context per option. The first option whose value is the
    field's current value is selected; no value selects the empty option."""
    current = bound_field.value()
    current = "" if current is None else str(current)
    options, chosen = [], False
    for value, label in bound_field.field.choices:
        text = str(value)
        selected = not chosen and text == current
        chosen = chosen or selected
        options.append((text, label, selected))
    return options


@register.filter
def get_item(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)


_VERBS = {
    "create": pgettext_lazy("activity", "created"),
    "raise": pgettext_lazy("activity", "raised"),
    "update": pgettext_lazy("activity", "changed"),
    "assign": pgettext_lazy("activity", "reassigned"),
    "complete": pgettext_lazy("activity", "completed"),
    "cancel": pgettext_lazy("activity", "cancelled"),
    "close": pgettext_lazy("activity", "closed"),
    "reschedule": pgettext_lazy("activity", "moved"),
    "hold": pgettext_lazy("activity", "closed with minutes"),
    "record": pgettext_lazy("activity", "recorded"),
    "propose": pgettext_lazy("activity", "proposed"),
    "approve": pgettext_lazy("activity", "approved"),
    "reject": pgettext_lazy("activity", "rejected"),
    "supersede": pgettext_lazy("activity", "superseded"),
    "respond": pgettext_lazy("activity", "answered"),
    "add": pgettext_lazy("activity", "added"),
    "remove": pgettext_lazy("activity", "removed"),
    "change": pgettext_lazy("activity", "changed"),
    "revoke": pgettext_lazy("activity", "revoked"),
    "resend": pgettext_lazy("activity", "re-sent"),
    "accept": pgettext_lazy("activity", "accepted"),
    "submit": pgettext_lazy("activity", "reported on"),
    "sign_off": pgettext_lazy("activity", "signed off"),
    "request_sign_off": pgettext_lazy("activity", "asked the client to sign off"),
    "end": pgettext_lazy("activity", "ended"),
    "archive": pgettext_lazy("activity", "archived"),
    "handle": pgettext_lazy("activity", "took on"),
    "override": pgettext_lazy("activity", "set the health level of"),
    "override_clear": pgettext_lazy("activity", "cleared the health level of"),
    "warning_acknowledge": pgettext_lazy("activity", "acknowledged a warning on"),
    "unsubscribe": pgettext_lazy("activity", "unsubscribed from e-mails of"),
}


def _model_for(model_name: str):
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.model_name == model_name:
            return model
    return None


@register.simple_tag
def audit_sentence(event) -> str:
    """'Anna Petrova changed task “Upload logo”' from an AuditEvent."""
    verb_key = event.action.split(".", 1)[-1].replace("-", "_")
    verb = _VERBS.get(verb_key, verb_key.replace("_", " "))
    model = _model_for(event.object_type)
    kind = model._meta.verbose_name if model else event.object_type
    actor = event.actor.display_name if event.actor_id and event.actor else _("The system")
    return format_html(
        "<strong>{}</strong> {} {} <q>{}</q>", actor, verb, kind, event.object_repr or f"#{event.object_id}"
    )


def _short(value) -> str:
    if value is None or value == "":
        return ""
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


_CREATING = {"create", "raise", "record", "propose", "add", "accept", "submit"}
_TECHNICAL = {"version", "sequence", "plan_version", "occurrences", "attended", "outcomes", "first_start"}


@register.simple_tag
def audit_changes(event, limit: int = 6) -> list[tuple[str, str, str]]:
    """(label, old, new) for the readable changes of an edit; creations and internal counters are left out."""
    if event.action.split(".", 1)[-1] in _CREATING or not isinstance(event.changes, dict):
        return []
    model = _model_for(event.object_type)
    fields = {f.name: f for f in model._meta.get_fields() if hasattr(f, "verbose_name")} if model else {}
    rows = []
    for name, change in event.changes.items():
        if name in _TECHNICAL or not isinstance(change, dict) or "new" not in change:
            continue
        field = fields.get(name)
        if field is not None and field.is_relation:
            continue
        label = field.verbose_name if field is not None else name.replace("_", " ")
        rows.append((label, _short(change.get("old")), _short(change.get("new"))))
    return rows[:limit]
