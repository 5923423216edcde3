"""API validation errors never tell whether an id exists in another project: an id of another project and an id that
names nothing get the same answer, field by field, and every related field of the API says so in its own words."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django.urls import reverse
from rest_framework import serializers

from engagement.models import Stakeholder
from portal.core.api.fields import ID_MAX
from projects.models import Membership, Role
from tests import factories as f

MISSING = ID_MAX - 7
SERIALIZER_MODULES = ["portal.accounts.api.serializers", "projects.api.serializers", "engagement.api.serializers"]


def _foreign(world, kind: str):
    """An object of `kind` in the other project (or, for people, someone who is not a member of this one)."""
    other = world.other_project
    if kind == "person":
        return world.other_client
    if kind == "task":
        return f.TaskFactory(project=other, owner=world.other_client)
    if kind == "meeting":
        return f.MeetingFactory(project=other)
    if kind == "decision":
        return f.DecisionFactory(project=other)
    if kind == "stakeholder":
        plan = f.CommunicationPlanFactory(project=other)
        return f.StakeholderFactory(plan=plan, user=world.other_client, side="client")
    raise AssertionError(kind)


# (what, method and address, body with the id in it, kind of the foreign object)
CASES = [
    ("task owner", ("post", "task-list", {}), lambda i: {"title": "Logo", "owner": i}, "person"),
    ("task assignee", ("post", "task-assign", {"pk": "task"}), lambda i: {"owner": i}, "person"),
    ("risk owner", ("post", "risk-list", {}), lambda i: {"title": "R", "kind": "risk", "severity": "low", "owner": i}, "person"),
    ("stakeholder", ("post", "stakeholder-list", {}), lambda i: {"side": "client", "user": i}, "person"),
    ("stakeholder backup", ("post", "stakeholder-list", {}), lambda i: {"side": "client", "user": "client", "backup_for": i}, "stakeholder"),
    ("decision task", ("post", "decision-list", {}), lambda i: {"title": "X", "task": i}, "task"),
    ("decision meeting", ("post", "decision-list", {}), lambda i: {"title": "X", "meeting": i}, "meeting"),
    ("successor", ("post", "decision-supersede", {"pk": "decision"}), lambda i: {"successor": i}, "decision"),
    ("meeting attendee", ("post", "meeting-hold", {"pk": "past_meeting"}), lambda i: {"minutes": "", "attended": [i]}, "person"),
    (
        "action owner",
        ("post", "meeting-hold", {"pk": "past_meeting"}),
        lambda i: {"minutes": "", "attended": [], "outcomes": [{"kind": "task", "title": "T", "owner_id": i}]},
        "person",
    ),
]


@pytest.mark.parametrize(("what", "route", "body", "kind"), CASES, ids=[c[0] for c in CASES])
def test_an_id_of_another_project_and_a_missing_id_get_the_same_answer(api, world, objects, what, route, body, kind):
    method, name, kwargs = route
    kwargs = {"slug": world.project.slug, **{k: getattr(objects, v).pk for k, v in kwargs.items()}}
    url = reverse(f"api:{name}", kwargs=kwargs)
    foreign = _foreign(world, kind)
    client = api.as_(world.manager)

    def send(an_id):
        data = body(an_id)
        if data.get("user") == "client":
            data["user"] = world.client.pk
        return getattr(client, method)(url, data, format="json")

    missing = send(MISSING)
    elsewhere = send(foreign.pk)

    assert missing.status_code == elsewhere.status_code == 400, (missing.json(), elsewhere.json())
    assert missing.json() == elsewhere.json()
    text = str(missing.json())
    assert "does not exist" not in text and "Invalid pk" not in text and str(MISSING) not in text


def _serializers():
    for module_name in SERIALIZER_MODULES:
        module = importlib.import_module(module_name)
        modules = [module]
        if hasattr(module, "__path__"):
            modules += [importlib.import_module(info.name) for info in pkgutil.iter_modules(module.__path__, f"{module_name}.")]
        for mod in modules:
            for _name, cls in inspect.getmembers(mod, inspect.isclass):
                if issubclass(cls, serializers.Serializer) and cls.__module__ == mod.__name__:
                    yield cls


def test_every_related_id_field_of_the_api_words_a_missing_id_itself():
    checked, default = [], serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
    for cls in _serializers():
        for name, field in cls().fields.items():
            if isinstance(field, serializers.PrimaryKeyRelatedField):
                checked.append(f"{cls.__name__}.{name}")
                assert field.error_messages["does_not_exist"] != default, f"{cls.__name__}.{name} says DRF's default"

    assert len(checked) >= 10, checked


def test_the_stakeholder_backup_of_this_plan_still_works(api, world):
    client = api.as_(world.manager)
    url = reverse("api:stakeholder-list", kwargs={"slug": world.project.slug})
    first = client.post(url, {"side": "client", "user": world.client_lead.pk}, format="json")

    second = client.post(url, {"side": "client", "user": world.client.pk, "backup_for": first.json()["id"]}, format="json")

    assert second.status_code == 201, second.json()
    assert Stakeholder.objects.get(user=world.client).backup_for_id == first.json()["id"]
    assert Membership.objects.filter(project=world.project, role=Role.CLIENT).exists()
