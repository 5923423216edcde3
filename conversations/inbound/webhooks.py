"""Mail providers' inbound webhooks, through django-anymail (`/anymail/<provider>/inbound/`): anymail verifies the
request and parses the provider's format; this receiver of its `inbound` signal hands the message to the one
service the SMTP receiver uses too."""

from __future__ import annotations

from conversations.inbound.service import receive_message


def on_inbound(sender, event, esp_name, **kwargs) -> None:
    message = event.message
    recipients = [message.envelope_recipient] if message.envelope_recipient else []
    receive_message(message.as_bytes(), recipients=recipients, mail_from=message.envelope_sender,
                    source=str(esp_name).lower()[:10])
