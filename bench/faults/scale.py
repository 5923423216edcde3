"""Several workers, exactly once: a weekly digest run and a minute of reminders over four Celery worker processes.

`Cluster` starts the processes (a web process, four workers, a private redis-server for the cache — and the broker
when it is Redis — all on free ports) against one PostgreSQL database; `Sink` is the SMTP server every message is
counted at; `run_digests` and `run_reminders` are the scenarios. The caller plays beat: `Cluster.beat_tick` sends the
periodic jobs (`outbox.send_pending`, `outbox.requeue_stuck`, and the digest or reminder job) as beat would,
through the broker, so every recovery below is the product's own.

Faults: `kill` (one worker and its pool killed with SIGKILL mid-run, then restarted), `broker` (the broker restarted
mid-run: the private redis-server stopped and started, which empties its queues; on RabbitMQ every connection of
the vhost closed), `smtp` (the SMTP server answers 451 to every message for a while).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urlparse

from bench.faults.procs import Gunicorn, Proc, RedisServer, free_port, wait_for

WORKERS = 4
CONTACT_DOMAIN = "scale.invalid"


class Sink:
    """A real SMTP server (aiosmtpd, in this process): one record per accepted message, with its arrival time.
    Between `refuse_until` and now every DATA is answered 451."""

    def __init__(self) -> None:
        self.port = free_port()
        self.lock = threading.Lock()
        self.records: list[tuple[float, str, str, str]] = []  # (arrival, Message-ID, To, X-Rapport-Kind)
        self.refused = 0
        self.refuse_until = 0.0
        self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if time.time() < self.refuse_until:
            with self.lock:
                self.refused += 1
            return "451 4.3.0 Try again later"
        headers = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.records.append((time.time(), str(headers["Message-ID"] or "").strip("<> "), str(headers["To"] or ""),
                                 str(headers["X-Rapport-Kind"] or "")))
        return "250 OK"

    def start(self) -> Sink:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def of_kind(self, kind: str) -> list[tuple[float, str, str, str]]:
        with self.lock:
            return [r for r in self.records if r[3] == kind]

    def clear(self) -> None:
        with self.lock:
            self.records.clear()
            self.refused = 0


class Worker(Proc):
    """One Celery worker process (prefork, one child): four of them are four workers on the broker."""

    def __init__(self, env: dict, name: str) -> None:
        super().__init__(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=prefork", "--concurrency=1",
             "--loglevel=WARNING", "--without-gossip", "--without-mingle", "-n", f"{name}@%h"],
            env,
        )


@dataclass
class Figures:
    broker: str
    scenario: str
    expected: int
    delivered: int = 0
    duplicated: int = 0
    lost: int = 0
    seconds: float = 0.0
    recovery_s: float | None = None  # from the fault to the last message delivered
    refused: int = 0
    lateness_max_s: float | None = None
    lateness_p50_s: float | None = None
    early: int = 0
    # A worker killed with SIGKILL inside an SMTP conversation, after the server accepted the message and before the
    # UPDATE that marks it sent, leaves a message that will be sent again: at most one per killed worker process.
    tolerated_duplicates: int = 0
    notes: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (self.delivered == self.expected and self.duplicated <= self.tolerated_duplicates and self.lost == 0
                and self.early == 0)

    def line(self) -> str:
        extra = ""
        if self.recovery_s is not None:
            extra += f", recovered {self.recovery_s:.0f} s after the fault"
        if self.lateness_max_s is not None:
            extra += f", lateness max {self.lateness_max_s:.1f} s p50 {self.lateness_p50_s:.1f} s, {self.early} early"
        if self.refused:
            extra += f", {self.refused} refusals"
        if self.duplicated and self.duplicated <= self.tolerated_duplicates:
            extra += " (the message inside the killed worker's SMTP conversation, accepted before the kill)"
        return (f"{self.broker:8} {self.scenario:14} expected {self.expected:5}  delivered {self.delivered:5}  "
                f"duplicated {self.duplicated}  lost {self.lost}  in {self.seconds:.0f} s{extra}")


class Cluster:
    """The processes of one broker's run. Use as a context manager: every process is stopped on the way out."""

    def __init__(self, *, broker: str, database_url: str, sink: Sink, amqp_url: str = "", tick: float = 10.0,
                 stuck_after: int = 120, retry_base: int = 5, email_timeout: int = 10, digest_batch: int = 100) -> None:
        self.broker, self.database_url, self.sink, self.amqp_url, self.tick = broker, database_url, sink, amqp_url, tick
        self.stuck_after = stuck_after
        self.redis = RedisServer()
        self.env: dict = {}
        self.extra = {
            "EMAIL_URL": sink.url,
            "OUTBOX_RETRY_BASE_SECONDS": str(retry_base),
            "OUTBOX_STUCK_AFTER_SECONDS": str(stuck_after),
            "EMAIL_TIMEOUT": str(email_timeout),
            "DIGEST_BATCH_SIZE": str(digest_batch),  # enough batches that all four workers share a run
            "CONN_MAX_AGE": "600",
        }
        self.web: Gunicorn | None = None
        self.workers: list[Worker] = []
        self.restarts = 0

    @property
    def broker_url(self) -> str:
        return self.redis.url if self.broker == "redis" else self.amqp_url

    def __enter__(self) -> Cluster:
        from bench.faults.procs import app_env

        try:
            self.redis.start()
            self.env = app_env(self.database_url, self.redis.url, CELERY_BROKER_URL=self.broker_url, **self.extra)
            if self.broker == "rabbitmq":
                self.purge()
            self.web = Gunicorn(self.env, workers=1, threads=2).start()
            self.workers = [Worker(self.env, f"scale{i}").start() for i in range(WORKERS)]
            assert self.wait_workers(WORKERS, 90), self.workers[0].output()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        for worker in self.workers:
            worker.stop()
        if self.web is not None:
            self.web.stop()
        self.redis.stop()
        if self.broker == "rabbitmq":
            self.purge()

    def app(self):
        from celery import Celery

        app = Celery("scale-faults", broker=self.broker_url)
        app.conf.update(task_serializer="json", accept_content=["json"], broker_connection_timeout=2,
                        broker_connection_retry_on_startup=False)
        return app

    def purge(self) -> None:
        with self.app() as app:
            try:
                app.control.purge()
            except Exception:  # noqa: BLE001, S110 - nothing to purge when the broker is away
                pass

    def wait_workers(self, count: int, timeout: float) -> bool:
        def answered() -> bool:
            with self.app() as app:
                return len(app.control.ping(timeout=1.0) or []) >= count

        return wait_for(answered, timeout, step=1.0)

    def send(self, *jobs: tuple[str, list]) -> bool:
        """What beat does: publish each job once. False when the broker did not take them (it is away)."""
        try:
            with self.app() as app:
                for name, args in jobs:
                    app.send_task(name, args=args, retry=False)
            return True
        except Exception:  # noqa: BLE001 - beat logs and tries at the next tick
            return False

    def healthz(self) -> int:
        return self.web.status("/healthz") if self.web else 0

    def kill_worker(self, index: int = 0) -> None:
        """SIGKILL to one worker's process group (its main process and its pool), then a fresh one in its place."""
        self.workers[index].kill()
        time.sleep(1)
        self.workers[index] = Worker(self.env, f"scale{index}r{self.restarts}").start()
        self.restarts += 1

    def restart_broker(self, down_for: float) -> None:
        if self.broker == "redis":
            self.redis.stop()
            time.sleep(down_for)
            self.redis.start()
            return
        vhost = urlparse(self.amqp_url).path.lstrip("/") or "/"
        subprocess.run(  # noqa: S603 - fixed arguments, this run's own vhost only
            ["rabbitmqctl", "close_all_connections", "--vhost", vhost, "fault test: connection loss"],
            check=True, capture_output=True, timeout=30,
        )
        time.sleep(down_for)


