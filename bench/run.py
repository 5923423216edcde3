"""`make bench`: the request benchmarks, side by side with the framework's ceiling.

For the reference scale (200) and the growth scale (1000), seeds a dedicated database, starts gunicorn (2 workers)
under `portal.settings.bench`, and measures every endpoint and the bare JsonResponse
ceiling round by round (interleaved, in a shuffled order per round) so the machine's
drift cancels out. Prints one line per figure, `name: value (bar: ...)`, and exits
non-zero when a bar is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.web import ROOT, Endpoint, Gunicorn, login, wrk  # noqa: E402

PASSWORD = "rapport-demo"  # noqa: S105 — the documented demo password


def bench_env(scale: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.bench"
    env["DEBUG"] = "false"
    # As in production: the cache and the broker are Redis. Every page is rendered per request (no page cache).
    env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
    source = os.environ.get("DATABASE_URL", "")
    if source.startswith(("postgres://", "postgresql://")):
        parsed = urllib.parse.urlparse(source)
        name = f"rapport_bench_{scale}"
        env["DATABASE_URL"] = urllib.parse.urlunparse(parsed._replace(path=f"/{name}"))
        _ensure_pg_database(source, name)
    else:
        env["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / f'bench-{scale}.sqlite3'}"
    return env


def machine(env: dict) -> dict:
    """Cores, RAM, Python, database server and the load average (other processes on the machine skew figures)."""
    ram_kb = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")), 0)
    database = "SQLite"
    if env["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            database = conn.execute("SHOW server_version").fetchone()[0]
            database = f"PostgreSQL {database}"
    return {"cpus": os.cpu_count(), "ram_gb": round(ram_kb / 2**20, 1), "python": platform.python_version(),
            "platform": platform.platform(), "database": database, "loadavg_1_5_15": os.getloadavg()}


def _ensure_pg_database(url: str, name: str) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(url)
    admin = urllib.parse.urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str, capture: bool = False) -> str:
    out = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                         capture_output=capture, text=True)
    return out.stdout if capture else ""


def prepare(env: dict, scale: int) -> dict:
    """Migrate, seed (once per database), and pick the people and objects the figures use."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    probe = manage(env, "shell", "-c", PROBE, capture=True).strip().splitlines()[-1]
    facts = json.loads(probe)
    if facts["projects"] < scale:
        print(f"seeding the reference data set (seed_demo --scale {scale}) …", flush=True)
        manage(env, "seed_demo", "--force")
        manage(env, "seed_demo", "--scale", str(scale), "--force")
        if "health_backfill" in manage(env, "help", "--commands", capture=True):
            manage(env, "health_backfill", "--weeks", "12")
    manage(env, "shell", "-c", PORTFOLIO, capture=True)
    manage(env, "shell", "-c", ANALYZE, capture=True)
    return json.loads(manage(env, "shell", "-c", PROBE, capture=True).strip().splitlines()[-1])


# Freshly bulk-seeded tables have no planner statistics until autovacuum gets round to them; without them the
# dashboard's "needs you" query picks a nested loop 50× slower. Production tables are analysed; so are these.
ANALYZE = """
from django.db import connection
if connection.vendor == "postgresql":
    connection.cursor().execute("ANALYZE")
"""

# Runs inside `manage.py shell`: the dashboard's first page of 25 needs someone on more than 25 projects. The seeded
# managers have ≤ 16, so a portfolio lead joins every project as a team member (idempotent, deterministic).
PORTFOLIO = """
from portal.accounts.models import User
from projects.models import Membership, Project
lead, made = User.objects.get_or_create(email="portfolio@bench.invalid", defaults={"full_name": "Portfolio Lead", "kind": "staff"})
if made or not lead.has_usable_password():
    lead.set_password("rapport-demo")
    lead.save()
have = set(Membership.objects.filter(user=lead).values_list("project_id", flat=True))
Membership.objects.bulk_create([Membership(project_id=pk, user=lead, role="team") for pk in Project.objects.values_list("pk", flat=True) if pk not in have])
"""


# Runs inside `manage.py shell`: counts, and the busiest manager and client with a task to report on.
PROBE = """
import json
from django.db.models import Count, Q
from portal.accounts.models import User
from projects.models import Project, Task, ProgressReport, Membership
manager = User.objects.filter(kind="staff").annotate(n=Count("memberships")).order_by("-n", "id").first()
client = User.objects.filter(kind="client").exclude(email__endswith="@bench.invalid").annotate(n=Count("memberships")).order_by("-n", "id").first()
task = Task.objects.filter(owner=client, side="client", status__in=["todo", "in_progress", "blocked"]).select_related("project").first() if client else None
print(json.dumps({
    "projects": Project.objects.count(), "tasks": Task.objects.count(), "reports": ProgressReport.objects.count(),
    "manager": manager.email if manager else None, "manager_projects": getattr(manager, "n", 0),
    "client": client.email if client else None, "client_projects": getattr(client, "n", 0),
    "report_path": f"/projects/{task.project.slug}/tasks/{task.pk}/report/" if task else None,
    "report_task": task.pk if task else None,
}))
"""

