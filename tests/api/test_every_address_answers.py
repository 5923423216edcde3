"""Every API address answers a browser, an OPTIONS request and each of its methods without a server error.

The addresses come from the URL configuration (as the permission matrix walks it), their ids from the matrix's
seeded project; each is asked by an anonymous caller and by a signed-in member (a browser session, as the
browsable API and CORS pre-flights see it).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.test_permission_matrix import MATRIX, MULTIPART, _api_routes

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
METHODS = ("get", "post", "put", "patch", "delete")
ROUTES = sorted({entry.name for _route, entry in _api_routes()})


def _kwargs(name, world, objects) -> dict:
    kwargs_fn = next(entry[0] for (route_name, _method), entry in MATRIX.items() if route_name == name)
    if name == "auth-token-detail":
        return {"token_id": "persona0"}
    return kwargs_fn(world, objects)


def _view_methods(name) -> list[str]:
    view = next(entry.callback.view_class for _route, entry in _api_routes() if entry.name == name)
    return [method for method in METHODS if hasattr(view, method)]


@pytest.mark.parametrize("persona", ["anonymous", "manager", "client"])
@pytest.mark.parametrize("name", ROUTES)
def test_every_api_address_answers_a_browser_and_options_without_a_server_error(world, objects, name, persona):
    # given: a browser, signed in or not
    browser = Client(raise_request_exception=False)
    if persona != "anonymous":
        browser.force_login(world.persona(persona))
    url = reverse(f"api:{name}", kwargs=_kwargs(name, world, objects))

    # when: it asks for the address as a page, asks what it allows, and sends each of its methods from a page
    answers = {"OPTIONS": browser.options(url, HTTP_ACCEPT=BROWSER_ACCEPT).status_code}
    answers["OPTIONS json"] = browser.options(url, HTTP_ACCEPT="application/json").status_code
    for method in _view_methods(name):
        _kwargs_fn, body_fn, _expected = MATRIX.get((name, method), (None, None, None))
        body = body_fn(world, objects, world.persona(persona)) if body_fn else {}
        send = getattr(browser, method)
        if method == "get":
            answers["GET html"] = send(url, HTTP_ACCEPT=BROWSER_ACCEPT).status_code
        elif name in MULTIPART:
            answers[f"{method.upper()} html"] = send(url, body, HTTP_ACCEPT=BROWSER_ACCEPT).status_code
        else:
            answers[f"{method.upper()} html"] = send(
                url, body, content_type="application/json", HTTP_ACCEPT=BROWSER_ACCEPT
            ).status_code

    # then: no server error
    assert {what: status for what, status in answers.items() if status >= 500} == {}


def test_the_walk_covers_every_api_address():
    assert len(ROUTES) > 40
