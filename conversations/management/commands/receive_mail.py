"""`python manage.py receive_mail [--port N] [--host H]`: the SMTP receiver for replies by e-mail."""

from __future__ import annotations

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from conversations.inbound.smtp import reply_controller


class Command(BaseCommand):
    help = "Receive replies by e-mail over SMTP (mail for @INBOUND_EMAIL_DOMAIN) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.INBOUND_SMTP_PORT, help="default: INBOUND_SMTP_PORT")
        parser.add_argument("--host", default=settings.INBOUND_SMTP_HOST, help="default: INBOUND_SMTP_HOST (127.0.0.1)")

    def handle(self, *args, port: int, host: str, **options):
        # aiosmtpd logs every command at INFO, reply addresses included: keep its warnings only.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        controller = reply_controller(host=host, port=port)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_args: stop.set())
        controller.start()
        self.stdout.write(f"Receiving replies for @{settings.INBOUND_EMAIL_DOMAIN} on {host}:{port} (Ctrl-C stops).")
        try:
            stop.wait()
        finally:
            controller.stop()
            self.stdout.write("Stopped receiving replies.")
