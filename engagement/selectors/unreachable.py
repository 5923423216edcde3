"""Who in a project cannot be reached by e-mail, and why: what the manager reads on the plan page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Lower

from portal.accounts.models import User
from portal.outbox.models import Suppression
from portal.outbox.suppressions import normalise


@dataclass(frozen=True)
class UnreachableContact:
    suppression: Suppression
    name: str
    backups: tuple[str, ...]  # who gets their requests meanwhile (their backups in the plan)


def _in_project(project, stakeholders):
    """Suppressions in force for the project's members' addresses and the plan's stakeholders' addresses."""
    members = User.objects.filter(memberships__project=project).annotate(lower=Lower("email")).values("lower")
    listed = {normalise(s.email) for s in stakeholders if s.email}
    return Suppression.objects.filter(cleared_at__isnull=True).filter(Q(address__in=members) | Q(address__in=listed))


def unreachable_contacts(*, project, stakeholders: list) -> list[UnreachableContact]:
    """The project's people whose address bounced or complained, with their name and backups, in one query
    (`stakeholders` are the plan's, already loaded with their users and the person they back up)."""
    names = User.objects.annotate(lower=Lower("email")).filter(lower=OuterRef("address")).values("full_name")[:1]
    rows = _in_project(project, stakeholders).annotate(person=Subquery(names)).order_by("address")
    out = []
    for suppression in rows:
        listed = next((s.name for s in stakeholders if normalise(s.email) == suppression.address), "")
        backups = tuple(
            s.name for s in stakeholders if s.backup_for_id and normalise(s.backup_for.email) == suppression.address
        )
        out.append(UnreachableContact(suppression, suppression.person or listed or suppression.address, backups))
    return out


def unreachable_in_project(*, project, stakeholders: list, suppression_id: int) -> Suppression | None:
    """The suppression `suppression_id` if it concerns someone of this project (else None: not the manager's)."""
    return _in_project(project, stakeholders).filter(pk=suppression_id).first()
