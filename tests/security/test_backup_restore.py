"""`make backup` / `make restore` on PostgreSQL. The restored copy is checked against the dump itself (its own table
list and table data), never against the live database, so writes since the dump do not matter; and a dump can be put
back into the live database in place, in one transaction, after a backup of what was there."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from engagement.models import Decision
from projects.models import ProgressReport, Project
from tests import factories as f
from tests.conftest import _need

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.postgres


def _url(name: str | None = None) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name or s['NAME']}"


def _backup_module():
    spec = importlib.util.spec_from_file_location("rapport_backup", ROOT / "bin" / "backup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": _url()}
    return subprocess.run([sys.executable, "bin/backup.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def dumped(transactional_db, postgres):
    """A project with tasks, reports and a decision, committed and dumped; the scratch database dropped after."""
    _need(bool(shutil.which("pg_dump")) and bool(shutil.which("pg_restore")), "pg_dump/pg_restore not installed")
    project = f.ProjectFactory()
    for task in f.TaskFactory.create_batch(3, project=project):
        f.ProgressReportFactory.create_batch(2, task=task, note="line one\nline two")  # a newline inside a value
    f.DecisionFactory(project=project)
    backup = _run("backup")
    assert backup.returncode == 0, backup.stderr
    yield Path(backup.stdout.split("backup written: ", 1)[1].split(" (", 1)[0])
    import psycopg

    with psycopg.connect(_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{connection.settings_dict["NAME"]}_restore"')


def test_restore_is_checked_against_the_dump_not_the_live_database(dumped):
    # given: writes to the live database after the dump
    f.ProjectFactory()
    ProgressReport.objects.first().delete()

    restore = _run("restore", str(dumped))

    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "every table and row count equal to the dump's" in restore.stdout
    import psycopg

    with psycopg.connect(_url(f"{connection.settings_dict['NAME']}_restore")) as conn:
        assert conn.execute("SELECT count(*) FROM projects_progressreport").fetchone()[0] == 6
        assert conn.execute("SELECT count(*) FROM engagement_decision").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM projects_project").fetchone()[0] == 1


def test_the_dumps_own_counts_are_read_from_its_data_and_a_short_restore_is_caught(dumped):
    module = _backup_module()
    counts = module.dump_row_counts(dumped)
    assert counts["projects_progressreport"] == 6 and counts["engagement_decision"] == 1
    assert counts["projects_project"] == 1
    assert counts["core_jobrun"] == 0  # an empty table of the dump is listed too
    assert _run("restore", str(dumped)).returncode == 0

    import psycopg

    scratch = _url(f"{connection.settings_dict['NAME']}_restore")
    with psycopg.connect(scratch, autocommit=True) as conn:
        conn.execute("DELETE FROM engagement_decision")  # a restore that lost rows
    assert module._compare(dumped, scratch, "scratch") == 1


def test_restore_in_place_puts_the_dump_back_after_a_backup_of_what_was_there(dumped):
    # given: the live database moved on after the dump
    f.ProjectFactory(name="Made after the dump")
    Decision.objects.all().delete()
    dumps_before = set(dumped.parent.glob("*.dump"))

    refused = _run("restore", "--in-place", str(dumped))
    restore = _run("restore", "--in-place", str(dumped), "--yes")

    assert refused.returncode != 0 and "--yes" in refused.stderr
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "every table and row count equal to the dump's" in restore.stdout
    assert Project.objects.count() == 1 and not Project.objects.filter(name="Made after the dump").exists()
    assert Decision.objects.count() == 1 and ProgressReport.objects.count() == 6
    [kept] = set(dumped.parent.glob("*.dump")) - dumps_before  # what was there, backed up first
    assert _backup_module().dump_row_counts(kept)["engagement_decision"] == 0
