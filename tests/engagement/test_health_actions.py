"""Manager actions on health: override the level (with expiry), clear it, acknowledge a warning."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.models import HealthLevel, HealthOverride, HealthWarning
from projects.models import AuditEvent
from tests import factories as f

OVERRIDE = {"anonymous": 302, "outsider": 404, "other_client": 404, "client": 404, "client_lead": 404, "team": 403, "manager": 302}
ACK = {**OVERRIDE, "team": 302}


def _warning(world):
    return HealthWarning.objects.create(project=world.project, person=world.client, opened_at=timezone.now(), severity=HealthLevel.WATCH, rules=["R2"], reasons=[])


@pytest.mark.parametrize("persona", list(OVERRIDE))
def test_override_permission_matrix(client, world, persona):
    user = world.persona(persona)
    if user:
        client.force_login(user)
    url = reverse("engagement:health-override", kwargs={"slug": world.project.slug})
    response = client.post(url, {"level": HealthLevel.WATCH, "note": "Client on a planned break"})
    assert response.status_code == OVERRIDE[persona]
    if persona == "manager":
        override = HealthOverride.objects.get()
        assert override.level == HealthLevel.WATCH and override.set_by == world.manager
        assert 27 <= (override.expires_at - timezone.now()).days <= 28
        assert AuditEvent.objects.filter(action="health.override").count() == 1
        page = client.get(reverse("engagement:health", kwargs={"slug": world.project.slug})).content.decode()
        assert "Client on a planned break" in page
    else:
        assert not HealthOverride.objects.exists()
        assert not AuditEvent.objects.filter(action="health.override").exists()


def test_override_replaces_the_previous_one_and_can_be_cleared(client, world):
    f.HealthSnapshotFactory(project=world.project, level=HealthLevel.AT_RISK, score=40)
    client.force_login(world.manager)
    url = reverse("engagement:health-override", kwargs={"slug": world.project.slug})
    client.post(url, {"level": HealthLevel.WATCH, "note": "first"})
    client.post(url, {"level": HealthLevel.HEALTHY, "note": "second"})
    live = HealthOverride.objects.filter(expires_at__gt=timezone.now())
    assert [o.note for o in live] == ["second"]
    client.post(reverse("engagement:health-override-clear", kwargs={"slug": world.project.slug}))
    assert not HealthOverride.objects.filter(expires_at__gt=timezone.now()).exists()
    assert HealthOverride.objects.count() == 2  # kept for the record


def test_override_needs_a_note(client, world):
    client.force_login(world.manager)
    client.post(reverse("engagement:health-override", kwargs={"slug": world.project.slug}), {"level": HealthLevel.WATCH, "note": ""})
    assert not HealthOverride.objects.exists()


@pytest.mark.parametrize("persona", list(ACK))
def test_acknowledge_permission_matrix(client, world, persona):
    warning = _warning(world)
    user = world.persona(persona)
    if user:
        client.force_login(user)
    url = reverse("engagement:health-warning-ack", kwargs={"slug": world.project.slug, "pk": warning.pk})
    response = client.post(url, {"next": "/attention/"})
    assert response.status_code == ACK[persona]
    warning.refresh_from_db()
    if ACK[persona] == 302 and user:
        assert response["Location"] == "/attention/"
        assert warning.acknowledged_by == user
        assert 13 <= (warning.snoozed_until - timezone.now()).days <= 14
        assert warning.closed_at is None  # acknowledging does not change the state
    else:
        assert warning.acknowledged_at is None and warning.snoozed_until is None


def test_acknowledge_refuses_a_warning_of_another_project(client, world):
    other = HealthWarning.objects.create(project=world.other_project, person=world.other_client, opened_at=timezone.now(), rules=["R1"], reasons=[])
    client.force_login(world.manager)
    url = reverse("engagement:health-warning-ack", kwargs={"slug": world.project.slug, "pk": other.pk})
    assert client.post(url).status_code == 404
    other.refresh_from_db()
    assert other.acknowledged_at is None
