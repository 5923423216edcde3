"""The plan's versions and their difference through the API: who may read them, and what they say."""

from __future__ import annotations

import pytest
from django.urls import reverse

from engagement.services.plan import plan_get_or_create, plan_sign_off, plan_update, stakeholder_add
from projects.models import TaskSide


@pytest.fixture
def plan(world):
    plan = plan_get_or_create(project=world.project)
    stakeholder_add(actor=world.manager, plan=plan, side=TaskSide.CLIENT, user=world.client_lead, is_primary=True)
    plan_sign_off(actor=world.client_lead, plan=plan, version=2)
    return plan_update(actor=world.manager, project=world.project, status_update_cadence_days=14, channels="Slack")


def test_versions_list_who_signed_which(api, world, plan):
    response = api.as_(world.client_lead).get(reverse("api:plan-version-list", kwargs={"slug": "acme-portal"}))

    assert response.status_code == 200
    rows = {row["version"]: row for row in response.json()["results"]}
    assert sorted(rows) == [1, 2, 3]
    assert rows[2]["signed_off_by"]["id"] == world.client_lead.pk and rows[2]["signed_off_at"]
    assert rows[3]["signed_off_by"] is None and rows[3]["content"]["channels"] == "Slack"


def test_compare_answers_in_words(api, world, plan):
    response = api.as_(world.manager).get(
        reverse("api:plan-version-compare", kwargs={"slug": "acme-portal"}), {"from_version": 2, "to_version": 3}
    )

    assert response.status_code == 200
    sections = {s["key"]: s["changes"] for s in response.json()["sections"]}
    assert sections == {
        "cadence": [{"kind": "changed", "label": "Status update", "old": "every 7 days", "new": "every 14 days", "facts": []}],
        "channels": [{"kind": "added", "label": "Channels", "old": "", "new": "Slack", "facts": []}],
    }


@pytest.mark.parametrize(("query", "field"), [({"from_version": 1, "to_version": 9}, "to_version"), ({"from_version": 1}, "to_version")])
def test_compare_with_a_missing_version_is_a_field_error(api, world, plan, query, field):
    response = api.as_(world.manager).get(reverse("api:plan-version-compare", kwargs={"slug": "acme-portal"}), query)
    assert response.status_code == 400 and field in response.json()["fields"]


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("outsider", 404), ("other_client", 404), ("client", 403), ("team", 200), ("client_lead", 200)],
)
def test_who_reads_the_versions(api, world, plan, who, status):
    user = getattr(world, who) if who else None
    for name, query in (("api:plan-version-list", {}), ("api:plan-version-compare", {"from_version": 1, "to_version": 3})):
        response = api.as_(user).get(reverse(name, kwargs={"slug": "acme-portal"}), query)
        assert response.status_code == status, name
        if status != 200:
            assert "Slack" not in response.content.decode()
