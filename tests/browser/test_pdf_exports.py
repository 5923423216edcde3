"""A client lead keeps a contract file: from the decision log page she downloads the log as a PDF, from the plan page
the version she signed, both in Russian; a plain client's download leaves out the internal decision.
Screenshots: var/screenshots/pdf-exports-*.png."""

from __future__ import annotations

import pypdf
import pytest

from engagement.services.decisions import decision_respond
from engagement.services.plan import plan_get_or_create, plan_sign_off, plan_update, stakeholder_add
from projects.models import Membership, Role, TaskSide
from tests import factories as f
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "accept_downloads": True}


def _project():
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova", time_zone="Europe/Moscow")
    acme = f.ClientFactory(name="Acme")
    lead = f.ClientUserFactory(email="lena@acme.example", full_name="Лена Лебедева", organisation=acme,
                               time_zone="Europe/Moscow", language="ru")
    contact = f.ClientUserFactory(email="boris@acme.example", full_name="Boris Client", organisation=acme)
    project = f.ProjectFactory(client=acme, manager=manager, name="Портал Acme", slug="acme-portal")
    for user, role in ((manager, Role.MANAGER), (lead, Role.CLIENT_LEAD), (contact, Role.CLIENT)):
        Membership.objects.create(project=project, user=user, role=role)
    shared = f.DecisionFactory(project=project, title="Запуск на новом домене", decided_by=manager)
    decision_respond(actor=lead, decision=shared, kind="acknowledged", comment="Согласовано с юристами")
    f.DecisionFactory(project=project, title="Quietly replace the vendor", internal=True, requested_at=None)
    plan = plan_get_or_create(project=project)
    stakeholder_add(actor=manager, plan=plan, side=TaskSide.CLIENT, user=lead, is_primary=True, responsibility="Утверждает объём")
    plan = plan_update(actor=manager, project=project, escalation_path="Анна, затем директор")
    plan_sign_off(actor=lead, plan=plan, version=plan.version)
    return project, lead, contact, plan.version


def _download(page, selector: str, tmp_path) -> tuple[str, str]:
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    return download.suggested_filename, " ".join(text.split())


def test_a_client_lead_downloads_the_log_and_the_signed_plan_in_russian(page, live_server, new_page, tmp_path):
    _project_row, lead, contact, signed = _project()
    login(page, lead)

    page.goto("/projects/acme-portal/decisions/")
    screenshot(page, "pdf-exports-decisions-ru")
    name, text = _download(page, "[data-testid=decisions-pdf]", tmp_path)
    assert name.startswith("acme-portal-decision-log-") and name.endswith(".pdf")
    assert "Журнал решений" in text and "Запуск на новом домене" in text
    assert "Лена Лебедева Принято к сведению" in text and "Согласовано с юристами" in text
    assert "Quietly replace the vendor" not in text

    page.goto("/projects/acme-portal/plan/")
    screenshot(page, "pdf-exports-plan-ru")
    name, text = _download(page, "[data-testid=plan-signed-pdf]", tmp_path)
    assert name.startswith(f"acme-portal-plan-v{signed}-signed-")
    assert f"Версия {signed}" in text and "Подписал(а) Лена Лебедева" in text
    assert "Анна, затем директор" in text and "Утверждает объём" in text

    # a plain client of the same company: the log without the internal decision, no signed-plan link
    other = new_page()
    login(other, contact)
    other.goto("/projects/acme-portal/plan/")
    assert other.locator("[data-testid=plan-signed-pdf]").count() == 0
    other.goto("/projects/acme-portal/decisions/")
    _name, text = _download(other, "[data-testid=decisions-pdf]", tmp_path)
    assert "Decision log" in text and "Запуск на новом домене" in text
    assert "Quietly replace the vendor" not in text
