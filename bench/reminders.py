"""The reminder-lateness figure: reminders due across a window, with Celery beat and a worker running.

Creates M meetings (default 200) whose one-hour reminders fall due spread over W seconds (default 180) starting
a little after the processes are up, each with the project's people as attendees; then runs beat + one worker
(prefork, concurrency 2) against a local SMTP sink until every expected reminder has arrived (or a timeout).
Lateness = arrival at the sink − due instant. Bar: max ≤ 60 s, none early.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.procs import Beat, SmtpSink, Worker, celery_env, wait_worker_ready  # noqa: E402
from bench.run import bench_env, machine, prepare  # noqa: E402
from bench.web import ROOT  # noqa: E402

LATENESS_BAR_S = 60.0
TITLE = "Bench reminder"
OFFSET_MIN = 60


def meetings_create(count: int, first_due: dt.datetime, window_s: float, attendees: int) -> list[int]:
    """`count` meetings, due instants evenly spread over the window; the old benchmark meetings are removed."""
    from engagement.models import Attendance, Meeting
    from projects.models import Membership, Project

    Meeting.objects.filter(title__startswith=TITLE).delete()
    projects = list(Project.objects.open().filter(archived_at__isnull=True).order_by("id")[:count])
    people = {}
    for m in Membership.objects.filter(project__in=projects, user__is_active=True, user__email_reminders=True).exclude(
            user__email__endswith="@bench.invalid").order_by("project_id", "role", "user_id").values("project_id", "user_id"):
        people.setdefault(m["project_id"], []).append(m["user_id"])
    meetings = []
    for i in range(count):
        project = projects[i % len(projects)]
        due = first_due + dt.timedelta(seconds=window_s * i / max(count - 1, 1))
        starts = due + dt.timedelta(minutes=OFFSET_MIN)
        meetings.append(Meeting(project=project, title=f"{TITLE} {i:03d}", starts_at=starts,
                                ends_at=starts + dt.timedelta(minutes=30), time_zone="UTC"))
    Meeting.objects.bulk_create(meetings)
    Attendance.objects.bulk_create([
        Attendance(meeting=m, user_id=pk) for m in meetings for pk in people.get(m.project_id, [])[:attendees]
    ])
    return [m.pk for m in meetings]


def expected(meeting_ids: list[int]) -> int:
    from engagement.models import Attendance

    return Attendance.objects.filter(meeting_id__in=meeting_ids, user__is_active=True, user__email_reminders=True).count()


def lateness(meeting_ids: list[int], arrivals: list[str]) -> tuple[list[float], int]:
    """Seconds from due (`send_after`) to arrival, per reminder of the benchmark meetings; and how many are missing."""
    from portal.outbox.models import MessageKind, OutboundMessage

    rows = OutboundMessage.objects.filter(kind=MessageKind.REMINDER, payload__meeting__in=meeting_ids).values_list(
        "message_id", "send_after")
    due = {mid.strip("<>"): at.timestamp() for mid, at in rows}
    seen = {}
    for line in arrivals:
        when, mid = line.split("\t", 1)
        mid = mid.strip("<>")
        if mid in due and mid not in seen:
            seen[mid] = float(when) - due[mid]
    return sorted(seen.values()), len(due) - len(seen)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=int(os.environ.get("BENCH_SCALE", 200)))
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--window", type=float, default=180.0, help="seconds over which the due instants are spread")
    parser.add_argument("--attendees", type=int, default=2)
    parser.add_argument("--lead", type=float, default=45.0, help="seconds from start to the first due instant")
    parser.add_argument("--save", default=str(ROOT / "bench" / "results" / "reminders-latest.json"))
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

        redis.Redis.from_url(redis_url).flushdb()
        with Worker(env, workdir) as _worker, Beat(env, workdir):
            wait_worker_ready()
            first_due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=args.lead)
            ids = meetings_create(args.meetings, first_due, args.window, args.attendees)
            want = expected(ids)
            print(f"{len(ids)} meetings, {want} reminders due {first_due:%H:%M:%S}–"
                  f"{first_due + dt.timedelta(seconds=args.window):%H:%M:%S} UTC …", flush=True)
            deadline = time.time() + args.lead + args.window + LATENESS_BAR_S * 3
            while time.time() < deadline:
                late, missing = lateness(ids, sink.lines())
                if missing == 0 and len(late) >= want:
                    break
                time.sleep(2)
        late, missing = lateness(ids, sink.lines())
    missing = max(missing, want - len(late))
    early = sum(1 for s in late if s < 0)
    worst = max(late) if late else float("nan")
    ok = bool(late) and missing == 0 and early == 0 and worst <= LATENESS_BAR_S
    p50 = statistics.median(late) if late else float("nan")
    print(f"reminder_lateness: max {worst:.1f} s, p50 {p50:.1f} s, {len(late)} sent, {early} early, {missing} missing "
          f"(bar: ≤ {LATENESS_BAR_S:.0f} s, none early, none missing) {'ok' if ok else 'MISSED'}")
    Path(args.save).parent.mkdir(parents=True, exist_ok=True)
    Path(args.save).write_text(json.dumps({
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(env),
        "meetings": len(ids), "expected": want, "window_s": args.window, "lateness_s": late, "early": early,
        "missing": missing, "max_s": worst, "p50_s": p50,
    }, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
