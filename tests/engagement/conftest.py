"""Engagement fixtures: a real SMTP server (aiosmtpd) that collects what it receives."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpSink:
    """Messages received over SMTP, as raw bytes and parsed. `fail_next` makes the next N DATA commands answer 451."""

    host: str
    port: int
    raw: list[bytes] = field(default_factory=list)
    peers: list = field(default_factory=list)  # the client's (host, port) per accepted message: one per connection
    mail_from: list = field(default_factory=list)  # the envelope sender of each accepted message
    fail_next: int = 0
    # Called with the number of messages accepted so far, before accepting the next; True refuses it (451).
    before_accept: Callable[[int], bool] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        with self.lock:
            return [email.message_from_bytes(raw, policy=email.policy.default) for raw in self.raw]

    def count(self) -> int:
        with self.lock:
            return len(self.raw)

    def by_kind(self, kind: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["X-Rapport-Kind"] == kind]

    def clear(self) -> None:
        with self.lock:
            self.raw.clear()


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        hook = self.sink.before_accept
        if hook is not None and hook(self.sink.count()):
            return "451 4.3.0 Try again later"
        with self.sink.lock:
            if self.sink.fail_next > 0:
                self.sink.fail_next -= 1
                return "451 4.3.0 Try again later"
            self.sink.raw.append(envelope.original_content or envelope.content)
            self.sink.peers.append(session.peer)
            self.sink.mail_from.append(envelope.mail_from)
        return "250 OK"


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on a free port; Django's SMTP backend is pointed at it for the test."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink(host="127.0.0.1", port=free_port())
    controller = Controller(_Handler(sink), hostname=sink.host, port=sink.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)
