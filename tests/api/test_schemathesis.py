"""schemathesis against a live server, as a manager and as a client (token auth): no server errors, no
responses that break the schema, no cross-project access; OPTIONS at every address too. Bounded: a few derandomised examples per operation."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from projects.models import Membership, Project, Role
from tests import factories as f

MARKER = "GLOBEX-CONFIDENTIAL"
MAX_EXAMPLES = 3
# Valid-looking data that a business rule refuses (403/404/409) is correct here, so this one check is left out.
EXCLUDED = [positive_data_acceptance]


def _seed_other_project(world):
    other = world.other_project
    f.TaskFactory(project=other, owner=world.other_client, title=f"{MARKER} task", description=MARKER)
    f.RiskFactory(project=other, title=f"{MARKER} risk", raised_by=world.other_client)
    f.DecisionFactory(project=other, title=f"{MARKER} decision")
    f.MeetingFactory(project=other, title=f"{MARKER} meeting")
    f.DigestFactory(recipient=world.other_client, subject=MARKER, body_text=MARKER)
    f.HealthSnapshotFactory(project=other, reasons=[MARKER])


def _seed_project(world):
    f.TaskFactory(project=world.project, owner=world.client)
    f.RiskFactory(project=world.project, raised_by=world.client)
    f.DecisionFactory(project=world.project)
    f.MeetingFactory(project=world.project)
    f.CommunicationPlanFactory(project=world.project)


def _restore(world):
    """Put back what a fuzzed write may take away (the slug, the archive flag, the four members), so later
    operations still reach the project instead of answering 404 for the rest of the run."""
    Project.objects.filter(pk=world.project.pk).update(slug="acme-portal", archived_at=None)
    for user, role in ((world.manager, Role.MANAGER), (world.team, Role.TEAM), (world.client_lead, Role.CLIENT_LEAD), (world.client, Role.CLIENT)):
        Membership.objects.update_or_create(project=world.project, user=user, defaults={"role": role})


def _run(schema, base_url, token, slug, world, *, examples=MAX_EXAMPLES, expect_no_success=False):
    seen = {"calls": 0, "options": 0, "server_errors": []}
    for result in schema.get_all_operations():
        operation = result.ok()
        path_parameters = {"slug": slug} if "{slug}" in operation.path else None
        strategy = operation.as_strategy(path_parameters=path_parameters)

        @given(case=strategy)
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            headers = {"Authorization": f"Token {token}"}
            response = case.call_and_validate(base_url=base_url, headers=headers, excluded_checks=EXCLUDED)
            seen["calls"] += 1
            # OPTIONS is in no schema: asked at every generated address, as the caller (DRF metadata) and as a
            # browser's CORS pre-flight (no credentials).
            url = f"{base_url}{case.formatted_path}"
            preflight = {"Origin": "https://app.example.com", "Access-Control-Request-Method": case.method}
            for options_headers in (headers, preflight):
                answer = requests.options(url, headers=options_headers, timeout=30)
                assert answer.status_code < 500, f"OPTIONS {case.formatted_path} answered {answer.status_code}"
                seen["options"] += 1
            if case.method != "GET":
                _restore(world)
            assert MARKER not in response.text, f"{case.method} {case.formatted_path} leaked another project's data"
            if expect_no_success and "{slug}" in case.operation.path:
                assert response.status_code >= 400, f"{case.method} {case.formatted_path} answered {response.status_code}"

        check()
    return seen


@pytest.mark.django_db(transaction=True)
def test_schemathesis_manager_and_client(live_server, world):
    _seed_project(world)
    _seed_other_project(world)
    # The manager of Acme is not on Globex here, so the marker must stay invisible to both identities.
    world.other_project.memberships.filter(user=world.manager).update(user=f.StaffFactory(email="globex-pm@example.com"))
    manager = Token.objects.create(user=world.manager).key
    client = Token.objects.create(user=world.client).key
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")

    as_manager = _run(schema, live_server.url, manager, world.project.slug, world)
    as_client = _run(schema, live_server.url, client, world.project.slug, world)
    client_elsewhere = _run(schema, live_server.url, client, world.other_project.slug, world, examples=1, expect_no_success=True)

    assert as_manager["calls"] > 100 and as_client["calls"] > 100 and client_elsewhere["calls"] >= 60
    assert as_manager["options"] == 2 * as_manager["calls"] and as_client["options"] == 2 * as_client["calls"]
