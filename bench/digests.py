"""The digest fan-out figure: N client contacts' weekly digests through a real Celery worker, against a baseline.

All parts run in the same process tree, against the same SMTP sink and the same worker (prefork, concurrency 2),
and send through the same path — `outbox.send_batch`, one task per batch of rows, one SMTP connection each:
  baseline — N pre-rendered outbox rows (the rendering of a real digest), one `outbox.send_batch` per
             DIGEST_BATCH_SIZE rows, until the sink has them all;
  digests  — one `engagement.send_weekly_digests` call (fan-out: one task per batch of recipients, grouped by
             project; each batch built, rendered, stored and queued, then one `outbox.send_batch`), until the sink
             has them all;
  baseline again — N more pre-rendered rows, as the first.
The ratio is the digests' time over the mean of the two baselines taken before and after them, so a machine that
speeds up or slows down during the run (a shared one does, by a fifth within minutes) moves both sides alike.
Prints the ratio (bar ≤ 1.5×), queries per digest in a sample and per batch (must be constant), each worker
process's peak RSS (VmHWM, bar ≤ 250 MB) and the CPU time the worker and the sink used in each half (the machine
may be shared: CPU seconds tell the run's own work from other load). Needs PostgreSQL (DATABASE_URL) and Redis
(BENCH_REDIS_URL, default db 10).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.procs import SmtpSink, Worker, celery_env, wait_worker_ready  # noqa: E402
from bench.run import bench_env, machine, prepare  # noqa: E402
from bench.web import ROOT  # noqa: E402

RATIO_BAR = 1.5
RSS_BAR_MB = 250.0
CONTACT_DOMAIN = "bench.invalid"
BASELINE_PREFIX = "bench-baseline:"
DIGEST_WEEKDAY, DIGEST_HOUR = 6, 23  # Sunday 23:00 UTC: nobody in the seeded data shares the slot


def contacts_ensure(n: int) -> list[int]:
    """N client contacts `bench-contact-NNNNN@bench.invalid`, round-robin on the open projects (deterministic).
    Everyone else in the benchmark database gets no digest, so exactly these N are due."""
    from django.contrib.auth.hashers import make_password

    from portal.accounts.models import User
    from projects.models import Membership, Project, Role

    projects = list(Project.objects.open().filter(archived_at__isnull=True).order_by("id").values_list("id", "client_id"))
    have = set(User.objects.filter(email__endswith=f"@{CONTACT_DOMAIN}").values_list("email", flat=True))
    password = make_password(None)
    new = []
    for i in range(n):
        email = f"bench-contact-{i:05d}@{CONTACT_DOMAIN}"
        if email not in have:
            new.append(User(email=email, full_name=f"Bench Contact {i:05d}", kind=User.Kind.CLIENT,
                            organisation_id=projects[i % len(projects)][1], password=password, time_zone="UTC",
                            digest_weekday=DIGEST_WEEKDAY, digest_hour=DIGEST_HOUR))
    User.objects.bulk_create(new, batch_size=1000)
    ids = {u.email: u.pk for u in User.objects.filter(email__endswith=f"@{CONTACT_DOMAIN}")}
    ordered = [ids[f"bench-contact-{i:05d}@{CONTACT_DOMAIN}"] for i in range(n)]
    member = set(Membership.objects.filter(user_id__in=ordered).values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        [Membership(project_id=projects[i % len(projects)][0], user_id=pk, role=Role.CLIENT)
         for i, pk in enumerate(ordered) if pk not in member], batch_size=1000)
    User.objects.filter(pk__in=ordered).update(email_digest=True, is_active=True, time_zone="UTC",
                                                digest_weekday=DIGEST_WEEKDAY, digest_hour=DIGEST_HOUR)
    User.objects.exclude(pk__in=ordered).exclude(email__endswith=f"@{CONTACT_DOMAIN}").update(email_digest=False)
    User.objects.filter(email__endswith=f"@{CONTACT_DOMAIN}").exclude(pk__in=ordered).update(email_digest=False)
    return ordered


def contacts_remove() -> None:
    """Take the bench contacts out again (their memberships, digests, messages and links go with them) and give
    everyone else their digest back, so that the next run's request figures see the seeded data set, not 10,000 more
    client contacts on its projects."""
    from portal.accounts.models import User

    User.objects.filter(email__endswith=f"@{CONTACT_DOMAIN}").delete()
    User.objects.filter(email_digest=False).update(email_digest=True)  # seed_demo leaves everyone's digest on


def moment_of_week() -> dt.datetime:
    today = dt.datetime.now(dt.UTC).date()
    sunday = today + dt.timedelta(days=6 - today.weekday())
    return dt.datetime.combine(sunday, dt.time(DIGEST_HOUR, 30), tzinfo=dt.UTC)


def clean(contact_ids: list[int]) -> None:
    from engagement.models import Digest
    from portal.outbox.models import OutboundMessage

    Digest.objects.filter(recipient_id__in=contact_ids).delete()
    OutboundMessage.objects.filter(recipient_id__in=contact_ids).delete()
    OutboundMessage.objects.filter(dedupe_key__startswith=BASELINE_PREFIX).delete()


def sample_queries(contact_ids: list[int], moment: dt.datetime, size: int = 6) -> tuple[list[int], dict]:
    """Queries of `digest_build` for a spread of contacts (rolled back); and one rendering for the baseline: the
    median-sized of the sample (digests differ in size by project; the baseline should send a typical one)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from engagement.services.digests import digest_build, digest_slot
    from portal.accounts.models import User

    step = max(len(contact_ids) // size, 1)
    counts, renderings = [], []
    sample = contact_ids[::step][:size]
    # The first digest of a process also fills Django's ContentType cache (2 queries); a worker pays that once.
    for pk in [sample[0], *sample]:
        person = User.objects.get(pk=pk)
        slot = digest_slot(now=moment, time_zone=person.time_zone, weekday=person.digest_weekday, hour=person.digest_hour)
        with transaction.atomic():
            with CaptureQueriesContext(connection) as ctx:
                digest = digest_build(person=person, slot=slot, now=moment)
            counts.append(len(ctx.captured_queries))
            if digest is not None:
                renderings.append({"subject": digest.subject, "body_text": digest.body_text, "body_html": digest.body_html,
                                   "headers": digest.message.headers if digest.message else {}})
            transaction.set_rollback(True)
    renderings.sort(key=lambda r: len(r["body_html"]) + len(r["body_text"]))
    return counts[1:], renderings[len(renderings) // 2] if renderings else {}


def batch_queries(contact_ids: list[int], moment: dt.datetime) -> dict[int, int]:
    """Queries of building whole batches (rolled back): one contact, and a full batch of one project's contacts."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from engagement.services.digests import _by_project, digest_send_batch

    grouped = _by_project(contact_ids)
    out = {}
    for size in (1, settings.DIGEST_BATCH_SIZE):
        with transaction.atomic():
            with CaptureQueriesContext(connection) as ctx:
                built = digest_send_batch(kind="client", person_ids=grouped[:size], now=moment)
            out[built] = len(ctx.captured_queries)
            transaction.set_rollback(True)
    return out


def baseline_rows(contact_ids: list[int], rendering: dict, run: str) -> list[int]:
    from portal.accounts.models import User
    from portal.outbox.email import msgid
    from portal.outbox.models import MessageKind, OutboundMessage

    emails = dict(User.objects.filter(pk__in=contact_ids).values_list("pk", "email"))
    rows = []
    for i, pk in enumerate(contact_ids):
        key = f"{BASELINE_PREFIX}{run}:{i}"
        rows.append(OutboundMessage(kind=MessageKind.DIGEST, recipient_id=pk, to_email=emails[pk], dedupe_key=key,
                                    message_id=msgid(key), subject=rendering["subject"], body_text=rendering["body_text"],
                                    body_html=rendering["body_html"], headers=rendering["headers"]))
    OutboundMessage.objects.bulk_create(rows, batch_size=1000)
    return list(OutboundMessage.objects.filter(dedupe_key__startswith=f"{BASELINE_PREFIX}{run}:").values_list("pk", flat=True))


class Arrivals:
    """Counts the sink's log incrementally (the sink's own `count()` re-reads the whole file on every poll, which at
    20,000 lines costs the machine more during the second half of the run than during the first)."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset, self.seen = path, 0, 0

    def count(self) -> int:
        if self.path.exists():
            with self.path.open("rb") as log:
                log.seek(self.offset)
                data = log.read()
            complete = data.rfind(b"\n") + 1
            self.seen += data.count(b"\n", 0, complete)
            self.offset += complete
        return self.seen

    def wait_for(self, total: int, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= total:
                return time.monotonic()
            time.sleep(0.02)
        raise RuntimeError(f"SMTP sink has {self.count()} of {total} messages after {timeout:.0f} s")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes (/proc/<pid>/stat), to tell the run's own work from the machine's load."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=int(os.environ.get("BENCH_SCALE", 200)))
    parser.add_argument("--contacts", type=int, default=int(os.environ.get("BENCH_CONTACTS", 10_000)))
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--save", default=str(ROOT / "bench" / "results" / "digests-latest.json"))
    args = parser.parse_args()
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")

    env = bench_env(args.scale)
    prepare(env, args.scale)
    workdir = ROOT / "var" / "bench-mail"
    workdir.mkdir(parents=True, exist_ok=True)
    with SmtpSink(env, workdir) as sink:
        env = celery_env(env, redis_url, sink.port)
        os.environ.update(env)
        import django

        django.setup()
        import redis

        redis.Redis.from_url(redis_url).flushdb()  # the benchmark's own Redis database: stale tasks of an aborted run
        from django.conf import settings

        from engagement.models import Digest
        from engagement.tasks import send_weekly_digests
        from portal.outbox.models import MessageStatus, OutboundMessage
        from portal.outbox.tasks import send_batch

        batch = settings.DIGEST_BATCH_SIZE
        contacts = contacts_ensure(args.contacts)
        clean(contacts)
        moment = moment_of_week()
        counts, rendering = sample_queries(contacts, moment)
        per_batch = batch_queries(contacts, moment)
        print(f"queries per digest (sample of {len(counts)}): {counts}; per batch: "
              f"{', '.join(f'{q} for {n}' for n, q in per_batch.items())}", flush=True)
        run = time.strftime("%Y%m%d%H%M%S")
        base_ids = baseline_rows(contacts, rendering, f"{run}a")
        again_ids = baseline_rows(contacts, rendering, f"{run}b")

        with Worker(env, workdir, concurrency=args.concurrency) as worker:
            wait_worker_ready()
            arrivals = Arrivals(sink.arrivals)
            procs = [*worker.children(), sink.proc.pid]

            def baseline(ids: list[int], expected: int, label: str) -> tuple[float, float]:
                print(f"{label}: sending {len(ids)} pre-rendered messages …", flush=True)
                cpu_start, start = cpu_seconds(procs), time.monotonic()
                for i in range(0, len(ids), batch):  # the digests' own sending path: one task per batch
                    send_batch.apply_async(args=[ids[i : i + batch]])
                took, cpu = arrivals.wait_for(expected, args.timeout) - start, cpu_seconds(procs) - cpu_start
                print(f"{label}: {took:.1f} s (worker and sink CPU {cpu:.1f} s)", flush=True)
                return took, cpu

            before_s, before_cpu = baseline(base_ids, len(base_ids), "baseline")

            print(f"digests: {len(contacts)} contacts …", flush=True)
            cpu_start = cpu_seconds(procs)
            start = time.monotonic()
            send_weekly_digests.delay(moment.isoformat())
            digests_s = arrivals.wait_for(len(base_ids) + len(contacts), args.timeout) - start
            digests_cpu = cpu_seconds(procs) - cpu_start
            print(f"digests: {digests_s:.1f} s (worker and sink CPU {digests_cpu:.1f} s)", flush=True)

            after_s, after_cpu = baseline(again_ids, len(base_ids) + len(contacts) + len(again_ids), "baseline again")
            baseline_s, baseline_cpu = (before_s + after_s) / 2, (before_cpu + after_cpu) / 2
            peaks = worker.peak_rss_mb()

    from django.db.models import Avg
    from django.db.models.functions import Length

    made = Digest.objects.filter(recipient_id__in=contacts, kind=Digest.Kind.CLIENT).count()
    mean_size = OutboundMessage.objects.filter(recipient_id__in=contacts, kind="digest").exclude(
        dedupe_key__startswith=BASELINE_PREFIX).aggregate(n=Avg(Length("body_html") + Length("body_text")))["n"] or 0
    base_size = len(rendering["body_html"]) + len(rendering["body_text"])
    print(f"message sizes (text + HTML characters): baseline {base_size / 1024:.1f} K, digests {mean_size / 1024:.1f} K on average")
    sent = OutboundMessage.objects.filter(recipient_id__in=contacts, status=MessageStatus.SENT).count()
    ratio = digests_s / baseline_s
    peak = max(peaks.values()) if peaks else 0.0
    constant = len(set(counts)) == 1 and len(set(per_batch.values())) == 1
    ok_ratio, ok_rss = ratio <= RATIO_BAR, peak <= RSS_BAR_MB
    ok_count = made == len(contacts) and sent == 3 * len(contacts)
    print(f"digest_fanout: {ratio:.2f}× baseline ({digests_s:.1f} s vs {baseline_s:.1f} s, the mean of {before_s:.1f} s before"
          f" and {after_s:.1f} s after, for {len(contacts)} messages, "
          f"{len(contacts) / digests_s:.0f}/s vs {len(contacts) / baseline_s:.0f}/s) (bar: ≤ {RATIO_BAR}×) {'ok' if ok_ratio else 'MISSED'}")
    print(f"digest_queries: {counts} per digest; per batch {', '.join(f'{q} for {n} digests' for n, q in per_batch.items())} "
          f"(bar: constant) {'ok' if constant else 'MISSED'}")
    print(f"worker_peak_rss: {peak:.0f} MB max of {', '.join(f'{v:.0f}' for v in peaks.values())} "
          f"(bar: ≤ {RSS_BAR_MB:.0f} MB per worker process) {'ok' if ok_rss else 'MISSED'}")
    print(f"digest_delivery: {made} digests stored, {sent} messages sent incl. both baselines (bar: {len(contacts)} and "
          f"{3 * len(contacts)}) {'ok' if ok_count else 'MISSED'}")
    contacts_remove()
    Path(args.save).parent.mkdir(parents=True, exist_ok=True)
    Path(args.save).write_text(json.dumps({
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(env),
        "contacts": len(contacts), "concurrency": args.concurrency, "baseline_s": baseline_s, "baseline_before_s": before_s, "baseline_after_s": after_s, "digests_s": digests_s,
        "baseline_cpu_s": baseline_cpu, "digests_cpu_s": digests_cpu,
        "baseline_message_chars": base_size, "digest_message_chars_mean": mean_size,
        "ratio": ratio, "queries_per_digest": counts,
        "queries_per_batch": {str(n): q for n, q in per_batch.items()}, "peak_rss_mb": peaks, "digests_stored": made, "sent": sent,
    }, indent=2))
    return 0 if ok_ratio and ok_rss and constant and ok_count else 1


if __name__ == "__main__":
    sys.exit(main())
