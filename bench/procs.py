"""Processes of the e-mail benchmarks: the SMTP sink, a Celery worker, Celery beat — all on loopback, all stopped on exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.web import ROOT, free_port


class Proc:
    """A child process in its own session; the whole group is stopped on exit."""

    def __init__(self, args: list[str], env: dict, log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


class SmtpSink(Proc):
    """aiosmtpd on a free loopback port; `count()` is the number of messages received so far."""

    def __init__(self, env: dict, workdir: Path) -> None:
        self.port = free_port()
        self.arrivals = workdir / "smtp-arrivals.tsv"
        self.arrivals.unlink(missing_ok=True)
        super().__init__([sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(self.port), str(self.arrivals)],
                         env, workdir / "smtp-sink.log")

    def __enter__(self):
        super().__enter__()
        import socket

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError("the SMTP sink did not start")

    def lines(self) -> list[str]:
        if not self.arrivals.exists():
            return []
        return [ln for ln in self.arrivals.read_text().splitlines() if ln]

    def count(self) -> int:
        return len(self.lines())

    def wait_for(self, total: int, timeout: float) -> float:
        """Seconds (monotonic) at which the sink had received `total` messages; raises on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= total:
                return time.monotonic()
            time.sleep(0.05)
        raise RuntimeError(f"SMTP sink has {self.count()} of {total} messages after {timeout:.0f} s")


def celery_env(env: dict, redis_url: str, smtp_port: int) -> dict:
    return {**env, "REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url, "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}"}


def celery(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("celery")), "-A", "portal", *args]


class Worker(Proc):
    def __init__(self, env: dict, workdir: Path, concurrency: int = 2) -> None:
        super().__init__(celery("worker", "--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", "WARNING",
                                "--without-gossip", "--without-mingle", "-n", f"bench-{os.getpid()}@%h"),
                         env, workdir / "celery-worker.log")

    def children(self) -> list[int]:
        """The pool processes (and the main worker process) of this worker."""
        assert self.proc
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True, check=False)
        return [self.proc.pid, *(int(pid) for pid in out.stdout.split())]

    def peak_rss_mb(self) -> dict[int, float]:
        """VmHWM (peak resident set) of each worker process, in MB."""
        peaks = {}
        for pid in self.children():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[pid] = int(line.split()[1]) / 1024
        return peaks


class Beat(Proc):
    def __init__(self, env: dict, workdir: Path) -> None:
        schedule = workdir / "celerybeat-schedule"
        for old in workdir.glob("celerybeat-schedule*"):
            old.unlink()
        super().__init__(celery("beat", "--loglevel", "WARNING", "-s", str(schedule)), env, workdir / "celery-beat.log")


def wait_worker_ready(timeout: float = 60) -> None:
    """A round trip through the broker: the worker answers `portal.ping`."""
    from portal.celery import ping

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            ping.apply_async(args=["ready"]).get(timeout=5)
            return
        except Exception:  # noqa: BLE001 — still starting
            time.sleep(0.5)
    raise RuntimeError("the Celery worker did not answer within 60 s")
