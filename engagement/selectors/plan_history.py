"""The communication plan's history: its stored versions, who signed which, and the difference between two
versions in words, section by section (contacts, cadence, channels, response targets, escalation, expectations).

Each `PlanVersion` holds a frozen copy of the plan (`engagement.services.plan._content`): the plan's fields and
its stakeholders with their ids, so a person can be followed from one version to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from engagement.models import Channel, CommunicationPlan, PlanVersion, Raci
from portal.accounts.models import Weekday
from projects.models import TaskSide

ADDED, REMOVED, CHANGED = "added", "removed", "changed"

SECTIONS = (
    ("contacts", gettext_lazy("Contacts")),
    ("cadence", gettext_lazy("Cadence")),
    ("channels", gettext_lazy("Channels")),
    ("response_targets", gettext_lazy("Response targets")),
    ("escalation", gettext_lazy("Escalation")),
    ("expectations", gettext_lazy("Expectations")),
)
# Plan field → (section, what it is called in that section)
PLAN_FIELDS = {
    "status_update_cadence_days": ("cadence", gettext_lazy("Status update")),
    "digest_weekday": ("cadence", gettext_lazy("Digest day")),
    "digest_hour": ("cadence", gettext_lazy("Digest hour")),
    "channels": ("channels", gettext_lazy("Channels")),
    "client_response_hours": ("response_targets", gettext_lazy("The client answers within")),
    "team_response_hours": ("response_targets", gettext_lazy("The team answers within")),
    "escalation_path": ("escalation", gettext_lazy("Escalation path")),
    "expectations": ("expectations", gettext_lazy("Expectations")),
}
STAKEHOLDER_FIELDS = {
    "side": gettext_lazy("Side"),
    "responsibility": gettext_lazy("Responsibility"),
    "raci": gettext_lazy("RACI"),
    "is_primary": gettext_lazy("Primary contact"),
    "backup_for": gettext_lazy("Backup for"),
    "channel": gettext_lazy("Preferred channel"),
    "phone": gettext_lazy("Phone"),
    "external_email": gettext_lazy("E-mail"),
}


@dataclass(frozen=True)
class Change:
    kind: str  # ADDED, REMOVED or CHANGED
    label: str
    old: str = ""
    new: str = ""
    facts: tuple[str, ...] = ()  # what the plan says of a contact added or removed


@dataclass
class Section:
    key: str
    title: str
    changes: list[Change] = field(default_factory=list)


def plan_versions(plan: CommunicationPlan) -> QuerySet[PlanVersion]:
    """Every stored version of `plan`, newest first, with who saved and who signed it (two joins, no more)."""
    if not plan.pk:
        return PlanVersion.objects.none()
    return PlanVersion.objects.filter(plan=plan).select_related("created_by", "signed_off_by").order_by("-version")


def signed_plan_version(plan: CommunicationPlan, number: int | None = None) -> PlanVersion | None:
    """The version signed off last, or version `number` if it was signed off; None when there is no such version."""
    versions = plan_versions(plan).filter(signed_off_by__isnull=False)
    if number is not None:
        versions = versions.filter(version=number)
    return versions.first()


def _empty() -> str:
    return _("(empty)")


def field_words(name: str, value) -> str:
    """A plan field's value as a reader says it."""
    if value in (None, ""):
        return _empty()
    if name == "status_update_cadence_days":
        return ngettext("every %(n)d day", "every %(n)d days", value) % {"n": value}
    if name == "digest_weekday":
        return str(Weekday(value).label)
    if name == "digest_hour":
        return f"{int(value):02d}:00"
    if name in ("client_response_hours", "team_response_hours"):
        return ngettext("%(n)d hour", "%(n)d hours", value) % {"n": value}
    return str(value)


def _stakeholder_words(name: str, value, names: dict[int, str]) -> str:
    if name == "is_primary":
        return _("yes") if value else _("no")
    if value in (None, ""):
        return "—"
    if name == "side":
        return str(TaskSide(value).label)
    if name == "raci":
        return str(Raci(value).label)
    if name == "channel":
        return str(Channel(value).label)
    if name == "backup_for":
        return names.get(value, "—")
    return str(value)


