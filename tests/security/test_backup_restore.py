"""`make backup` / `make restore` on PostgreSQL: the restored copy has the same row counts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests import factories as f
from tests.conftest import _need

ROOT = Path(__file__).resolve().parent.parent.parent


def _url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres
def test_backup_then_restore_keeps_every_row(transactional_db, postgres, tmp_path):
    _need(bool(shutil.which("pg_dump")) and bool(shutil.which("pg_restore")), "pg_dump/pg_restore not installed")
    # given: a project with tasks, reports and a decision, committed
    project = f.ProjectFactory()
    for task in f.TaskFactory.create_batch(3, project=project):
        f.ProgressReportFactory.create_batch(2, task=task)
    f.DecisionFactory(project=project)
    env = {**os.environ, "DATABASE_URL": _url()}
    # when
    backup = subprocess.run([sys.executable, "bin/backup.py", "backup"], cwd=ROOT, env=env, capture_output=True, text=True)
    restore = subprocess.run([sys.executable, "bin/backup.py", "restore"], cwd=ROOT, env=env, capture_output=True, text=True)
    # then
    assert backup.returncode == 0, backup.stderr
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "every count equal to the source" in restore.stdout
    import psycopg

    scratch = _url().rsplit("/", 1)[0] + f"/{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(scratch) as conn:
        assert conn.execute("SELECT count(*) FROM projects_progressreport").fetchone()[0] == 6
        assert conn.execute("SELECT count(*) FROM engagement_decision").fetchone()[0] == 1
    with psycopg.connect(_url().rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{connection.settings_dict["NAME"]}_restore"')
