"""The polite answer to a reply that could not be posted: at most one per sender and day, through the outbox."""

from __future__ import annotations

import hashlib
from email.utils import formataddr

from django.conf import settings
from django.utils import timezone

from portal.accounts.models import User
from portal.outbox.email import base_headers, render_email
from portal.outbox.models import MessageKind, OutboundMessage
from portal.outbox.services import outbox_enqueue

# What the e-mail explains: the sender, the object, or the address itself (malformed, unknown, forged, expired,
# revoked, a deactivated account: all read "no longer valid", which reveals nothing to a stranger).
EXPLAINED = {"sender", "not-visible", "files", "invalid"}


def refusal_key(sender: str, day) -> str:
    digest = hashlib.sha256(sender.strip().lower().encode()).hexdigest()[:32]
    return f"reply-refused:{digest}:{day.isoformat()}"


def queue_refusal(*, sender: str, reason: str) -> bool:
    """Tell `sender` their reply was not posted, unless they were told so earlier today (UTC). True when queued."""
    sender = (sender or "").strip()
    if not sender or "@" not in sender:
        return False
    key = refusal_key(sender, timezone.now().date())
    if OutboundMessage.objects.filter(dedupe_key=key).exists():
        return False
    person = User.objects.filter(email__iexact=sender, is_active=True).first()
    language = person.language if person else settings.LANGUAGE_CODE
    time_zone = person.time_zone if person else settings.TIME_ZONE
    context = {"reason": reason if reason in EXPLAINED else "address", "max_age_days": settings.REPLY_ADDRESS_MAX_AGE_DAYS,
               "max_file_size": settings.ATTACHMENT_MAX_BYTES}
    rendered = render_email("reply_refused", context, language=language, time_zone=time_zone)
    headers = base_headers(kind=MessageKind.NOTICE, language=language)
    headers["From"] = formataddr(("Rapport", settings.RAPPORT_NOTIFY_EMAIL))
    _row, created = outbox_enqueue(
        kind=MessageKind.NOTICE, recipient=person, to_email=sender, dedupe_key=key, subject=rendered.subject,
        body_text=rendered.body_text, body_html=rendered.body_html, headers=headers,
    )
    return created
