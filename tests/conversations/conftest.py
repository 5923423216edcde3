import pytest
from django.urls import reverse

from tests import factories as f


@pytest.fixture
def task(world):
    return f.TaskFactory(project=world.project, owner=world.client, side="client", title="Homepage copy")


@pytest.fixture
def internal_task(world):
    return f.TaskFactory(project=world.project, owner=world.team, side="team", internal=True, title="Server costs")


def thread_url(task) -> str:
    return reverse("conversations:task-comments", args=[task.project.slug, task.pk])


def api_url(task) -> str:
    return reverse("api:task-comment-list", args=[task.project.slug, task.pk])
