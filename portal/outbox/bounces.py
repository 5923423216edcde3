"""Delivery status notifications (bounces) that come back to Rapport's receiver.

`handle_dsn` is called by the reply receiver for every message that is not a reply: it returns True when the message
was a delivery report and was dealt with, False otherwise (the receiver then records it as not routed). This version
recognises none; the bounce handling of the outbox replaces it.
"""

from __future__ import annotations


def handle_dsn(message) -> bool:
    """Handle `message` (an `email.message.EmailMessage`) if it is a delivery status notification; True when it was."""
    return False
