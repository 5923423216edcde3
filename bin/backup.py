#!/usr/bin/env python
"""Back up and restore the PostgreSQL database named by DATABASE_URL.

    bin/backup.py backup                 pg_dump --format=custom into var/backups/
    bin/backup.py restore [DUMP]         pg_restore the newest (or given) dump into a scratch
                                         database `<name>_restore` and check it against the dump
                                         itself: every table the dump holds is there, with as many
                                         rows as the dump's own data for it; exits 1 on a mismatch.
                                         The live database is neither read nor written.
    bin/backup.py restore --in-place DUMP --yes
                                         put DUMP back into the live database: first a backup of the
                                         database as it is now, then pg_restore --clean in one
                                         transaction (all or nothing), then the same check. Stop
                                         web, worker and beat first (docs/operations.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
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
    return _compare(dump, _with_db(url, scratch), scratch)


def restore_in_place(url: str, dump: Path) -> int:
    """The live database replaced by the dump, in one transaction; what was there is backed up first."""
    before = backup(url)
    print(f"the database as it was is kept in {before}")
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--no-owner",
                    "--no-privileges", f"--dbname={url}", str(dump)], check=True)
    return _compare(dump, url, _db_name(url))


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
