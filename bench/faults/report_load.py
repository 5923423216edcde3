"""N concurrent client sessions posting progress reports through the HTML form for a while.

Each session logs in through the real log-in form, then posts reports on its own task with a unique note
until the time is up. The result names every note the server accepted (302) and every error, so a caller
can check that each accepted report is stored exactly once.

    python -m bench.faults.report_load BASE_URL SECONDS EMAIL:PASSWORD:SLUG:TASK_ID ...
"""

from __future__ import annotations

import re
import sys
import threading
import time
from dataclasses import dataclass, field

import requests

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Result:
    accepted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, note: str) -> None:
        with self.lock:
            self.accepted.append(note)

    def fail(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


def _token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    page.raise_for_status()
    return CSRF.search(page.text).group(1)


def _client(
    base: str, index: int, email: str, password: str, slug: str, task_id: int, until: float, result: Result
) -> None:
    session = requests.Session()
    session.headers["Connection"] = "close"  # each request on a new connection: no idle keep-alive hogs a worker thread
    try:
        login_url = f"{base}/accounts/login/"
        token = _token(session, login_url)
        response = session.post(
            login_url,
            data={"csrfmiddlewaretoken": token, "username": email, "password": password},
            headers={"Referer": login_url},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 302:
            result.fail(f"session {index}: log-in answered {response.status_code}")
            return
        report_url = f"{base}/projects/{slug}/tasks/{task_id}/report/"
        token = _token(session, report_url)
        n = 0
        while time.monotonic() < until:
            n += 1
            note = f"load-{index}-{n}"
            data = {
                "csrfmiddlewaretoken": token,
                "task": task_id,
                "percent": n % 100,
                "state": "on_track",
                "note": note,
            }
            response = session.post(
                report_url, data=data, headers={"Referer": report_url}, allow_redirects=False, timeout=30
            )
            if response.status_code in (302, 303):
                result.ok(note)
            else:
                result.fail(f"{note}: {response.status_code}")
    except requests.RequestException as exc:
        result.fail(f"session {index}: {exc.__class__.__name__}: {exc}")


def run(base: str, people: list[tuple[str, str, str, int]], seconds: float) -> Result:
    result = Result()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_client, args=(base, i, *person, until, result)) for i, person in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return result


if __name__ == "__main__":
    base_url, duration, *specs = sys.argv[1:]
    people = [(e, p, s, int(t)) for e, p, s, t in (spec.split(":") for spec in specs)]
    outcome = run(base_url, people, float(duration))
    print(f"accepted {len(outcome.accepted)} errors {len(outcome.errors)}")
    for line in outcome.errors[:20]:
        print(line)
    sys.exit(1 if outcome.errors else 0)