# quality.md, "Speed and scale": every GET rendered (no page cache), at the reference scale and at five times it.
BARS = {
    "api_task_list": 0.10,
    "manager_dashboard": 0.04,
    "client_my_work": 0.05,
    "client_report_post": 0.10,
}
DASHBOARD_P95_MS = 250.0
GROWTH_BAR = 0.85  # each figure on the growth set ≥ this × the same figure on the reference set


def measure(scale: int, args) -> tuple[dict, dict]:
    """Seed (once), start gunicorn on the scale's database and run every endpoint round by round."""
    env = bench_env(scale)
    facts = prepare(env, scale)
    print(f"data set @{scale}: {facts['projects']} projects, {facts['tasks']} tasks, {facts['reports']} reports; "
          f"manager {facts['manager']} on {facts['manager_projects']} projects, client {facts['client']} on {facts['client_projects']}")
    print(f"machine: {json.dumps(machine(env))}", flush=True)
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # the benchmark's own Redis database
    results: dict[str, list[dict]] = {}
    with Gunicorn(env) as server:
        manager = login(server.port, facts["manager"], PASSWORD)
        client = login(server.port, facts["client"], PASSWORD)
        endpoints = [
            Endpoint("ceiling", "/bench/ceiling"),
            Endpoint("api_task_list", args.api_path, manager),
            Endpoint("manager_dashboard", "/", manager),
            Endpoint("client_my_work", "/", client),
        ]
        if facts["report_path"]:
            body = urllib.parse.urlencode({"task": facts["report_task"], "percent": 50, "state": "on_track", "note": "Benchmark report", "blockers": ""})
            endpoints.append(Endpoint("client_report_post", facts["report_path"], client, method="POST", body=body))
        for endpoint in endpoints:
            endpoint.check(server.port)
            wrk(server.port, endpoint, 1, args.connections)  # warm-up
        rng = random.Random(1)
        for round_no in range(args.rounds):
            order = endpoints[:]
            rng.shuffle(order)
            for endpoint in order:
                results.setdefault(endpoint.name, []).append(wrk(server.port, endpoint, args.seconds, args.connections))
            print(f"@{scale}: round {round_no + 1}/{args.rounds} done", flush=True)
    return results, facts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default=os.environ.get("BENCH_SCALES", "200,1000"),
                        help="reference scale first, then the growth scale (comma-separated)")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 5)))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 5)))
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--api-path", default=os.environ.get("BENCH_API_PATH", "/api/v1/tasks/?page_size=50"))
    parser.add_argument("--save", default=str(ROOT / "bench" / "results" / "latest.json"))
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",") if s.strip()]

    runs = {scale: measure(scale, args) for scale in scales}
    failed = False
    reference: dict[str, float] = {}
    for position, scale in enumerate(scales):
        results, facts = runs[scale]
        figures, missed = report(results, scale, reference if position else None)
        failed |= missed
        if position == 0:
            reference = figures
    Path(args.save).parent.mkdir(parents=True, exist_ok=True)
    Path(args.save).write_text(json.dumps({
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(bench_env(scales[0])),
        "scales": {str(scale): {"facts": facts, "rounds": results} for scale, (results, facts) in runs.items()},
    }, indent=2))
    return 1 if failed else 0


def report(results: dict, scale: int, reference: dict[str, float] | None) -> tuple[dict[str, float], bool]:
    """Print one line per figure; on the growth set each figure is also held against the reference set's."""
    failed = False
    figures: dict[str, float] = {}
    ceiling = results["ceiling"]
    print(f"ceiling_rps@{scale}: {statistics.median(r['rps'] for r in ceiling):.0f}")
    for name, bar in BARS.items():
        runs = results.get(name)
        if not runs:
            print(f"{name}@{scale}: not measured (bar ≥ {bar:.2f}×) MISSED")
            failed = True
            continue
        ratio = statistics.median(r["rps"] / c["rps"] for r, c in zip(runs, ceiling, strict=False))
        figures[name] = ratio
        p50 = statistics.median(r["p50_ms"] for r in runs)
        p95 = statistics.median(r["p95_ms"] for r in runs)
        errors = sum(r["errors"] + r["bad_status"] for r in runs)
        ok = ratio >= bar and errors == 0
        bars = [f"≥ {bar:.2f}×"]
        if name == "manager_dashboard":
            ok = ok and p95 <= DASHBOARD_P95_MS
            bars.append(f"p95 ≤ {DASHBOARD_P95_MS:.0f} ms")
        bars.append("0 errors")
        if reference is not None and name in reference:
            growth = ratio / reference[name]
            ok = ok and growth >= GROWTH_BAR
            bars.append(f"≥ {GROWTH_BAR}× the reference figure: {growth:.2f}×")
        failed |= not ok
        print(f"{name}@{scale}: {ratio:.3f}× ceiling, p50 {p50:.1f} ms, p95 {p95:.1f} ms, errors {errors} "
              f"(bar {', '.join(bars)}) {'ok' if ok else 'MISSED'}")
    return figures, failed


if __name__ == "__main__":
    sys.exit(main())
