"""The manager clears an undeliverable address once the person has fixed it: mail goes to it again from then on."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from engagement.selectors.unreachable import unreachable_in_project
from portal.outbox.models import Suppression
from portal.outbox.suppressions import suppression_clear


def unreachable_clear(*, actor, access, stakeholders: list, suppression_id: int) -> Suppression:
    """Only the project's plan editor, only for an address of someone in the project."""
    if not access.can_edit_plan:
        raise PermissionDenied
    suppression = unreachable_in_project(project=access.project, stakeholders=stakeholders, suppression_id=suppression_id)
    if suppression is None:
        raise Http404
    return suppression_clear(suppression=suppression, actor=actor)
