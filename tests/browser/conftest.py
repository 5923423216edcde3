"""Playwright fixtures for browser tests, shared by everyone's journeys.

pytest-playwright provides `page`, `context` and `browser`; this file points them at
Debian's Chromium (`/usr/bin/chromium`, headless, flags below) and at pytest-django's
`live_server`, so `page.goto("/accounts/login/")` works. Helpers:

- `login(page, user, password=PASSWORD)`: log in through the real form, wait for the next page.
- `screenshot(page, name)`: save `var/screenshots/<name>.png` (kept as a CI artefact); a failing
  test with a `page` also gets `var/screenshots/FAILED-<test>.png`.
- `axe_check(page)`: run axe-core on the page, return the serious and critical violations.
- the `console_errors` fixture: browser console errors and CSP violations seen so far.
- the `mailbox` fixture: a real SMTP server (aiosmtpd, `tests/browser/mailbox.py`) that Django's SMTP backend
  sends to, with `SITE_URL` on the live server so the links in the mail open there; `deliver()` runs the outbox's
  periodic "send pending" job in this process (what beat does every 30 s; no worker needed), late enough
  for rows held until the recipient's working hours.
- the `new_page` fixture: `new_page()` opens a page in a fresh browser context (no cookies, no session): another
  person on another computer; closed when the test ends.

Playwright's sync API keeps an event loop running in the test thread, so Django's
async-safety check must be off for the test process (set below).
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
AXE_JS = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
MOBILE = {"width": 375, "height": 812}

def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    return {**browser_type_launch_args, "executable_path": chromium_path, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def console_errors(page):
    """Console errors (CSP violations included) and uncaught page errors, collected as the test runs."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and page is not None:
        # The page may be gone with the failure; the report matters more than the picture.
        with contextlib.suppress(Exception):
            screenshot(page, f"FAILED-{item.name}")


@pytest.fixture
def mailbox(settings, live_server):
    """Mail goes over real SMTP to a server on 127.0.0.1 that keeps every message it accepts, parsed."""
    from tests.browser.mailbox import Mailbox

    box = Mailbox().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = box.host, box.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = live_server.url  # the address every link in the mail starts with
    try:
        yield box
    finally:
        box.stop()


def deliver() -> dict:
    """Send everything the outbox holds, as the periodic job `outbox.send_pending` does, run in this process at the
    moment the last held row falls due: now, or later when a message waits for its recipient's working hours (so a
    journey does not depend on the hour it runs at)."""
    from django.db.models import Max
    from django.utils import timezone

    from portal.outbox.models import MessageStatus, OutboundMessage
    from portal.outbox.services import outbox_send_due

    now = timezone.now()
    held = OutboundMessage.objects.filter(status=MessageStatus.PENDING).aggregate(last=Max("send_after"))["last"]
    return outbox_send_due(now=max(now, held) if held else now)


@pytest.fixture
def new_page(browser, base_url):
    """Opens a page in a new browser context (no cookie of anyone else's, as on another person's computer);
    every context opened is closed when the test ends, passed or failed, so no request is left holding a
    database connection."""
    contexts = []

    def open_page(*, width: int = 1280, height: int = 900, locale: str = "en-GB"):
        context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height}, locale=locale)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def login(page, user, password: str = PASSWORD, next_url: str | None = None) -> None:
    """Log in through the form as a person would; returns once the page after log-in has loaded."""
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("#id_username", user.email)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("#main form button[type=submit]")


def axe_check(page, rules: dict | None = None) -> list[dict]:
    """Run axe-core on the current page; return serious and critical violations (empty list = pass).

    The script is evaluated through the DevTools protocol, which the page's CSP does not govern.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text())
    options = {"resultTypes": ["violations"]}
    if rules:
        options["rules"] = rules
    result = page.evaluate("async (options) => await window.axe.run(document, options)", options)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