def contacts_create(project, n: int, now: dt.datetime) -> list[str]:
    """N client contacts of `project` whose digest slot is `now`'s hour; nobody else gets a digest."""
    from portal.accounts.models import User
    from projects.models import Membership, Role

    User.objects.update(email_digest=False)
    people = User.objects.bulk_create(
        [User(email=f"contact{i:05d}@{CONTACT_DOMAIN}", full_name=f"Contact {i:05d}", kind=User.Kind.CLIENT,
              organisation=project.client, time_zone="UTC", digest_weekday=now.weekday(), digest_hour=now.hour)
         for i in range(n)],
        batch_size=1000,
    )
    Membership.objects.bulk_create([Membership(project=project, user=p, role=Role.CLIENT) for p in people], batch_size=1000)
    return [p.email for p in people]


def _count(figures: Figures, arrivals: list[tuple[float, str, str, str]], expected_ids: set[str]) -> None:
    seen: dict[str, int] = {}
    for _at, mid, _to, _kind in arrivals:
        seen[mid] = seen.get(mid, 0) + 1
    figures.delivered = len(set(seen) & expected_ids)
    figures.duplicated = sum(n - 1 for n in seen.values())
    twice = sorted(mid for mid, n in seen.items() if n > 1)
    if twice:
        from portal.outbox.models import OutboundMessage

        figures.notes["sent_twice"] = [
            {"message_id": mid, "attempts": row["attempts"], "status": row["status"]}
            for mid in twice[:20]
            for row in OutboundMessage.objects.filter(message_id__in=[mid, f"<{mid}>"]).values("attempts", "status")
        ]
    figures.lost = len(expected_ids - set(seen))
    unexpected = set(seen) - expected_ids
    if unexpected:
        figures.notes["unexpected"] = len(unexpected)
        figures.duplicated += len(unexpected)  # anything else counts against the run


