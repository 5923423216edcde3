"""HTTP side of the benchmarks: gunicorn under the benchmark settings, log-ins, and wrk runs."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn with 2 workers on a free loopback port; stopped (with its workers) on exit."""

    def __init__(self, env: dict, workers: int = 2) -> None:
        self.port = free_port()
        self.env = env
        self.workers = workers
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.proc = subprocess.Popen(
            [gunicorn, "portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
             "--worker-class", "sync", "--keep-alive", "5", "--log-level", "warning", "--access-logfile", "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null"],
            cwd=ROOT, env=self.env, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _, _ = request(self.port, "GET", "/healthz")
                if status in (200, 503):
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError("gunicorn did not start within 60 s")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def request(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


@dataclass
class Session:
    cookies: dict

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")


def _collect(cookies: dict, headers) -> None:
    for name, value in headers:
        if name.lower() == "set-cookie":
            jar = SimpleCookie()
            jar.load(value)
            for key, morsel in jar.items():
                cookies[key] = morsel.value


def login(port: int, email: str, password: str) -> Session:
    cookies: dict = {}
    status, headers, body = request(port, "GET", "/accounts/login/")
    _collect(cookies, headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not match:
        raise RuntimeError(f"log-in page answered {status}")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "username": email, "password": password})
    status, headers, _ = request(port, "POST", "/accounts/login/", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
    })
    _collect(cookies, headers)
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"log-in as {email} failed ({status})")
    return Session(cookies)


@dataclass
class Endpoint:
    name: str
    path: str
    session: Session | None = None
    method: str = "GET"
    body: str | None = None
    extra_headers: dict | None = None

    def headers(self) -> dict:
        out = dict(self.extra_headers or {})
        if self.session:
            out["Cookie"] = self.session.cookie_header
            if self.method != "GET":
                out["X-CSRFToken"] = self.session.csrf
        if self.body is not None:
            out.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return out

    def check(self, port: int) -> None:
        status, _, body = request(port, self.method, self.path, self.body, self.headers())
        if status >= 400:
            raise RuntimeError(f"{self.name}: {self.method} {self.path} answered {status}: {body[:300]!r}")


def drain(port: int, workers: int = 2, timeout: float = 120) -> None:
    """Wait until every worker is free: requests left over from the previous run must not eat into the next one.
    Sync workers take one connection at a time, so `workers` concurrent probes all answering means the backlog is gone."""
    from concurrent.futures import ThreadPoolExecutor

    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(workers) as pool:
        while time.monotonic() < deadline:
            if all(s == 200 for s, _, _ in pool.map(lambda _: request(port, "GET", "/bench/ceiling"), range(workers))):
                return
            time.sleep(0.2)


def wrk(port: int, endpoint: Endpoint, seconds: int, connections: int, threads: int = 2) -> dict:
    """One bounded wrk run against loopback; returns rps, p50/p95 (ms), errors."""
    binary = shutil.which("wrk")
    if not binary:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    args = [binary, "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "-s", str(WRK_SCRIPT)]
    for key, value in endpoint.headers().items():
        args += ["-H", f"{key}: {value}"]
    args.append(f"http://127.0.0.1:{port}{endpoint.path}")
    env = {**os.environ, "WRK_METHOD": endpoint.method, "WRK_BODY": endpoint.body or ""}
    drain(port)
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=seconds + 60, check=False)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("JSON")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out.stdout} {out.stderr}")
    return json.loads(line[4:])
