"""Reading an inbound e-mail: whether a machine sent it, who sent it, its Message-ID, its text and its files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

from django.conf import settings

PRECEDENCE_AUTOMATED = {"bulk", "junk", "list", "auto_reply"}
AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponse")
LIST_HEADERS = ("List-Id", "List-Post", "List-Unsubscribe", "Mailing-List")


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


def message_id(message: EmailMessage, raw: bytes) -> str:
    """The Message-ID, or a digest of the bytes for the rare message without one (a retry still matches)."""
    value = " ".join(str(message.get("Message-ID", "")).split())
    return value[:250] if value else f"sha256:{hashlib.sha256(raw).hexdigest()}"


def addresses(message: EmailMessage, header: str) -> list[str]:
    return [address.strip() for _name, address in getaddresses([str(v) for v in message.get_all(header, [])]) if address]


def sender(message: EmailMessage) -> str:
    """The From address ('' when there is none or several)."""
    found = addresses(message, "From")
    return found[0] if len(found) == 1 else ""


def automated_reason(message: EmailMessage, *, mail_from: str | None = None) -> str:
    """Why this message was written by a machine, a bounce or a mailing list ('' for a person's mail):
    `Auto-Submitted` other than `no`, `Precedence: bulk/junk/list`, an empty return path, the auto-reply headers of
    Exchange and others, list headers, a delivery report, or mail from the inbound domain or Rapport itself."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return "auto-submitted"
    if str(message.get("Precedence", "")).strip().lower() in PRECEDENCE_AUTOMATED:
        return "precedence"
    if mail_from == "" or ("Return-Path" in message and str(message["Return-Path"]).strip() in ("<>", "")):
        return "null-return-path"
    if any(header in message for header in AUTOREPLY_HEADERS):
        return "auto-reply"
    if any(header in message for header in LIST_HEADERS):
        return "list"
    if message.get_content_type() == "multipart/report":
        return "report"
    origin = sender(message).lower()
    ours = {settings.RAPPORT_NOTIFY_EMAIL.lower(), settings.RAPPORT_CALENDAR_EMAIL.lower()}
    if origin in ours or origin.endswith("@" + settings.INBOUND_EMAIL_DOMAIN):
        return "loop"
    return ""


class _TextOfHtml(HTMLParser):
    """The text of an HTML part, without quoted history (blockquotes, Gmail's and Yandex's quote blocks)."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "ul", "ol", "table"}
    SKIPPED = {"blockquote", "style", "script", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if self.skipping or tag in self.SKIPPED or "gmail_quote" in classes or "yandex_quote" in classes:
            if tag not in ("br", "img", "hr", "meta", "link", "input"):
                self.skipping.append(tag)
            return
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if self.skipping:
            if self.skipping[-1] == tag:
                self.skipping.pop()
            return
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)

    def text(self) -> str:
        lines = [" ".join(line.split()) for line in "".join(self.parts).splitlines()]
        out: list[str] = []
        for line in lines:
            if line or (out and out[-1]):
                out.append(line)
        return "\n".join(out).strip()


def body_text(message: EmailMessage) -> str:
    """The text part, or the text of the HTML part when there is no text part."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):
        content = part.get_payload(decode=True).decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        parser = _TextOfHtml()
        parser.feed(content)
        return parser.text()
    return content


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    content: bytes


def attachments(message: EmailMessage) -> list[Attachment]:
    """The files the message carries (attachments and inline images), in order."""
    found = []
    for number, part in enumerate(message.iter_attachments(), start=1):
        if part.get_content_maintype() == "multipart" or part.get_content_type() == "message/rfc822":
            continue
        content = part.get_payload(decode=True) or b""
        if not content:
            continue
        name = part.get_filename() or f"attachment-{number}"
        found.append(Attachment(name=name.replace("/", "_").replace("\\", "_")[:200], content_type=part.get_content_type(),
                                content=content))
    return found
