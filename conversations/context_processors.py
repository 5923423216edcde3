"""The header's bell: the signed-in person's unread count, counted once and only when a template shows it."""

from __future__ import annotations

from functools import cached_property

from conversations.selectors import unread_count


class Bell:
    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        return unread_count(self.user)


def inbox(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bell": Bell(user)}