def _outbox_quiet(kind: str) -> bool:
    from portal.outbox.models import MessageStatus, OutboundMessage

    return not OutboundMessage.objects.filter(kind=kind, status__in=[MessageStatus.PENDING, MessageStatus.SENDING]).exists()


def run_digests(cluster: Cluster, *, contacts: list[str], week: int, fault: str = "", outage: float = 60.0,
                digest_period: float = 60.0, timeout: float = 600.0) -> Figures:
    """One weekly digest run (the week `week` weeks from now) for every contact, with `fault` in the middle."""
    from engagement.models import Digest
    from portal.core.time import iso_week
    from portal.outbox.models import MessageKind, OutboundMessage

    sink = cluster.sink
    sink.clear()
    now = dt.datetime.now(dt.UTC) + dt.timedelta(weeks=week)
    figures = Figures(cluster.broker, fault or "clean", expected=len(contacts))
    started = time.monotonic()
    if fault == "smtp":
        sink.refuse_until = time.time() + outage
    digest_job = ("engagement.send_weekly_digests", [now.isoformat()])
    assert cluster.send(digest_job)
    last_digest_job = time.monotonic()
    fault_at = None
    deadline = started + timeout
    next_tick = started + cluster.tick
    while time.monotonic() < deadline:
        arrived = len(sink.of_kind("digest"))
        if fault in ("kill", "broker") and fault_at is None and arrived >= len(contacts) // 3:
            fault_at = time.monotonic()
            if fault == "kill":
                cluster.kill_worker(0)
                figures.tolerated_duplicates = 1
            else:
                cluster.restart_broker(down_for=5.0)
        if arrived >= len(contacts) and _outbox_quiet(MessageKind.DIGEST):
            break
        if time.monotonic() >= next_tick:
            next_tick += cluster.tick
            jobs = [("outbox.requeue_stuck", []), ("outbox.send_pending", [])]
            if time.monotonic() - last_digest_job >= digest_period:
                jobs.append(digest_job)  # beat's 15-minute digest job, sooner: it finds the batches no worker built
                last_digest_job = time.monotonic()
            cluster.send(*jobs)
        time.sleep(0.5)
    time.sleep(3)  # anything late (a second copy) arrives now or never
    arrivals = sink.of_kind("digest")
    figures.seconds = time.monotonic() - started
    if fault_at is not None and arrivals:
        figures.recovery_s = max(a[0] for a in arrivals) - (time.time() - (time.monotonic() - fault_at))
    figures.refused = sink.refused
    week_digests = Digest.objects.filter(recipient__email__endswith=f"@{CONTACT_DOMAIN}", iso_week=iso_week(now.date()))
    expected_ids = set(
        OutboundMessage.objects.filter(pk__in=week_digests.values("message_id")).values_list("message_id", flat=True)
    )
    expected_ids = {m.strip("<> ") for m in expected_ids}
    figures.notes["digests_stored"] = week_digests.count()
    if len(expected_ids) != len(contacts):
        figures.notes["outbox_rows"] = len(expected_ids)
    _count(figures, arrivals, expected_ids)
    figures.lost = max(figures.lost, len(contacts) - figures.delivered)
    return figures


