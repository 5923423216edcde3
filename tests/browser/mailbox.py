"""A real SMTP server (aiosmtpd) for the browser journeys, and what a person does with the mail it receives.

`Mailbox` listens on 127.0.0.1 on a free port and keeps every message it accepts as an `email.message.EmailMessage`
(parsed from the bytes on the wire with the modern policy, so headers come back decoded) together with the
envelope's recipients. The helpers read a message the way a mail program shows it: the text and HTML parts, the
calendar attachment, and the links a reader can click.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser

WAIT_SECONDS = 5.0  # delivery is synchronous in these tests; the bound only stops a broken journey from hanging
TEXT_LINK = re.compile(r"https?://[^\s<>\"')]+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    message: EmailMessage
    recipients: list[str]

    @property
    def to(self) -> str:
        return self.message["To"].addresses[0].addr_spec


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.mailbox.lock:
            self.mailbox.received.append(Received(message, [r.lower() for r in envelope.rcpt_tos]))
        return "250 OK"


@dataclass
class Mailbox:
    host: str = "127.0.0.1"
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: object = None

    def start(self) -> Mailbox:
        from aiosmtpd.controller import Controller

        self.controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        """Every message received so far (for `to` only, when given), in the order they arrived."""
        with self.lock:
            return [r.message for r in self.received if to is None or to.lower() in r.recipients]

    def per_person(self) -> Counter:
        """How many messages each address received: a journey compares it whole, so nothing extra goes unseen."""
        with self.lock:
            return Counter(address for r in self.received for address in r.recipients)

    def wait_for(self, to: str, *, count: int = 1, timeout: float = WAIT_SECONDS) -> list[EmailMessage]:
        """The messages to `to` once at least `count` have arrived; fails after `timeout` seconds with what did."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(to)
            if len(found) >= count or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert len(found) >= count, f"{count} message(s) to {to} expected, got {len(found)}; all: {dict(self.per_person())}"
        return found


def text_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def calendar_part(message: EmailMessage) -> bytes | None:
    """The .ics attached to the message (the `invite.ics` attachment), or None."""
    for part in message.iter_attachments():
        if part.get_filename() == "invite.ics" or part.get_content_type() in ("application/ics", "text/calendar"):
            return part.get_payload(decode=True)
    return None


def text_links(message: EmailMessage) -> list[str]:
    return TEXT_LINK.findall(text_part(message))


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[tuple[str, str, str]] = []  # (href, text, class)
        self._open: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            values = dict(attrs)
            self._open = [values.get("href") or "", "", values.get("class") or ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            href, text, css = self._open
            self.anchors.append((href, " ".join(text.split()), css))
            self._open = None


def html_links(message: EmailMessage) -> list[tuple[str, str]]:
    """(href, visible text) of every link in the HTML part, in document order."""
    parser = _Anchors()
    parser.feed(html_part(message))
    return [(href, text) for href, text, _css in parser.anchors]


def button_links(message: EmailMessage) -> list[tuple[str, str]]:
    """(href, label) of the HTML part's buttons (`templates/emails/_partials/button.html`), the calls to action."""
    parser = _Anchors()
    parser.feed(html_part(message))
    return [(href, text) for href, text, css in parser.anchors if "btn" in css.split()]


def link_named(message: EmailMessage, label: str) -> str:
    """The href of the one HTML link whose visible text is `label`; the same address must be in the text part."""
    hrefs = [href for href, text in html_links(message) if text == label]
    assert len(hrefs) == 1, f"one link named {label!r} expected in {html_links(message)}"
    assert hrefs[0] in text_links(message), f"{hrefs[0]} is in the HTML part but not in the text part"
    return hrefs[0]
