"""In-process figures: CPU and SQL time per request and per digest, without HTTP, gunicorn or wrk.

On a shared machine the wrk ratios of `bench/run.py` move with other load; the CPU time a request costs this
process (`time.process_time`) and the time its SQL statements take move much less. For each of the request
figures of `bench/run.py` (the portfolio lead's dashboard, the busiest client's "my work", the API task list of
50) it prints the median over `--repeat` requests through Django's test client of: Python CPU, SQL time (the wall
time of the statements, measured around each one), queries and response size, and the number of Python function
calls of one request (cProfile; it does not depend on the machine's load). For the digests it builds
`--batches` batches of DIGEST_BATCH_SIZE client contacts' digests (the first batches of a run for `--contacts`) (`digest_send_batch`, each rolled back) and
prints CPU and SQL milliseconds and Python function calls per digest. `--profile` adds a cProfile summary of the digest batches.

    DATABASE_URL=postgres://…/rapport_bench_200 python bench/inprocess.py [--repeat 15] [--batches 3]

The database must have been prepared by `bench/run.py` (seeded, the portfolio lead, ANALYZE); the digest part
adds the bench contacts of `bench/digests.py` once.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class SqlTimer:
    """An execute wrapper summing the wall time and the number of the statements run inside it."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


@contextmanager
def measured():
    from django.db import connection

    timer = SqlTimer()
    cpu = time.process_time()
    wall = time.perf_counter()
    with connection.execute_wrapper(timer):
        yield timer
    timer.cpu = time.process_time() - cpu
    timer.wall = time.perf_counter() - wall


def pages(repeat: int) -> dict:
    from django.db.models import Count
    from django.test import Client

    from portal.accounts.models import User
    from projects.models import Membership

    lead = User.objects.get(email="portfolio@bench.invalid")
    client_user = (User.objects.filter(kind="client").exclude(email__endswith="@bench.invalid")
                   .annotate(n=Count("memberships"))
                   .order_by("-n", "id").first())
    figures = {}
    for name, person, path in (
        ("manager_dashboard", lead, "/"),
        ("client_my_work", client_user, "/"),
        ("api_task_list", lead, "/api/v1/tasks/?page_size=50"),
    ):
        browser = Client(HTTP_HOST="127.0.0.1")
        browser.force_login(person)
        rows = []
        for i in range(repeat + 3):
            with measured() as m:
                response = browser.get(path)
            assert response.status_code == 200, (name, response.status_code)
            if i >= 3:  # the first requests fill caches a long-running worker has filled already
                rows.append((m.cpu, m.seconds, m.wall, m.count, len(response.content)))
        profiler = cProfile.Profile()
        profiler.runcall(browser.get, path)
        figures[name] = {
            "python_calls": pstats.Stats(profiler).total_calls,
            "cpu_ms": round(statistics.median(r[0] for r in rows) * 1000, 1),
            "sql_ms": round(statistics.median(r[1] for r in rows) * 1000, 1),
            "wall_ms": round(statistics.median(r[2] for r in rows) * 1000, 1),
            "queries": rows[-1][3],
            "kb": round(rows[-1][4] / 1024, 1),
        }
    figures["_projects_of_lead"] = Membership.objects.filter(user=lead).count()
    return figures


def digests(batches: int, profile: bool, population: int) -> dict:
    from django.conf import settings
    from django.db import transaction

    from bench.digests import clean, contacts_ensure, contacts_remove, moment_of_week
    from engagement.services.digests import _by_project, digest_send_batch

    size = settings.DIGEST_BATCH_SIZE
    # The batches are the first ones of a run for `population` contacts, ordered by project as the job orders them, so
    # readers of one project share a batch as they do in `bench/digests.py`.
    contacts = _by_project(contacts_ensure(max(population, size * batches)))[:size * batches]
    clean(contacts)  # a digest already stored for this week (by bench/digests.py) is not built again
    moment = moment_of_week()
    profiler = cProfile.Profile() if profile else None
    rows = []
    for i in range(batches + 1):
        ids = contacts[(i % batches) * size:((i % batches) + 1) * size]
        with transaction.atomic():
            if profiler and i:
                profiler.enable()
            with measured() as m:
                built = digest_send_batch(kind="client", person_ids=ids, now=moment)
            if profiler and i:
                profiler.disable()
            transaction.set_rollback(True)
        if i:  # the first batch warms the template and translation caches
            rows.append((m.cpu / built, m.seconds / built, m.wall / built, m.count, built))
    counter = cProfile.Profile()
    with transaction.atomic():
        built = counter.runcall(digest_send_batch, kind="client", person_ids=contacts[:size], now=moment)
        transaction.set_rollback(True)
    contacts_remove()  # the next run's request figures see the seeded data set
    out = {
        "python_calls_per_digest": round(pstats.Stats(counter).total_calls / built),
        "cpu_ms_per_digest": round(statistics.median(r[0] for r in rows) * 1000, 2),
        "sql_ms_per_digest": round(statistics.median(r[1] for r in rows) * 1000, 2),
        "wall_ms_per_digest": round(statistics.median(r[2] for r in rows) * 1000, 2),
        "queries_per_batch": [r[3] for r in rows],
        "digests_per_batch": [r[4] for r in rows],
    }
    if profiler:
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(45)
        out["profile"] = stream.getvalue()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-digests", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--contacts", type=int, default=10_000, help="digest population, as bench/digests.py")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.bench"
    import django

    django.setup()
    result = {"loadavg_1_5_15": os.getloadavg()}
    if not args.skip_pages:
        result["pages"] = pages(args.repeat)
    if not args.skip_digests:
        result["digests"] = digests(args.batches, args.profile, args.contacts)
    result["loadavg_after"] = os.getloadavg()
    profile = result.get("digests", {}).pop("profile", None)
    print(json.dumps(result, indent=1))
    if profile:
        print(profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
