"""No route shadows another: every page and endpoint is reached by its own address, whatever the include order.

Several includes share the "" prefix and Django tries them in order; this walk makes a new route, or another
order, safe: a sample address of each route must resolve to that same route.
"""

import re

import pytest
from django.urls import resolve

from tests.security.routes import all_routes

SAMPLES = {"slug": "sample-project", "int": "7", "id": "7", "str": "sample-token", "path": "sample/path", "uuid": "12345678-1234-5678-1234-567812345678"}
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
ROUTES = [r for r in all_routes() if not r.path.startswith("/admin/") and "^" not in r.path and "(?P" not in r.path]


def _sample(path: str) -> str:
    return CONVERTER.sub(lambda m: SAMPLES[m.group(1) or "str"], path)


def test_the_walk_sees_the_portals_routes():
    names = {r.name for r in ROUTES}
    assert {"home", "projects:task-report", "engagement:health", "api:task-list", "accounts:preferences"} <= names


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_a_sample_address_of_each_route_resolves_to_that_route(route):
    match = resolve(_sample(route.path))

    assert match.view_name == route.name, f"{_sample(route.path)} is taken by {match.view_name}, not {route.name}"
