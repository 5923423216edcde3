"""Shared fixtures: the personas of the permission matrix and the environment checks.

Services that need a real server (PostgreSQL, Redis, Chromium) are probed once;
on a laptop without them the tests that need them skip with the reason, under
CI (`CI=true`) a missing one is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from django.utils import translation

from projects.models import Membership, Role
from tests import factories as f


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts and ends in the default language: a request through the test client activates its reader's
    language in the thread and leaves it active, so a test that asked for a Russian page would turn the next test's
    messages Russian."""
    translation.deactivate()
    yield
    translation.deactivate()

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _need(ok: bool, reason: str) -> None:
    if ok:
        return
    if IN_CI:
        pytest.fail(f"CI requires it: {reason}")
    pytest.skip(reason)


def _tcp_ok(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    _need(bool(url) and _tcp_ok(url, 6379), "Redis is not configured (set REDIS_URL) or not reachable")
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    _need(os.path.exists(CHROMIUM) or bool(shutil.which("chromium")), f"Chromium not found at {CHROMIUM}")
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


@pytest.fixture
def postgres(settings):
    _need(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "needs PostgreSQL (set DATABASE_URL)")


@dataclass
class World:
    """Two projects of two clients, with one person per persona."""

    project: object
    other_project: object
    manager: object
    team: object
    client_lead: object
    client: object
    outsider: object
    other_client: object

    def persona(self, name: str):
        return None if name == "anonymous" else getattr(self, name)


PERSONAS = ("anonymous", "outsider", "other_client", "client", "client_lead", "team", "manager")


@pytest.fixture
def world(db) -> World:
    manager = f.StaffFactory(email="pm@example.com", full_name="Anna Petrova")
    team = f.StaffFactory(email="dev@example.com", full_name="Dmitri Ivanov")
    outsider = f.StaffFactory(email="outsider@example.com", full_name="Oscar Outsider")
    acme = f.ClientFactory(name="Acme")
    globex = f.ClientFactory(name="Globex")
    client_lead = f.ClientUserFactory(email="lead@acme.example", full_name="Lena Lead", organisation=acme)
    client = f.ClientUserFactory(email="bob@acme.example", full_name="Boris Client", organisation=acme)
    other_client = f.ClientUserFactory(email="gina@globex.example", full_name="Gina Globex", organisation=globex)
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme portal", slug="acme-portal")
    other_project = f.ProjectFactory(client=globex, manager=manager, name="Globex ERP", slug="globex-erp")
    for user, role in ((manager, Role.MANAGER), (team, Role.TEAM), (client_lead, Role.CLIENT_LEAD), (client, Role.CLIENT)):
        Membership.objects.create(project=project, user=user, role=role)
    Membership.objects.create(project=other_project, user=manager, role=Role.MANAGER)
    Membership.objects.create(project=other_project, user=other_client, role=Role.CLIENT_LEAD)
    return World(project, other_project, manager, team, client_lead, client, outsider, other_client)