def run_reminders(cluster: Cluster, *, project, people: list, meetings: int, lead: float = 20.0,
                  period: float = 15.0, timeout: float = 300.0) -> Figures:
    """`meetings` meetings starting in the same minute: their one-hour reminders all fall due `lead` seconds from
    now. The caller's beat sends `engagement.send_due_reminders` every `period` seconds, as the schedule does."""
    from engagement.models import Attendance, Meeting
    from portal.outbox.models import MessageKind, OutboundMessage

    sink = cluster.sink
    sink.clear()
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=lead)).replace(microsecond=0)
    starts = due + dt.timedelta(hours=1)
    created = Meeting.objects.bulk_create(
        [Meeting(project=project, title=f"Same-minute sync {i:03d}", starts_at=starts,
                 ends_at=starts + dt.timedelta(minutes=30), time_zone="UTC") for i in range(meetings)]
    )
    Attendance.objects.bulk_create(
        [Attendance(meeting=m, user=people[(2 * i + k) % len(people)]) for i, m in enumerate(created) for k in range(2)]
    )
    figures = Figures(cluster.broker, "reminders", expected=2 * meetings)
    started = time.monotonic()
    deadline = started + lead + timeout
    next_tick = started
    ids = [m.pk for m in created]
    while time.monotonic() < deadline:
        if time.monotonic() >= next_tick:
            next_tick += period
            cluster.send(("engagement.send_due_reminders", []), ("outbox.send_pending", []))
        arrived = len(sink.of_kind("reminder"))
        if arrived >= figures.expected and _outbox_quiet(MessageKind.REMINDER):
            break
        time.sleep(0.5)
    time.sleep(3)
    figures.seconds = time.monotonic() - started
    rows = OutboundMessage.objects.filter(kind=MessageKind.REMINDER, payload__meeting__in=ids).values_list("message_id", flat=True)
    expected_ids = {m.strip("<> ") for m in rows}
    arrivals = sink.of_kind("reminder")
    _count(figures, arrivals, expected_ids)
    figures.lost = max(figures.lost, figures.expected - figures.delivered)
    late = sorted(at - due.timestamp() for at, mid, _to, _kind in arrivals if mid in expected_ids)
    if late:
        figures.lateness_max_s, figures.lateness_p50_s = late[-1], statistics.median(late)
        figures.early = sum(1 for s in late if s < 0)
    return figures


def save(path: str, figures: list[Figures], meta: dict) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as out:
        json.dump({"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **meta,
                   "runs": [asdict(f) for f in figures]}, out, indent=2)
