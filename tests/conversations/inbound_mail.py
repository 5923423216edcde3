"""Replies as mail programs write them, for the reply-by-e-mail tests."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

GMAIL_QUOTE = """

--
Boris Client
Acme Ltd, +1 555 0100

On Mon, Dec 7, 2026 at 10:00 AM Anna Petrova via Rapport <notifications@example.com>
wrote:
> Anna Petrova mentioned you on “Homepage copy”:
> @Boris Client is the copy final?
>
> Open the conversation: http://127.0.0.1:8000/projects/acme-portal/tasks/1/comments/
"""

RUSSIAN_QUOTE = """

С уважением,
Борис

7 декабря 2026 г., в 10:00, Anna Petrova via Rapport <notifications@example.com> написал(а):
> Anna Petrova упомянула вас в «Homepage copy»:
> @Boris Client текст готов?
"""


def reply(*, to: str, sender: str, text: str, message_id: str | None = None, headers: dict | None = None,
          files: list[tuple[str, str, bytes]] = ()) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Re: Anna Petrova mentioned you on “Homepage copy”"
    message["Message-ID"] = message_id or make_msgid(domain="mail.acme.example")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    for name, content_type, content in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()
