#!/usr/bin/env python
"""Back up and restore the PostgreSQL database named by DATABASE_URL, and the uploaded files beside it.

    bin/backup.py backup                 pg_dump --format=custom into var/backups/, and the uploaded
                                         files (MEDIA_ROOT, var/media/ by default) into a tar next to
                                         it (<dump>.media.tar.gz), read back and checked against the
                                         directory: the same files with the same sizes.
    bin/backup.py restore [DUMP]         pg_restore the newest (or given) dump into a scratch
                                         database `<name>_restore` and check it against the dump
                                         itself: every table the dump holds is there, with as many
                                         rows as the dump's own data for it; exits 1 on a mismatch.
                                         The live database is neither read nor written. The files'
                                         tar is unpacked into var/media_restore/ and checked the same way.
    bin/backup.py restore --in-place DUMP --yes
                                         put DUMP back into the live database: first a backup of the
                                         database as it is now, then pg_restore --clean in one
                                         transaction (all or nothing), then the same check; the
                                         uploaded files are replaced by the tar's (unpacked beside
                                         them, checked, then swapped in). Stop web, worker and beat
                                         first (docs/operations.md).

When the files are stored in S3 (STORAGES["default"] is an S3 backend), they are not archived here: a line says so,
and the bucket is backed up by the operator (versioning or replication; docs/operations.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKUPS = ROOT / "var" / "backups"


def _url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at PostgreSQL for backup and restore (e.g. postgres://user@127.0.0.1:5432/rapport)")
    return url


def _with_db(url: str, name: str) -> str:
    return urllib.parse.urlunparse(urllib.parse.urlparse(url)._replace(path=f"/{name}"))


def _db_name(url: str) -> str:
    return urllib.parse.urlparse(url).path.lstrip("/")


def _media() -> tuple[Path | None, str]:
    """(the uploaded files' directory, a reason when there is none to archive). MEDIA_ROOT from the environment, else
    from the Django settings, else var/media/; None when the default storage is S3 (the bucket is backed up apart)."""
    backend, root = "", os.environ.get("MEDIA_ROOT", "")
    try:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
        from django.conf import settings

        backend = str(settings.STORAGES.get("default", {}).get("BACKEND", ""))
        root = root or str(getattr(settings, "MEDIA_ROOT", "") or "")
    except Exception as exc:  # noqa: BLE001 — settings that cannot load here (a missing secret) leave the defaults
        print(f"settings not read ({type(exc).__name__}); uploaded files taken from MEDIA_ROOT or var/media/")
    if "s3" in backend.lower():
        return None, f"uploaded files are stored in S3 ({backend}): not archived here, back up the bucket"
    return Path(root) if root else ROOT / "var" / "media", ""


def _media_tar(dump: Path) -> Path:
    return dump.with_name(dump.name.removesuffix(".dump") + ".media.tar.gz")


def _tree(directory: Path) -> dict[str, int]:
    """Every regular file under `directory`: relative path -> size."""
    if not directory.is_dir():
        return {}
    return {str(p.relative_to(directory)): p.stat().st_size for p in sorted(directory.rglob("*")) if p.is_file()}


def _tar_tree(tar_path: Path) -> dict[str, int]:
    with tarfile.open(tar_path, "r:gz") as tar:
        return {m.name: m.size for m in tar.getmembers() if m.isfile()}


def _check_files(want: dict[str, int], got: dict[str, int], label: str) -> int:
    wrong = sorted(set(want) ^ set(got) | {n for n in set(want) & set(got) if want[n] != got[n]})
    for name in wrong[:20]:
        print(f"MISMATCH file {name}: the archive holds {want.get(name)} bytes, {label} has {got.get(name)}")
    if wrong:
        return 1
    print(f"uploaded files in {label}: {len(want)} files, {sum(want.values())} bytes, equal to the archive's")
    return 0


def backup_media(dump: Path) -> Path | None:
    media, why = _media()
    if media is None:
        print(why)
        return None
    out = _media_tar(dump)
    files = _tree(media)
    with tarfile.open(out, "x:gz") as tar:
        for name in files:
            tar.add(media / name, arcname=name, recursive=False)
    if _check_files(files, _tar_tree(out), out.name):
        sys.exit(f"the files' archive {out} does not match {media}")
    print(f"uploaded files written: {out} ({len(files)} files from {media})")
    return out


def _unpack(tar_path: Path, into: Path) -> int:
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    with tarfile.open(tar_path, "r:gz") as tar:
        tar.extractall(into, filter="data")  # no absolute paths, no links out of the directory
    return _check_files(_tar_tree(tar_path), _tree(into), str(into))


def restore_media(dump: Path, *, in_place: bool) -> int:
    media, why = _media()
    archive = _media_tar(dump)
    if media is None:
        print(why)
        return 0
    if not archive.exists():
        print(f"no uploaded files' archive next to {dump.name}: the files are left as they are")
        return 0
    if not in_place:
        return _unpack(archive, ROOT / "var" / "media_restore")
    incoming = media.with_name(media.name + ".incoming")
    if _unpack(archive, incoming):
        return 1
    if media.exists():
        previous = media.with_name(media.name + ".previous")
        if previous.exists():
            shutil.rmtree(previous)
        media.rename(previous)
        incoming.rename(media)
        shutil.rmtree(previous)  # the backup taken before the restore holds them
    else:
        incoming.rename(media)
    print(f"uploaded files put back into {media}")
    return 0


def backup(url: str) -> Path:
    BACKUPS.mkdir(parents=True, exist_ok=True)
    # Milliseconds in the name: two backups in one second (an in-place restore backs up first) never share a file,
    # and the names still sort by time. An existing file is never overwritten.
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now % 1 * 1000):03d}Z"
    out = BACKUPS / f"{_db_name(url)}-{stamp}.dump"
    if out.exists():
        time.sleep(0.002)
        return backup(url)
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--dbname={url}", f"--file={out}"], check=True)
    print(f"backup written: {out} ({out.stat().st_size} bytes)")
    backup_media(out)
    return out


def row_counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").fetchall()]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608 — names from the catalogue


def dump_row_counts(dump: Path) -> dict[str, int]:
    """Rows per table as the dump itself holds them: its data section read back as COPY text, one line per row
    (COPY escapes newlines inside values), every table of the dump's table of contents present, empty ones as 0."""
    listing = subprocess.run(["pg_restore", "--list", str(dump)], check=True, capture_output=True, text=True).stdout
    counts = {line.split()[-2]: 0 for line in listing.splitlines()
              if not line.startswith(";") and " TABLE public " in line and " TABLE DATA " not in line}
    with subprocess.Popen(["pg_restore", "--data-only", "--file=-", str(dump)], stdout=subprocess.PIPE, text=True) as proc:
        table = None
        for line in proc.stdout:
            if table is None:
                if line.startswith("COPY public."):
                    table = line[len("COPY public."):].split(" ", 1)[0].strip('"')
                    counts[table] = 0
            elif line.rstrip("\n") == "\\.":
                table = None
            else:
                counts[table] += 1
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, proc.args)
    return counts


