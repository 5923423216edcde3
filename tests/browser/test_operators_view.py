"""An operator's morning: the periodic jobs' last runs in the admin, then /healthz with the outbox and the jobs."""

from __future__ import annotations

import json

from portal.core.jobs import periodic_job
from portal.outbox.models import MessageStatus
from tests import factories as f
from tests.browser.conftest import PASSWORD, screenshot


def test_an_operator_sees_the_last_run_of_each_job_and_the_outbox(page):
    operator = f.StaffFactory(email="ops@example.com", is_staff=True, is_superuser=True)
    f.OutboundMessageFactory(recipient=operator, status=MessageStatus.FAILED, last_error="550 5.1.1 no such user")
    periodic_job("outbox.send_pending")(lambda: {"sent": 12, "retry": 1})()

    page.goto("/admin/login/")
    page.fill("#id_username", operator.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.get_by_role("link", name="Periodic job runs").click()

    row = page.locator("#result_list tbody tr").first
    assert "outbox.send_pending" in row.inner_text()
    assert '"sent": 12' in row.inner_text()
    screenshot(page, "admin-periodic-job-runs")

    page.goto("/healthz")
    body = json.loads(page.inner_text("body"))
    assert body["outbox"]["by_status"]["failed"] == 1
    assert [job["job"] for job in body["jobs"]] == ["outbox.send_pending"]
