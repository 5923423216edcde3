"""The Health tab's charts render in Chromium, in English and in Russian: every canvas has drawn pixels,
the numbers table is there as a fallback, and no CSP violation or script error appears.
Screenshots: var/screenshots/health-<lang>.png.
"""

from __future__ import annotations

import pytest

from engagement.models import HealthLevel
from projects.models import Membership, Role
from tests import factories as f
from tests.browser.conftest import axe_check, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAWN_PIXELS = """(id) => {
  const canvas = document.getElementById(id);
  if (!canvas || canvas.width === 0 || canvas.height === 0) { return 0; }
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { drawn++; } }
  return drawn;
}"""
CANVASES = ("chart-score", "chart-signals", "chart-decisions", "chart-people")


def _history(project, person):
    levels = [HealthLevel.HEALTHY] * 5 + [HealthLevel.WATCH] * 3 + [HealthLevel.AT_RISK] * 2
    for i, level in enumerate(levels):
        signals = {
            code: {"sub": max(5.0, 95.0 - i * step), "weight": weight}
            for code, step, weight in (
                ("freshness", 7, 20), ("decisions", 5, 20), ("recency", 6, 15), ("attendance", 3, 10),
                ("consistency", 2, 5), ("ontime", 1, 10), ("overdue", 4, 10), ("plan", 0, 10),
            )
        }
        signals["decisions"].update(median_days=1.0 + 0.4 * i, target_days=3.0)
        signals["consistency"].update(n=8, k=7, cancelled=int(i % 3 == 0), rescheduled=1)
        reasons = [{"code": "freshness.stale", "severity": "negative", "params": {"stale": 2, "n": 3, "task": "Approve sitemap", "days": 11}}]
        f.HealthSnapshotFactory(project=project, iso_year=2026, iso_week=38 + i, score=92 - 5 * i, level=level, coverage=1, signals=signals, reasons=reasons, is_final=True)
        f.HealthSnapshotFactory(project=project, person=person, iso_year=2026, iso_week=38 + i, score=90 - 6 * i, level=level, coverage=1, signals=signals, reasons=reasons, is_final=True)


@pytest.fixture
def health_project(db):
    manager = f.StaffFactory(email="pm-health@example.com", full_name="Pavel Manager")
    acme = f.ClientFactory(name="Acme Health")
    person = f.ClientUserFactory(email="boris-health@acme.example", full_name="Boris Ivanov", organisation=acme)
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme relaunch", slug="acme-relaunch")
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    Membership.objects.create(project=project, user=person, role=Role.CLIENT)
    _history(project, person)
    return project, manager


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_health_charts_render(page, live_server, health_project, console_errors, lang):
    project, manager = health_project
    login(page, manager)
    page.context.add_cookies([{"name": "rapport_language", "value": lang, "url": live_server.url}])
    page.goto(f"/projects/{project.slug}/health/")
    assert page.get_attribute("html", "lang") == lang
    page.wait_for_function("() => document.querySelectorAll('canvas[data-rendered=true]').length === 4", timeout=10_000)
    for canvas in CANVASES:
        assert page.evaluate(DRAWN_PIXELS, canvas) > 500, canvas
    # Readable without colour: the strip carries words, the table holds every number.
    assert page.locator(".consistency-strip .strip-text").count() == 10
    assert page.locator("table.health-table tbody tr").count() == 10
    assert "Approve sitemap" in page.content()
    screenshot(page, f"health-{lang}")
    assert axe_check(page) == []
    assert not console_errors, console_errors


def test_attention_list_is_accessible(page, health_project, console_errors):
    project, manager = health_project
    person = project.memberships.get(role=Role.CLIENT).user
    project.health_warnings.create(
        person=person, opened_at=project.created_at, severity=HealthLevel.AT_RISK, rules=["R1"],
        reasons=[{"code": "warn.silence", "severity": "at_risk", "params": {"person": person.display_name, "days": 16, "usual": 7}}],
    )
    login(page, manager)
    page.goto("/attention/")
    assert "Boris Ivanov has not acted for 16 days (usually every 7 days)." in page.content()
    page.click("text=Acknowledge")
    page.wait_for_load_state()
    assert page.locator(".attention-item .chip-neutral").count() == 1
    screenshot(page, "attention-en")
    assert axe_check(page) == []
    assert not console_errors, console_errors
