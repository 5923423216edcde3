"""A local SMTP sink for the e-mail benchmarks: accepts everything on loopback and logs each arrival.

One line per message, written as it arrives: `<unix time>\t<Message-ID>`. The driver counts the
lines (and the reminder figure maps Message-IDs back to due times). Run: `python bench/smtp_sink.py PORT LOGFILE`.
"""

from __future__ import annotations

import asyncio
import email.parser
import signal
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, path: str) -> None:
        self.out = open(path, "a", buffering=1)  # noqa: SIM115 — open for the process's lifetime

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        headers = email.parser.BytesHeaderParser().parsebytes(envelope.content)
        self.out.write(f"{time.time():.3f}\t{headers.get('Message-ID', '').strip()}\n")
        return "250 OK"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(path), hostname="127.0.0.1", port=port)
    controller.start()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
