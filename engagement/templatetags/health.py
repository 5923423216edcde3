"""Early-warning wording in templates: `{{ warning|reason_texts }}` (see `engagement.health.reasons`)."""

from __future__ import annotations

from django import template

from engagement.health import reasons

register = template.Library()


@register.filter
def reason_texts(warning) -> list[str]:
    return reasons.reason_texts(warning)