def stakeholder_facts(person: dict, names: dict[int, str]) -> list[str]:
    """What the plan says about one stakeholder, as short phrases (side, primary, backup, role, channel)."""
    facts = [_("%(side)s side") % {"side": _stakeholder_words("side", person.get("side"), names)}]
    if person.get("is_primary"):
        facts.append(_("primary contact"))
    if person.get("backup_for"):
        facts.append(_("backup for %(name)s") % {"name": names.get(person["backup_for"], "—")})
    if person.get("responsibility"):
        facts.append(person["responsibility"])
    if person.get("raci"):
        facts.append(_stakeholder_words("raci", person["raci"], names))
    facts.append(_("by %(channel)s") % {"channel": _stakeholder_words("channel", person.get("channel"), names)})
    return facts


def _key(person: dict):
    """A stakeholder's identity across versions: its id (names only in copies stored without ids)."""
    return person.get("id") or person.get("name") or person.get("external_name")


def _names(content: dict) -> dict:
    return {_key(p): p.get("name") or p.get("external_name") or "—" for p in content.get("stakeholders", [])}


def _contact_changes(old: dict, new: dict) -> list[Change]:
    old_names, new_names = _names(old), _names(new)
    before = {_key(p): p for p in old.get("stakeholders", [])}
    after = {_key(p): p for p in new.get("stakeholders", [])}
    changes = []
    for pk, person in after.items():
        if pk not in before:
            changes.append(Change(ADDED, new_names[pk], facts=tuple(stakeholder_facts(person, new_names))))
            continue
        for name, label in STAKEHOLDER_FIELDS.items():
            was = _stakeholder_words(name, before[pk].get(name), old_names)
            now = _stakeholder_words(name, person.get(name), new_names)
            if was != now:
                changes.append(Change(CHANGED, f"{new_names[pk]} — {label}", old=was, new=now))
    for pk, person in before.items():
        if pk not in after:
            changes.append(Change(REMOVED, old_names[pk], facts=tuple(stakeholder_facts(person, old_names))))
    return changes


def plan_diff(old: PlanVersion, new: PlanVersion) -> list[Section]:
    """What changed from `old` to `new`, section by section in the plan's order; sections without a change are left out."""
    sections = {key: Section(key, str(title)) for key, title in SECTIONS}
    sections["contacts"].changes = _contact_changes(old.content, new.content)
    for name, (key, label) in PLAN_FIELDS.items():
        was, now = old.content.get(name), new.content.get(name)
        if was == now:
            continue
        if was in (None, ""):
            sections[key].changes.append(Change(ADDED, str(label), new=field_words(name, now)))
        elif now in (None, ""):
            sections[key].changes.append(Change(REMOVED, str(label), old=field_words(name, was)))
        else:
            sections[key].changes.append(Change(CHANGED, str(label), old=field_words(name, was), new=field_words(name, now)))
    return [s for s in sections.values() if s.changes]


def version_document(version: PlanVersion) -> dict:
    """One stored version as a reader sees it: each section's fields in words, and the stakeholders by side."""
    content, names = version.content, _names(version.content)
    sections = []
    for key, title in SECTIONS:
        if key == "contacts":
            continue
        rows = [(str(label), field_words(name, content.get(name))) for name, (k, label) in PLAN_FIELDS.items() if k == key]
        sections.append({"key": key, "title": str(title), "rows": rows})
    people = [{"name": names[_key(p)], "facts": stakeholder_facts(p, names)} for p in content.get("stakeholders", [])]
    return {"sections": sections, "people": people}


def plan_changes_since_sign_off(plan: CommunicationPlan) -> tuple[int, list[Section]] | None:
    """(the last signed version, what changed since) when the current version is not the signed one; else None."""
    if not plan.pk or not plan.changed_since_sign_off:
        return None
    rows = {v.version: v for v in PlanVersion.objects.filter(plan=plan, version__in=[plan.signed_off_version, plan.version])}
    if len(rows) != 2:
        return None
    return plan.signed_off_version, plan_diff(rows[plan.signed_off_version], rows[plan.version])
