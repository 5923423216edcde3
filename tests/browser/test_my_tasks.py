"""My tasks: a team member filters the list across projects, saves the filter as the one to open first, reloads
and picks it again from the quick links; on a phone the list reads as cards. Screenshots: var/screenshots/my-tasks-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from projects.models import Membership, Role, SavedTaskFilter
from tests import factories as f
from tests.browser.conftest import MOBILE, axe_check, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team_member(db):
    today = timezone.localdate()
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova")
    dev = f.StaffFactory(email="dev@studio.example", full_name="Dmitri Ivanov")
    acme, globex = f.ClientFactory(name="Acme"), f.ClientFactory(name="Globex")
    lead = f.ClientUserFactory(email="lena@acme.example", full_name="Lena Lead", organisation=acme)
    portal = f.ProjectFactory(client=acme, manager=manager, name="Acme portal", slug="acme-portal")
    erp = f.ProjectFactory(client=globex, manager=manager, name="Globex ERP", slug="globex-erp")
    for project in (portal, erp):
        Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
        Membership.objects.create(project=project, user=dev, role=Role.TEAM)
    Membership.objects.create(project=portal, user=lead, role=Role.CLIENT_LEAD)
    f.TaskFactory(project=portal, owner=dev, title="Fix the login", due_date=today - dt.timedelta(days=2))
    f.TaskFactory(project=portal, owner=lead, created_by=dev, title="Send the logos", due_date=today + dt.timedelta(days=1))
    f.TaskFactory(project=erp, owner=dev, title="Migrate the ledger", due_date=today + dt.timedelta(days=5))
    f.TaskFactory(project=erp, owner=manager, title="Budget review", due_date=today + dt.timedelta(days=3))
    return dev


def _rows(page) -> list[str]:
    return page.locator("table.tasks-table tbody th a").all_inner_texts()


def test_a_team_member_filters_saves_the_filter_reloads_and_picks_it(page, new_page, team_member, console_errors):
    login(page, team_member)
    # given the header link to My tasks
    with page.expect_navigation():
        page.click("nav >> text=My tasks")
    assert _rows(page) == ["Fix the login", "Send the logos", "Migrate the ledger"]
    screenshot(page, "my-tasks-en")
    # when they filter on one project and save that as the filter to open first
    page.select_option("#id_project", label="Globex ERP")
    with page.expect_navigation():
        page.click(".filter-bar >> text=Filter")
    assert _rows(page) == ["Migrate the ledger"]
    with page.expect_navigation():
        page.click("[data-testid=save-filter] button[type=submit]")
    assert "Give the filter a name." in page.inner_text("[data-testid=save-filter]")
    page.fill("[data-testid=save-filter] input[name=name]", "Globex work")
    page.check("[data-testid=save-filter] input[name=is_default]")
    with page.expect_navigation():
        page.click("[data-testid=save-filter] button[type=submit]")
    assert "Filter “Globex work” saved." in page.inner_text(".messages")
    assert SavedTaskFilter.objects.get(user=team_member).filters == {"project": "globex-erp"}
    # then it opens first, and the quick links switch between it and everything
    page.goto("/my/tasks/")
    assert _rows(page) == ["Migrate the ledger"]
    assert page.locator("[data-testid=saved-filter][aria-current=true]").inner_text().strip().endswith("Globex work")
    with page.expect_navigation():
        page.click(".filter-bar >> text=Clear")
    assert len(_rows(page)) == 3
    with page.expect_navigation():
        page.click("[data-testid=saved-filter] >> text=Globex work")
    assert _rows(page) == ["Migrate the ledger"]
    assert axe_check(page) == []
    # The refused save answered 400 on purpose; nothing else (no CSP violation, no script error).
    assert [e for e in console_errors if "status of 400" not in e] == []
    screenshot(page, "my-tasks-saved-en")
    # on a phone, in Russian
    team_member.language = "ru"
    team_member.save()
    phone = new_page(width=MOBILE["width"], height=MOBILE["height"])
    login(phone, team_member)
    phone.goto("/my/tasks/")
    assert "Мои задачи" in phone.inner_text("h1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"] + 1
    screenshot(phone, "my-tasks-ru-phone")
