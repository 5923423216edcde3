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
# var/backups/ (a test compares the dumps in it before and after) and var/media_restore/ are shared: under
# pytest-xdist these tests run one after the other.
pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("backups")]


def _url(name: str | None = None) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name or s['NAME']}"


def _backup_module():
    spec = importlib.util.spec_from_file_location("rapport_backup", ROOT / "bin" / "backup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(*args: str, media: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": _url()}
    if media is not None:
        env["MEDIA_ROOT"] = str(media)
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


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def media(tmp_path):
    root = tmp_path / "media"
    (root / "projects" / "acme").mkdir(parents=True)
    (root / "projects" / "acme" / "brief.pdf").write_bytes(b"%PDF-1.4 brief" * 100)
    (root / "projects" / "acme" / "смета.xlsx").write_bytes(b"PK\x03\x04 sheet")
    (root / "avatar.png").write_bytes(b"\x89PNG")
    yield root
    shutil.rmtree(ROOT / "var" / "media_restore", ignore_errors=True)


def test_uploaded_files_are_archived_beside_the_dump_and_restored_in_place(transactional_db, postgres, media):
    _need(bool(shutil.which("pg_dump")) and bool(shutil.which("pg_restore")), "pg_dump/pg_restore not installed")
    f.ProjectFactory()
    original = _files(media)
    backup = _run("backup", media=media)
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.split("backup written: ", 1)[1].split(" (", 1)[0])
    tar = dump.with_name(dump.name.removesuffix(".dump") + ".media.tar.gz")
    assert tar.exists() and "uploaded files in" in backup.stdout and "3 files" in backup.stdout

    # a restore into the scratch database unpacks the files beside it and checks them against the archive
    restore = _run("restore", str(dump), media=media)
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert _files(ROOT / "var" / "media_restore") == original

    # in place: a file added since goes, a file removed since comes back, a changed one is as it was
    (media / "added-later.txt").write_text("new")
    (media / "avatar.png").unlink()
    (media / "projects" / "acme" / "brief.pdf").write_bytes(b"changed")
    in_place = _run("restore", "--in-place", str(dump), "--yes", media=media)
    assert in_place.returncode == 0, in_place.stdout + in_place.stderr
    assert _files(media) == original
    assert "uploaded files put back" in in_place.stdout
    kept = sorted(dump.parent.glob("*.media.tar.gz"))[-1]  # the files as they were before, archived first
    assert kept != tar and "added-later.txt" in _backup_module()._tar_tree(kept)


def test_a_damaged_files_archive_is_caught(transactional_db, postgres, media, tmp_path):
    module = _backup_module()
    dump = tmp_path / "rapport-x.dump"
    os.environ["MEDIA_ROOT"] = str(media)
    try:
        tar = module.backup_media(dump)
        assert module._check_files(module._tar_tree(tar), module._tree(media), "media") == 0
        (media / "avatar.png").write_bytes(b"truncated?")  # the directory differs from the archive now
        assert module._check_files(module._tar_tree(tar), module._tree(media), "media") == 1
    finally:
        del os.environ["MEDIA_ROOT"]


def test_files_in_s3_are_not_archived_and_a_line_says_so(settings, tmp_path, capsys):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}
    module = _backup_module()
    assert module.backup_media(tmp_path / "rapport-x.dump") is None
    assert module.restore_media(tmp_path / "rapport-x.dump", in_place=True) == 0
    out = capsys.readouterr().out
    assert out.count("stored in S3") == 2 and "back up the bucket" in out
    assert not list(tmp_path.iterdir())
