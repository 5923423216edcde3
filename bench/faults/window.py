"""How wide is the window in which a killed worker sends a message twice?

A sender marks each row sent in its own short UPDATE right after the server's "250 OK" for that row. A SIGKILL that
lands after the server accepted a message and before that UPDATE commits leaves the row `sending`; the requeue sends
it again. This script measures that window against the whole time spent per message, over one SMTP connection to a
real SMTP server (aiosmtpd, in this process) and the PostgreSQL of DATABASE_URL: the ratio is the chance that a kill
at a random instant of a batch produces one duplicate (never more than one: the rows before are marked, the rows after
were never sent).

    DATABASE_URL=postgres://… .venv/bin/python bench/faults/window.py [N]
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")


class Sink:
    def __init__(self) -> None:
        self.accepted: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        import email
        import email.policy

        mid = str(email.message_from_bytes(envelope.content, policy=email.policy.default)["Message-ID"])
        with self.lock:
            self.accepted[mid] = time.monotonic()  # counted here, as a server commits before it answers 250
        return "250 OK"


def main(n: int) -> None:
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core.management import call_command

    from bench.faults.procs import free_port
    from portal.outbox import services
    from portal.outbox.models import MessageKind, OutboundMessage

    call_command("migrate", verbosity=0)
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    marked: dict[int, float] = {}
    replied: dict[int, float] = {}
    original_finish = services._finish

    def timed_finish(row, status, error=""):
        replied[row.pk] = time.monotonic()  # the client has read the server's 250
        original_finish(row, status, error)
        marked[row.pk] = time.monotonic()  # the UPDATE has committed (autocommit)

    services._finish = timed_finish
    stamp = int(time.time())
    ids = []
    for i in range(n):
        row, _ = services.outbox_enqueue(kind=MessageKind.NOTICE, to_email=f"w{i}@window.invalid",
                                         dedupe_key=f"window:{stamp}:{i}", subject=f"Window {i}",
                                         body_text="A message of a few lines.\n" * 20, body_html="<p>A message</p>" * 20,
                                         dispatch=False)
        ids.append(row.pk)
    try:
        started = time.monotonic()
        results = services.outbox_send_many(ids=ids)
        total = time.monotonic() - started
        assert all(r == services.SENT for _pk, r in results), results[:3]
        by_mid = dict(OutboundMessage.objects.filter(pk__in=ids).values_list("pk", "message_id"))
        windows = [marked[pk] - sink.accepted[by_mid[pk]] for pk in ids]
        reply = [replied[pk] - sink.accepted[by_mid[pk]] for pk in ids]
        update = [marked[pk] - replied[pk] for pk in ids]
        print(f"{n} messages over one connection in {total:.2f} s: {1000 * total / n:.2f} ms per message")
        print(f"accepted by the server -> marked sent: median {1000 * statistics.median(windows):.2f} ms, "
              f"p95 {1000 * sorted(windows)[int(0.95 * n) - 1]:.2f} ms, max {1000 * max(windows):.2f} ms")
        print(f"  of which the 250 reaching the sender: median {1000 * statistics.median(reply):.2f} ms; "
              f"the UPDATE and its commit: median {1000 * statistics.median(update):.2f} ms")
        print(f"share of the sending time inside the window: {100 * sum(windows) / total:.1f} % "
              "(the chance that a kill at a random instant of a batch leaves one duplicate)")
    finally:
        OutboundMessage.objects.filter(pk__in=ids).delete()
        controller.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
