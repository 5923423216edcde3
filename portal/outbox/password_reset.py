"""Password-reset e-mail through the outbox.

The request does the same work whatever was typed: two rate-limit counters and one outbox row addressed to the typed
address. Whether the address belongs to an account is decided at send time by the worker (`render_password_reset`):
for an unknown address, an inactive account or one without a usable password the row is skipped. So the page
answers in the same time for every address, and a reset mail is retried like every message when SMTP refuses.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.exceptions import RateLimited
from portal.core.ratelimit import Limit, hit
from portal.outbox.email import Rendered, absolute, base_headers, render_email
from portal.outbox.models import MessageKind, OutboundMessage
from portal.outbox.services import outbox_enqueue

RENDERER = "portal.outbox.password_reset.render_password_reset"
HOUR = 3600


def _limits() -> tuple[Limit, Limit]:
    return (
        Limit("password-reset-address", settings.PASSWORD_RESET_LIMIT_PER_ADDRESS, HOUR),
        Limit("password-reset-account", settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT, HOUR),
    )


@transaction.atomic
def password_reset_request(*, email: str, address: str) -> OutboundMessage | None:
    """Queue a reset e-mail for `email`, requested from `address`.

    Raises `RateLimited` when the address asked too often this hour. Past the per-account limit nothing more is
    queued and nothing is said: the person already has reset links in their mailbox, and the answer must not differ
    from anyone else's. Returns the queued row (None past the per-account limit).
    """
    per_address, per_account = _limits()
    if not hit(per_address, address or "unknown"):
        raise RateLimited(_("Too many password-reset requests from your network. Please try again in an hour."))
    if not hit(per_account, email):
        return None
    row, _created = outbox_enqueue(
        kind=MessageKind.PASSWORD_RESET,
        dedupe_key=f"password-reset:{uuid.uuid4().hex}",
        to_email=email,
        payload={"render": RENDERER, "email": email},
    )
    return row


def render_password_reset(row: OutboundMessage) -> Rendered | None:
    """The reset e-mail for the account the row's address belongs to, in its language; None (skipped) when there is
    no active account with a usable password. The link is made now, so a retried message carries a fresh one."""
    user = User.objects.filter(email__iexact=row.payload.get("email", ""), is_active=True).first()
    if user is None or not user.has_usable_password():
        return None
    path = reverse(
        "password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    rendered = render_email(
        "password_reset",
        {"person": user, "reset_url": absolute(path), "hours": settings.PASSWORD_RESET_TIMEOUT // HOUR},
        language=user.language,
        time_zone=user.time_zone,
    )
    rendered.headers = base_headers(kind=MessageKind.PASSWORD_RESET, language=user.language)
    return rendered
