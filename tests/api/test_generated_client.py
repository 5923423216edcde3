"""A client generated from our schema by openapi-python-client logs in with the token endpoint and submits a
progress report against a live server: the schema is usable, not just valid."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from projects.models import ProgressReport
from tests import factories as f
from tests.api.conftest import PASSWORD

BIN = Path(sys.executable).parent


def _generate(tmp_path: Path) -> Path:
    tool = shutil.which("openapi-python-client", path=str(BIN)) or shutil.which("openapi-python-client")
    assert tool, "openapi-python-client is pinned in requirements-dev.txt"
    schema = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(schema))
    package = tmp_path / "rapport_client"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [tool, "generate", "--path", str(schema), "--output-path", str(package), "--meta", "none"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    return package


@pytest.fixture
def generated(tmp_path):
    package = _generate(tmp_path)
    sys.path.insert(0, str(package.parent))
    try:
        yield importlib.import_module("rapport_client")
    finally:
        sys.path.remove(str(package.parent))
        for name in [n for n in sys.modules if n == "rapport_client" or n.startswith("rapport_client.")]:
            del sys.modules[name]


@pytest.mark.django_db(transaction=True)
def test_generated_client_logs_in_and_submits_a_report(generated, live_server, world):
    task = f.TaskFactory(project=world.project, owner=world.client, title="Send the brand guidelines")
    auth_token_create = importlib.import_module("rapport_client.api.auth.auth_token_create")
    tasks_list = importlib.import_module("rapport_client.api.tasks.tasks_list")
    reports_create = importlib.import_module("rapport_client.api.tasks.reports_create")
    models = importlib.import_module("rapport_client.models")

    anonymous = generated.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    login = auth_token_create.sync(client=anonymous, body=models.TokenCreateInputRequest(email=world.client.email, password=PASSWORD))
    assert isinstance(login, models.TokenCreateOutput)

    client = generated.AuthenticatedClient(base_url=live_server.url, token=login.token, prefix="Token", raise_on_unexpected_status=True)
    page = tasks_list.sync(slug=world.project.slug, client=client, owner=world.client.pk)
    assert [t.title for t in page.results] == ["Send the brand guidelines"]

    report = reports_create.sync(
        slug=world.project.slug,
        id=page.results[0].id,
        client=client,
        body=models.ReportCreateInputRequest(percent=60, state=models.StateEnum.ON_TRACK, note="Drafts sent"),
    )

    assert isinstance(report, models.ReportOutput)
    assert (report.percent, report.author.id) == (60, world.client.pk)
    stored = ProgressReport.objects.get(task=task)
    assert (stored.author, stored.percent, stored.state, stored.note) == (world.client, 60, "on_track", "Drafts sent")

    refused = reports_create.sync_detailed(
        slug=world.project.slug, id=page.results[0].id, client=client, body=models.ReportCreateInputRequest(percent=101, state=models.StateEnum.DONE)
    )
    assert refused.status_code == 400
    assert isinstance(refused.parsed, models.Error)
    assert ProgressReport.objects.filter(task=task).count() == 1
