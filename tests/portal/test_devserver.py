"""bin/devserver.py (what `make run` starts): serves, then stops the web server, worker, beat and the mail receiver with
no orphans."""

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.celery_worker


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status


def _env(tmp_path: Path, port: int, marker: str, mail_port: int | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_DATA_DIR=str(tmp_path / "celery"),
        RAPPORT_DEVSERVER_TEST=marker,
        INBOUND_SMTP_PORT=str(mail_port or _free_port()),
    )
    return env


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to find left-over processes")
def test_devserver_serves_and_stops_everything_on_sigterm(tmp_path):
    port, mail_port, marker = _free_port(), _free_port(), uuid.uuid4().hex
    log_path = tmp_path / "devserver.log"
    with log_path.open("w") as log:
        supervisor = subprocess.Popen(
            [sys.executable, "bin/devserver.py"], cwd=ROOT, env=_env(tmp_path, port, marker, mail_port), stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while "Rapport is running at" not in log_path.read_text():
            assert supervisor.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.5)
        banner = log_path.read_text()
        assert f"http://127.0.0.1:{port}/" in banner
        assert "manager@example.com" in banner and "rapport-demo" in banner
        assert _get(f"http://127.0.0.1:{port}/healthz") == 200
        assert _get(f"http://127.0.0.1:{port}/accounts/login/") == 200
        assert f"Replies by e-mail: SMTP on 127.0.0.1:{mail_port}" in banner
        deadline = time.monotonic() + 30
        while True:  # the receiver starts beside the web server; it answers SMTP once up
            try:
                with smtplib.SMTP("127.0.0.1", mail_port, timeout=5) as smtp:
                    assert smtp.noop()[0] == 250
                break
            except OSError:
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.5)
        assert len(_processes_with(marker)) >= 3  # supervisor, web server, worker (+ reloader, beat)

        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=30)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()

    deadline = time.monotonic() + 10
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(marker) == [], log_path.read_text()
    assert "Stopped." in log_path.read_text()


def test_devserver_refuses_a_busy_port_with_a_clear_message(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]

        result = subprocess.run(
            [sys.executable, "bin/devserver.py"],
            cwd=ROOT,
            env=_env(tmp_path, port, uuid.uuid4().hex),
            capture_output=True,
            text=True,
            timeout=30,
        )

    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stdout
