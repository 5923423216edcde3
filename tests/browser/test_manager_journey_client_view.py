"""The same workspace seen by a client lead at phone width: only client-visible items, no internal controls,
axe-core clean on every tab, nothing wider than the screen. Screenshots: var/screenshots/workspace-client-*.png."""

from __future__ import annotations

import pytest

from projects.models import Membership, Role
from tests import factories as f
from tests.browser.conftest import MOBILE, axe_check, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKER = "INTERNAL-ONLY-7f3a"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": MOBILE, "locale": "en-GB"}


def test_client_lead_sees_the_workspace_without_internal_items(page, live_server):
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova")
    acme = f.ClientFactory(name="Acme")
    lead = f.ClientUserFactory(email="lena@acme.example", full_name="Lena Lead", organisation=acme)
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme portal", slug="acme-portal")
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    Membership.objects.create(project=project, user=lead, role=Role.CLIENT_LEAD)
    f.TaskFactory(project=project, owner=lead, title="Send the logo")
    f.TaskFactory(project=project, owner=manager, title=f"{MARKER} refactor", internal=True)
    f.RiskFactory(project=project, title=f"{MARKER} budget", internal=True)
    f.DecisionFactory(project=project, title=f"{MARKER} pricing", internal=True)
    f.DecisionFactory(project=project, title="Use the new logo", involvement="approval", status="proposed")
    meeting = f.MeetingFactory(project=project, title="Weekly check-in")
    f.AttendanceFactory(meeting=meeting, user=lead)

    login(page, lead)
    for tab in ("", "tasks/", "plan/", "meetings/", "decisions/", "risks/", "people/", f"meetings/{meeting.pk}/"):
        page.goto(f"/projects/{project.slug}/{tab}")
        page.wait_for_load_state("networkidle")
        name = tab.strip("/").replace("/", "-") or "overview"
        screenshot(page, f"workspace-client-{name}")
        text = page.inner_text("body")
        assert MARKER not in text, tab
        assert "Activity" not in page.inner_text(".workspace-tabs")
        assert "Edit project" not in text
        assert axe_check(page) == [], tab
        assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"] + 1, tab
    assert page.goto(f"/projects/{project.slug}/activity/").status == 403
