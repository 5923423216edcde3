"""Client-seen records can't be hard-deleted through the admin."""

import pytest
from django.contrib import admin

from engagement.models import Decision, DecisionResponse, Digest, Meeting
from projects.models import ProgressReport, Project, Risk, Task


@pytest.mark.parametrize("model", [Project, Task, Risk, ProgressReport, Meeting, Decision, DecisionResponse, Digest])
def test_admin_refuses_to_delete_client_seen_records(rf, admin_user, model):
    request = rf.get("/admin/")
    request.user = admin_user
    assert admin.site._registry[model].has_delete_permission(request) is False


@pytest.mark.django_db
def test_superuser_delete_page_is_forbidden(admin_client, world):
    from tests import factories as f

    task = f.TaskFactory(project=world.project, owner=world.team)
    response = admin_client.post(f"/admin/projects/task/{task.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Task.objects.filter(pk=task.pk).exists()
