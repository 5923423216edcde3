"""The audit log in words: one whole sentence per action, in the reader's language, with values as people read them.

Each audited action (`audit_record(action=…)` across the services) has its own sentence with named placeholders, so
a translator sees the whole sentence. Values are shown as people read them: dates and times in the reader's zone and
language, choices by their labels, people by name. An audit row names its object generically (`object_type`,
`object_id`), so field labels and choices are found through the model registry by that name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from projects.templatetags.rapport import day, when

# The sentence of each action. %(actor)s is the person (or "Rapport" for the portal itself), %(object)s the object's
# name as it was when the action happened; other placeholders are named by the action.
SENTENCES = {
    "project.create": gettext_lazy("%(actor)s created the project “%(object)s”."),
    "project.update": gettext_lazy("%(actor)s changed the project “%(object)s”."),
    "project.archive": gettext_lazy("%(actor)s archived the project “%(object)s”."),
    "membership.add": gettext_lazy("%(actor)s added %(person)s to the project as %(role)s."),
    "membership.change": gettext_lazy("%(actor)s made %(person)s %(role)s on this project."),
    "membership.remove": gettext_lazy("%(actor)s removed %(person)s from the project."),
    "invitation.create": gettext_lazy("%(actor)s invited %(email)s to join as %(role)s."),
    "invitation.resend": gettext_lazy("%(actor)s sent the invitation to %(email)s again."),
    "invitation.revoke": gettext_lazy("%(actor)s withdrew the invitation to %(email)s."),
    "invitation.accept": gettext_lazy("%(actor)s accepted the invitation and joined the project."),
    "task.create": gettext_lazy("%(actor)s created the task “%(object)s”."),
    "task.update": gettext_lazy("%(actor)s edited the task “%(object)s”."),
    "task.reopen": gettext_lazy("%(actor)s reopened the task “%(object)s”."),
    "task.assign": gettext_lazy("%(actor)s gave the task “%(object)s” to %(owner)s."),
    "task.complete": gettext_lazy("%(actor)s completed the task “%(object)s”."),
    "task.cancel": gettext_lazy("%(actor)s cancelled the task “%(object)s”."),
    "report.submit": gettext_lazy("%(actor)s reported on “%(object)s”: %(percent)s %%, %(state)s."),
    "risk.raise": gettext_lazy("%(actor)s raised “%(object)s”."),
    "risk.update": gettext_lazy("%(actor)s edited the risk “%(object)s”."),
    "risk.close": gettext_lazy("%(actor)s closed the risk “%(object)s”."),
    "plan.update": gettext_lazy("%(actor)s edited the communication plan."),
    "plan.request_sign_off": gettext_lazy("%(actor)s asked the client to sign off the communication plan."),
    "plan.sign_off": gettext_lazy("%(actor)s signed off version %(version)s of the communication plan."),
    "stakeholder.add": gettext_lazy("%(actor)s added “%(object)s” to the plan's stakeholders."),
    "stakeholder.update": gettext_lazy("%(actor)s edited the stakeholder “%(object)s”."),
    "stakeholder.remove": gettext_lazy("%(actor)s removed “%(object)s” from the plan's stakeholders."),
    "meeting_series.create": gettext_lazy("%(actor)s set up the meeting series “%(object)s”."),
    "meeting_series.update": gettext_lazy("%(actor)s changed the meeting series “%(object)s”."),
    "meeting_series.end": gettext_lazy("%(actor)s ended the meeting series “%(object)s”."),
    "meeting.create": gettext_lazy("%(actor)s scheduled the meeting “%(object)s”."),
    "meeting.reschedule": gettext_lazy("%(actor)s moved the meeting “%(title)s” from %(old_starts_at)s to %(starts_at)s."),
    "meeting.cancel": gettext_lazy("%(actor)s cancelled the meeting “%(object)s”."),
    "meeting.agenda": gettext_lazy("%(actor)s updated the agenda of “%(object)s”."),
    "meeting.hold": gettext_lazy("%(actor)s wrote the minutes of “%(object)s”."),
    "meeting.rsvp": gettext_lazy("%(actor)s answered “%(answer)s” to the invitation to “%(object)s”."),
    "decision.record": gettext_lazy("%(actor)s recorded the decision “%(object)s”."),
    "decision.propose": gettext_lazy("%(actor)s proposed the decision “%(object)s”."),
    "decision.approve": gettext_lazy("%(actor)s approved the decision “%(object)s”."),
    "decision.reject": gettext_lazy("%(actor)s rejected the decision “%(object)s”."),
    "decision.supersede": gettext_lazy("%(actor)s replaced the decision “%(object)s” with a newer one."),
    "decision.respond.acknowledged": gettext_lazy("%(actor)s acknowledged the decision “%(object)s”."),
    "decision.respond.approved": gettext_lazy("%(actor)s approved the decision “%(object)s”."),
    "decision.respond.objected": gettext_lazy("%(actor)s objected to the decision “%(object)s”."),
    "health.override": gettext_lazy("%(actor)s set the project's health to “%(level)s”."),
    "health.override_clear": gettext_lazy("%(actor)s cleared the project's health override."),
    "health.warning_acknowledge": gettext_lazy("%(actor)s acknowledged the early warning “%(object)s”."),
    "escalation.handle": gettext_lazy("%(actor)s took on “%(object)s” from an escalation e-mail."),
    "preferences.unsubscribe": gettext_lazy("%(actor)s turned off an e-mail from a link."),
    "milestone.create": gettext_lazy("%(actor)s set the milestone “%(object)s”."),
    "milestone.update": gettext_lazy("%(actor)s changed the milestone “%(object)s”."),
    "milestone.delete": gettext_lazy("%(actor)s removed the milestone “%(object)s”."),
    "comment.post": gettext_lazy("%(actor)s commented on “%(object)s”."),
    "comment.edit": gettext_lazy("%(actor)s edited a comment on “%(object)s”."),
    "comment.remove": gettext_lazy("%(actor)s removed a comment on “%(object)s”."),
    "attachment.add": gettext_lazy("%(actor)s attached the file %(file_name)s to “%(object)s”."),
    "attachment.remove": gettext_lazy("%(actor)s removed the file %(file_name)s from “%(object)s”."),
}

# What the feed filters by: a kind is the actions of some objects.
KINDS = {
    "tasks": (gettext_lazy("Tasks and reports"), ("task.", "report.")),
    "risks": (gettext_lazy("Risks and issues"), ("risk.",)),
    "meetings": (gettext_lazy("Meetings"), ("meeting.", "meeting_series.")),
    "decisions": (gettext_lazy("Decisions"), ("decision.",)),
    "plan": (gettext_lazy("Plan and stakeholders"), ("plan.", "stakeholder.")),
    "milestones": (gettext_lazy("Milestones"), ("milestone.",)),
    "people": (gettext_lazy("People and invitations"), ("membership.", "invitation.")),
    "project": (gettext_lazy("Project and health"), ("project.", "health.", "escalation.")),
    "comments": (gettext_lazy("Comments"), ("comment.",)),
    "files": (gettext_lazy("Files"), ("attachment.",)),
}

# Edits: shown only when something a person reads changed (an edit that changed only counters is no news).
EDITS = frozenset(
    {"project.update", "task.update", "milestone.update", "risk.update", "plan.update", "stakeholder.update", "meeting_series.update",
     "meeting.agenda", "membership.change"}
)
# Bookkeeping in `changes`, never shown: versions, counters, ids of rows the sentence already names.
TECHNICAL = frozenset(
    {"version", "sequence", "plan_version", "occurrences", "attended", "outcomes", "first_start", "report", "via",
     "person", "created", "until", "updated_at", "materialised_until", "last_reported_at", "signed_off_version"}
)
# Keys whose values name an option of another model's field.
CHOICES_ELSEWHERE = {
    "rsvp": ("attendance", "rsvp"), "response": ("decisionresponse", "kind"), "last_state": ("progressreport", "state")
}
# Keys whose values are people's ids.
PEOPLE_KEYS = frozenset({"person", "user", "accepted_by", "owner", "signed_off_by", "decided_by", "recorded_by"})
MAX_CHANGES = 6
PORTAL = "Rapport"  # the actor of what the portal does by itself (a name: not translated)


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    """One feed line: the event, its sentence (safe HTML) and what an edit changed."""

    event: object
    sentence: SafeString
    changes: list[Change] = field(default_factory=list)


@cache
def _models_by_name() -> dict[str, type[models.Model]]:
    return {model._meta.model_name: model for model in apps.get_models()}


def _field(model_name: str, name: str):
    model = _models_by_name().get(model_name)
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # not a field (a note such as "reason"), or one since removed: shown as stored
        return None


@cache
def meaningful_keys() -> list[str]:
    """Every field name an edit may record that a person reads (for the database filter of empty edits)."""
    names = {f.name for model in _models_by_name().values() for f in model._meta.get_fields() if f.concrete}
    return sorted(names - TECHNICAL)


def people_ids(events) -> set[int]:
    """Ids of the people the changes of `events` name: loaded in one query for a whole page."""
    ids = set()
    for event in events:
        for key, change in (event.changes or {}).items():
            if key in PEOPLE_KEYS:
                values = change.values() if isinstance(change, dict) else [change]
                ids.update(v for v in values if isinstance(v, int))
    return ids


def _parse_moment(value):
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _parse_day(value):
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


# How a meeting names itself in `object_repr` (Meeting.__str__): its title, then its start in UTC.
_UTC_STAMP = re.compile(r"^(?P<name>.*) — (?P<stamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC$")


def object_name(event, with_time: bool = True) -> str:
    """The object's name as stored with the event; a start time in it is shown in the reader's zone and language."""
    name = event.object_repr or f"#{event.object_id}"
    match = _UTC_STAMP.match(name)
    if match and not with_time:
        return match["name"]
    if match:
        moment = dt.datetime.strptime(match["stamp"], "%Y-%m-%d %H:%M").replace(tzinfo=dt.UTC)
        return f"{match['name']}, {when(moment)}"
    return name


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "…"


def readable(model_name: str, key: str, value, people: dict) -> str:
    """`value` of `key` as a person reads it: a name, a choice's label, a date in their zone and language."""
    if value is None or value == "" or value == []:
        return "—"
    if key in PEOPLE_KEYS:
        person = people.get(value)
        return person.display_name if person is not None else _("a former member")
    model_field = _field(*CHOICES_ELSEWHERE[key]) if key in CHOICES_ELSEWHERE else _field(model_name, key)
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.DateTimeField) or (model_field is None and _parse_moment(value)):
        moment = _parse_moment(value)
        return when(moment) if moment else str(value)
    if isinstance(model_field, models.DateField):
        date = _parse_day(value)
        return day(date) if date else str(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return _short(str(value))


def _label(model_name: str, key: str) -> str:
    model_field = _field(model_name, key)
    if model_field is not None and hasattr(model_field, "verbose_name"):
        return str(model_field.verbose_name)
    return key.replace("_", " ")


def _new(event, key):
    change = (event.changes or {}).get(key)
    if isinstance(change, dict):
        return change.get("new") if change.get("new") is not None else change.get("old")
    return change


def changes_of(event, people: dict) -> list[Change]:
    """(label, old, new) of an edit as people read them; unchanged and bookkeeping values left out."""
    if event.action not in EDITS and event.action not in {"task.reopen", "meeting_series.end", "meeting.cancel"}:
        return []
    rows = []
    for key, change in (event.changes or {}).items():
        if key in TECHNICAL or not isinstance(change, dict) or "new" not in change:
            continue
        model_field = _field(event.object_type, key)
        if model_field is not None and model_field.is_relation and key not in PEOPLE_KEYS:
            continue
        old = readable(event.object_type, key, change.get("old"), people)
        new = readable(event.object_type, key, change.get("new"), people)
        if old != new:
            rows.append(Change(_label(event.object_type, key), old, new))
    return rows[:MAX_CHANGES]


def _strong(text) -> SafeString:
    return format_html("<strong>{}</strong>", text)


def _params(event, people: dict) -> dict:
    """The named values the sentences use, each escaped; what an action does not record reads "—"."""
    model = event.object_type
    changes = event.changes if isinstance(event.changes, dict) else {}

    def value(key, model_name=model, field_key=None) -> str:
        return readable(model_name, field_key or key, _new(event, key), people)

    name = object_name(event)
    person = value("user") if changes.get("user") else name.split(" — ")[0]  # Membership: "person — project (role)"
    return {
        "object": _strong(name),
        "title": _strong(object_name(event, with_time=False)),
        "old_starts_at": conditional_escape(readable(model, "starts_at", (changes.get("starts_at") or {}).get("old"), people)),
        "person": _strong(person),
        "owner": _strong(value("owner")),
        "role": conditional_escape(value("role")),
        "email": conditional_escape(value("email") if changes.get("email") else name.split(" → ")[0]),
        "percent": conditional_escape(_new(event, "last_percent") if _new(event, "last_percent") is not None else "—"),
        "state": conditional_escape(value("last_state")),
        "answer": conditional_escape(value("rsvp")),
        "level": conditional_escape(value("level")),
        "version": conditional_escape(_new(event, "signed_off_version") or "—"),
        "starts_at": conditional_escape(value("starts_at")),
        "file_name": _strong(changes.get("file_name") or "—"),
    }


def sentence(event, people: dict) -> SafeString:
    """The event as one sentence in the active language (values escaped, names in bold)."""
    actor = _strong(event.actor.display_name if event.actor_id and event.actor else PORTAL)
    params = {"actor": actor, **_params(event, people)}
    if event.action == "meeting_series.materialise":
        count = event.changes.get("created", 0) if isinstance(event.changes, dict) else 0
        text = ngettext(
            "%(actor)s added %(count)s meeting of the series “%(object)s” to the calendar.",
            "%(actor)s added %(count)s meetings of the series “%(object)s” to the calendar.",
            count,
        )
        return mark_safe(text % {**params, "count": count})  # noqa: S308 - every value is escaped
    key = event.action
    if key == "decision.respond":
        key = f"{key}.{_new(event, 'response')}"
    template = SENTENCES.get(key)
    if template is None:  # an action newer than this list: still readable, with the action's own name
        return format_html("{} — {} “{}”", actor, event.action, params["object"])
    return mark_safe(str(template) % params)  # noqa: S308 - every value is escaped


def entries(events, people: dict) -> list[Entry]:
    return [Entry(event=e, sentence=sentence(e, people), changes=changes_of(e, people)) for e in events]
