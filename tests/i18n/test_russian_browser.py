"""A Russian walk in Chromium: what the browser shows (scripts and charts included) has no English catalogue text."""

from __future__ import annotations

import pytest

from tests.browser.conftest import base_url, browser_type_launch_args, login, screenshot  # noqa: F401 (fixtures)
from tests.i18n.catalogue import english_left

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "acme-portal"
MANAGER_PATHS = ["/", "/attention/", "/accounts/preferences/"] + [
    f"/projects/{SLUG}/{tab}"
    for tab in ("", "tasks/", "plan/", "meetings/", "decisions/", "risks/", "people/", "activity/", "health/")
]
CLIENT_PATHS = ["/", "/digests/", "/accounts/preferences/", f"/projects/{SLUG}/plan/", f"/projects/{SLUG}/meetings/"]


def _walk(page, live_server, user, paths, who):
    page.context.add_cookies([{"name": "rapport_language", "value": "ru", "url": live_server.url}])
    login(page, user)
    left = {}
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.get_attribute("html", "lang") == "ru", path
        screenshot(page, f"i18n-ru-{who}-{path.strip('/').replace('/', '-') or 'home'}")
        found = english_left(page.inner_text("body"))
        if found:
            left[path] = found
    assert left == {}


def test_manager_walk_in_russian(page, live_server, russian, chromium_path):
    _walk(page, live_server, russian.manager, MANAGER_PATHS, "manager")


def test_client_walk_in_russian(page, live_server, russian, chromium_path):
    page.goto("/")
    _walk(
        page,
        live_server,
        russian.client,
        CLIENT_PATHS + [f"/projects/{SLUG}/tasks/{russian.objects['task'].pk}/report/"],
        "client",
    )
