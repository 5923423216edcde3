"""QuerySet pieces shared by the apps' models."""

from __future__ import annotations

from django.db import models


class VisibilityQuerySet(models.QuerySet):
    """The one rule for rows with an `internal` flag: client people never see internal ones.

    `visible_to(access)` is for a person's own view (anything with `can_see_internal`: everything for the team,
    only client-visible rows otherwise); `visible_to_clients()` is for what goes to client people without an
    access object at hand (digests, e-mails, agendas, calendar feeds).
    """

    def visible_to_clients(self):
        return self.filter(internal=False)

    def visible_to(self, access):
        return self if access.can_see_internal else self.visible_to_clients()