def _compare(dump: Path, url: str, label: str) -> int:
    expected, restored = dump_row_counts(dump), row_counts(url)
    missing = {t: (n, restored.get(t)) for t, n in expected.items() if restored.get(t) != n}
    if missing:
        for table, (want, got) in sorted(missing.items()):
            print(f"MISMATCH {table}: the dump holds {want} rows, {label} has {got}")
        return 1
    print(f"restored {dump.name} into {label}: {len(expected)} tables, {sum(expected.values())} rows, "
          "every table and row count equal to the dump's")
    return 0


def _newest(url: str) -> Path:
    dumps = sorted(BACKUPS.glob(f"{_db_name(url)}-*.dump"))
    if not dumps:
        sys.exit("no backup found under var/backups/ — run `make backup` first")
    return dumps[-1]


def restore(url: str, dump: Path | None) -> int:
    import psycopg

    dump = dump or _newest(url)
    scratch = f"{_db_name(url)}_restore"
    with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        conn.execute(f'CREATE DATABASE "{scratch}"')
    subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={_with_db(url, scratch)}", str(dump)], check=True)
    return _compare(dump, _with_db(url, scratch), scratch) or restore_media(dump, in_place=False)


def restore_in_place(url: str, dump: Path) -> int:
    """The live database replaced by the dump, in one transaction; what was there is backed up first."""
    before = backup(url)
    print(f"the database as it was is kept in {before}")
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--no-owner",
                    "--no-privileges", f"--dbname={url}", str(dump)], check=True)
    return _compare(dump, url, _db_name(url)) or restore_media(dump, in_place=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["backup", "restore"])
    parser.add_argument("dump", nargs="?", type=Path)
    parser.add_argument("--in-place", action="store_true", help="restore into the live database (needs DUMP and --yes)")
    parser.add_argument("--yes", action="store_true", help="confirm an in-place restore")
    args = parser.parse_intermixed_args()
    url = _url()
    if args.command == "backup":
        backup(url)
        return 0
    if args.in_place:
        if args.dump is None or not args.yes:
            sys.exit("an in-place restore replaces the live database: name the dump and add --yes")
        return restore_in_place(url, args.dump)
    return restore(url, args.dump)


if __name__ == "__main__":
    sys.exit(main())
