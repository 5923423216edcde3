#!/usr/bin/env python3
"""`make run`'s supervisor: the web server plus a Celery worker with embedded beat, and the SMTP receiver for
replies by e-mail (`manage.py receive_mail` on 127.0.0.1:INBOUND_SMTP_PORT, 2525 by default).

Each child runs in its own process group. On Ctrl-C, SIGTERM, SIGHUP, the death of
any child or the death of our parent (`make`), every group is sent SIGTERM, then
SIGKILL after a grace period, so nothing is left behind. Children also get
SIGTERM from the kernel if this supervisor itself is killed (PR_SET_PDEATHSIG), and the
supervisor is a child subreaper, so grandchildren whose parent exits first are reaped here.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GRACE_SECONDS = 10
READY_TIMEOUT_SECONDS = 90

DEMO_LOGINS = (
    ("manager@example.com", "project manager of every demo project"),
    ("team@example.com", "team member on two projects"),
    ("client@example.com", "client lead at the first client company"),
    ("client2@example.com", "client contact at the second client company"),
)


PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, value: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(option, value)
        except OSError:
            pass


def _die_with_parent() -> None:
    """Runs in the child between fork and exec: own process group, SIGTERM when we die."""
    os.setpgid(0, 0)
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _reap_orphans() -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class Supervisor:
    def __init__(self, port: int) -> None:
        self.port = port
        self.children: dict[str, subprocess.Popen] = {}
        self.stopping = False

    def start(self, name: str, argv: list[str]) -> None:
        self.children[name] = subprocess.Popen(argv, cwd=ROOT, preexec_fn=_die_with_parent)  # noqa: S603

    def stop(self, *_args) -> None:
        if self.stopping:
            return
        self.stopping = True
        print("\nStopping the web server, worker, beat and mail receiver…", flush=True)
        for child in self.children.values():
            self._signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # The group may hold grandchildren (the autoreloader's server, beat) even after the leader exited.
            self._signal_group(child, signal.SIGKILL)
        for child in self.children.values():
            try:
                child.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        time.sleep(0.2)
        _reap_orphans()
        print("Stopped.", flush=True)

    @staticmethod
    def _signal_group(child: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(child.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def first_exited(self) -> str | None:
        for name, child in self.children.items():
            if child.poll() is not None:
                return name
        return None

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=3) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _banner(port: int, mail_port: int) -> str:
    lines = [
        "",
        "=" * 64,
        f"  Rapport is running at http://127.0.0.1:{port}/",
        f"  Health: http://127.0.0.1:{port}/healthz   Admin: http://127.0.0.1:{port}/admin/",
        "",
        "  Demo log-ins (password: rapport-demo):",
    ]
    lines += [f"    {email:<22} {who}" for email, who in DEMO_LOGINS]
    lines += ["", f"  Replies by e-mail: SMTP on 127.0.0.1:{mail_port}",
              "", "  Press Ctrl-C to stop the server, the worker, beat and the mail receiver.", "=" * 64, ""]
    return "\n".join(lines)


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    mail_port = int(os.environ.get("INBOUND_SMTP_PORT", "2525"))
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    if not _port_free(port):
        print(f"Port {port} on 127.0.0.1 is already in use: stop what runs there or choose another, e.g. PORT=8001 make run")
        return 1
    if not _port_free(mail_port):
        print(f"Port {mail_port} on 127.0.0.1 (the mail receiver) is already in use: choose another, e.g. "
              f"INBOUND_SMTP_PORT=2526 make run")
        return 1

    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    supervisor = Supervisor(port)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, supervisor.stop)
    parent = os.getppid()

    celery = str(Path(PYTHON).with_name("celery"))
    supervisor.start("web", [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}"])
    supervisor.start(
        "worker",
        [celery, "-A", "portal", "worker", "-P", "solo", "--beat", "-l", "info", "-n", f"rapport-dev-{port}@%h"],
    )
    supervisor.start("mail receiver", [PYTHON, "manage.py", "receive_mail", "--port", str(mail_port)])

    announced = False
    started = time.monotonic()
    exit_code = 0
    while not supervisor.stopping:
        exited = supervisor.first_exited()
        if exited:
            print(f"The {exited} process exited (code {supervisor.children[exited].returncode}); stopping the rest.")
            exit_code = 1
            break
        if os.getppid() != parent:
            break
        if not announced:
            if supervisor.ready():
                print(_banner(port, mail_port), flush=True)
                announced = True
            elif time.monotonic() - started > READY_TIMEOUT_SECONDS:
                print(f"The web server did not answer /healthz within {READY_TIMEOUT_SECONDS} s; stopping.")
                exit_code = 1
                break
        time.sleep(0.5)
    supervisor.stop()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
