#!/usr/bin/env python
"""Back up and restore the PostgreSQL database named by DATABASE_URL.

    bin/backup.py backup                 pg_dump --format=custom into var/backups/
    bin/backup.py restore [DUMP]         pg_restore the newest (or given) dump into a scratch
                                         database `<name>_restore` and check that every table's
                                         row count equals the source's; exits 1 on a mismatch.
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
    out = BACKUPS / f"{_db_name(url)}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--dbname={url}", f"--file={out}"], check=True)
    print(f"backup written: {out} ({out.stat().st_size} bytes)")
    return out


def row_counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").fetchall()]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608 — names from the catalogue


def restore(url: str, dump: Path | None) -> int:
    import psycopg

    if dump is None:
        dumps = sorted(BACKUPS.glob(f"{_db_name(url)}-*.dump"))
        if not dumps:
            sys.exit("no backup found under var/backups/ — run `make backup` first")
        dump = dumps[-1]
    scratch = f"{_db_name(url)}_restore"
    with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        conn.execute(f'CREATE DATABASE "{scratch}"')
    subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={_with_db(url, scratch)}", str(dump)], check=True)
    source, restored = row_counts(url), row_counts(_with_db(url, scratch))
    mismatches = {t: (source.get(t), restored.get(t)) for t in set(source) | set(restored) if source.get(t) != restored.get(t)}
    total = sum(restored.values())
    if mismatches:
        for table, (a, b) in sorted(mismatches.items()):
            print(f"MISMATCH {table}: source {a}, restored {b}")
        return 1
    print(f"restored {dump.name} into {scratch}: {len(restored)} tables, {total} rows, every count equal to the source")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["backup", "restore"])
    parser.add_argument("dump", nargs="?", type=Path)
    args = parser.parse_args()
    url = _url()
    if args.command == "backup":
        backup(url)
        return 0
    return restore(url, args.dump)


if __name__ == "__main__":
    sys.exit(main())
