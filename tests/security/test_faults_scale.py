"""Several workers, exactly once: four Celery worker processes on Redis, and again on RabbitMQ, with a web process and
PostgreSQL, everything counted at a real SMTP server.

For each broker: a weekly digest run fanned out over the four workers; the same with one worker killed with SIGKILL
mid-run and restarted; with the broker restarted mid-run; with the SMTP server refusing (451) for a while; and the
reminders of many meetings due in the same minute. Each digest arrives exactly once, each reminder once and on time.

`make test` (CI) runs the clean scenario in the small size on each broker (FAULT_SCALE_SCENARIOS=clean); `make faults`
runs every scenario in the small size; `make faults-scale` runs a few thousand contacts with a
minute of SMTP refusal and writes the figures under bench/results/ (bench/faults/scale.py has the scenarios).
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from urllib.parse import urlparse

import pytest
from django.db import connection

from bench.faults import scale
from tests.conftest import _need

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]

CONTACTS = int(os.environ.get("FAULT_SCALE_CONTACTS", "120"))
MEETINGS = int(os.environ.get("FAULT_SCALE_MEETINGS", "30"))
OUTAGE = float(os.environ.get("FAULT_SCALE_OUTAGE", "10"))  # seconds of SMTP refusal
STUCK_AFTER = int(os.environ.get("FAULT_SCALE_STUCK_AFTER", "30"))  # the product's default is 120
TICK = float(os.environ.get("FAULT_SCALE_TICK", "5"))
RESULTS = os.environ.get("FAULT_SCALE_RESULTS", "")
AMQP_URL = os.environ.get("FAULT_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/rapport_faults")
ALL_SCENARIOS = ("clean", "kill", "broker", "smtp", "reminders")
# A subset of the scenarios (comma-separated) and of the brokers, to re-measure one of them; every one by default.
SCENARIOS = [s for s in os.environ.get("FAULT_SCALE_SCENARIOS", ",".join(ALL_SCENARIOS)).split(",") if s]
BROKERS = [b for b in os.environ.get("FAULT_SCALE_BROKERS", "redis,rabbitmq").split(",") if b]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _rabbitmq_ok(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672), timeout=1):
            pass
    except OSError:
        return False
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:  # noqa: BLE001 - a missing vhost or refused credentials
        return False


@pytest.mark.parametrize("broker", BROKERS)
def test_four_workers_deliver_each_digest_and_reminder_exactly_once_through_faults(broker, postgres, transactional_db, world):
    _need(bool(shutil.which("redis-server")), "redis-server is not installed")
    if broker == "rabbitmq":
        _need(_rabbitmq_ok(AMQP_URL), f"RabbitMQ is not reachable at {AMQP_URL} (rabbitmqctl add_vhost; set FAULT_AMQP_URL)")
        _need(bool(shutil.which("rabbitmqctl")), "rabbitmqctl is not installed (it closes the vhost's connections)")
    contacts = scale.contacts_create(world.project, CONTACTS, scale.dt.datetime.now(scale.dt.UTC))
    from portal.accounts.models import User

    people = list(User.objects.filter(email__in=contacts[:100]).order_by("email"))
    sink = scale.Sink().start()
    figures: list[scale.Figures] = []
    started = time.monotonic()
    try:
        with scale.Cluster(broker=broker, database_url=_database_url(), sink=sink, amqp_url=AMQP_URL, tick=TICK,
                           stuck_after=STUCK_AFTER, email_timeout=min(10, STUCK_AFTER // 6),
                           digest_batch=max(10, min(100, CONTACTS // 8))) as cluster:
            assert cluster.healthz() == 200
            budget = 120 + CONTACTS / 10
            if "clean" in SCENARIOS:
                figures.append(scale.run_digests(cluster, contacts=contacts, week=1, timeout=budget))
            if "kill" in SCENARIOS:
                figures.append(scale.run_digests(cluster, contacts=contacts, week=2, fault="kill", digest_period=4 * TICK,
                                                 timeout=budget + STUCK_AFTER + 60))
            if "broker" in SCENARIOS:
                figures.append(scale.run_digests(cluster, contacts=contacts, week=3, fault="broker",
                                                 digest_period=4 * TICK, timeout=budget + STUCK_AFTER + 60))
                assert scale.wait_for(lambda: cluster.healthz() == 200, 30)
            if "smtp" in SCENARIOS:
                figures.append(scale.run_digests(cluster, contacts=contacts, week=4, fault="smtp", outage=OUTAGE,
                                                 timeout=budget + OUTAGE * 4))
            if "reminders" in SCENARIOS:
                figures.append(scale.run_reminders(cluster, project=world.project, people=people, meetings=MEETINGS,
                                                   lead=10.0 if CONTACTS < 1000 else 20.0))
    finally:
        sink.stop()
        print()
        for item in figures:
            print(item.line())
        if RESULTS:
            part = "" if SCENARIOS == list(ALL_SCENARIOS) else "-" + "-".join(SCENARIOS)
            scale.save(os.path.join(RESULTS, f"{time.strftime('%Y-%m-%d')}-faults-scale-{broker}{part}.json"), figures,
                       {"broker": broker, "workers": scale.WORKERS, "contacts": CONTACTS, "meetings": MEETINGS,
                        "smtp_outage_s": OUTAGE, "stuck_after_s": STUCK_AFTER, "beat_tick_s": TICK,
                        "scenarios": SCENARIOS, "total_s": round(time.monotonic() - started, 1)})

    assert [item.scenario for item in figures] == [s for s in ALL_SCENARIOS if s in SCENARIOS]
    by_name = {item.scenario: item for item in figures}
    for item in figures:
        assert item.ok, (item.line(), item.notes)
    # only the kill may leave one message sent twice: the one the server accepted just before the SIGKILL
    assert {item.scenario: item.tolerated_duplicates for item in figures if item.tolerated_duplicates} == (
        {"kill": 1} if "kill" in by_name else {})
    if "kill" in by_name:  # a killed worker's claimed rows are taken back and sent within the threshold and a few ticks
        kill = by_name["kill"]
        assert kill.recovery_s is not None and kill.recovery_s <= STUCK_AFTER + 6 * TICK + CONTACTS / 10, kill.line()
    if "broker" in by_name:
        assert by_name["broker"].recovery_s is not None
    if "smtp" in by_name:
        assert by_name["smtp"].refused > 0  # the server really refused
    if "reminders" in by_name:
        reminders = by_name["reminders"]
        assert reminders.lateness_max_s is not None and reminders.lateness_max_s <= 60, reminders.line()
