"""Reads on a person's own account."""

from __future__ import annotations

from rest_framework.authtoken.models import Token

from portal.accounts.models import User
from portal.accounts.services import TOKEN_ID_LENGTH


def api_tokens_for(*, user: User) -> list[dict]:
    """The person's API tokens as they may be shown: the public id (never the key) and when it was made."""
    return [
        {"id": key[:TOKEN_ID_LENGTH], "created": created}
        for key, created in Token.objects.filter(user=user).order_by("-created").values_list("key", "created")
    ]
