"""The audit log: every service that changes tasks, decisions, the plan, meetings or memberships writes here."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable

from django.db import models

from projects.models import AuditEvent


def json_safe(value):
    """`value` as JSON can hold it: model instances become ids, dates ISO strings, decimals and UUIDs strings."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """The current values of `fields` (FKs as ids), for diffing before and after a change."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = field.attname if field.is_relation and field.many_to_one else name
        out[name] = json_safe(getattr(obj, attname))
    return out


def diff(before: dict, after: dict) -> dict:
    """{"field": {"old": ..., "new": ...}} for the fields whose value changed."""
    return {k: {"old": before.get(k), "new": after.get(k)} for k in after if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    project=None,
    changes: dict | None = None,
    internal: bool = True,
) -> AuditEvent:
    """Write one audit row. `action` reads like "task.update"; `changes` like `diff()` returns (values are made
    JSON-safe: model instances become ids, dates ISO strings)."""
    project = project if project is not None else getattr(obj, "project", None)
    return AuditEvent.objects.create(
        project=project,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=json_safe(changes or {}),
        internal=internal,
    )
