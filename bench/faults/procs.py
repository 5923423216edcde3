"""Processes for the fault tests: a private redis-server, gunicorn and a Celery worker on free ports.

Every process is started in its own session and stopped by its own process group, never by name.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float = 30.0, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except Exception:  # noqa: S110 - still starting
            pass
        time.sleep(step)
    return bool(condition())


class Proc:
    def __init__(self, args: list[str], env: dict | None = None, cwd: Path = ROOT) -> None:
        self.args, self.env, self.cwd = args, env, cwd
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="rapport-fault-", suffix=".log", delete=False)  # noqa: SIM115

    def start(self) -> Proc:
        self.proc = subprocess.Popen(
            self.args, cwd=self.cwd, env=self.env, start_new_session=True, stdout=self.log, stderr=subprocess.STDOUT
        )
        return self

    def signal(self, sig: int) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)

    def stop(self, timeout: float = 15) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait(timeout=10)

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-8000:]


class RedisServer(Proc):
    """A throw-away redis-server (no persistence) on a free port; `stop()` then `start()` is an outage."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        super().__init__(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        super().start()
        assert wait_for(self.ping, 15), self.output()
        return self

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False


def app_env(database_url: str, redis_url: str, **extra: str) -> dict:
    from django.conf import settings

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.bench",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "SECRET_KEY": settings.SECRET_KEY,
        "SITE_URL": settings.SITE_URL,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        **extra,
    }


class Gunicorn(Proc):
    def __init__(self, env: dict, workers: int = 4, threads: int = 4) -> None:
        self.port = free_port()
        super().__init__(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(workers),
                "--threads",
                str(threads),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            env,
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        super().start()
        assert wait_for(lambda: self.status("/accounts/login/") == 200, 60), self.output()
        return self

    def status(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.base + path, timeout=5) as response:  # noqa: S310 - our own server
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


class CeleryWorker(Proc):
    def __init__(self, env: dict) -> None:
        super().__init__(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"fault-{uuid.uuid4().hex[:8]}@%h",
            ],
            env,
        )
