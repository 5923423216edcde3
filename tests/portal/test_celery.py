"""The `portal.ping` task round-trips through a real worker process, on the embedded broker and on Redis."""

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))

pytestmark = pytest.mark.celery_worker


def _worker_env(**overrides: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL", "CELERY_DATA_DIR"}}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.base", PYTHONUNBUFFERED="1", **overrides)
    return env


def _start_worker(env: dict, log_path: Path) -> subprocess.Popen:
    log = log_path.open("w")
    return subprocess.Popen(
        [CELERY, "-A", "portal", "worker", "-P", "solo", "-l", "info", "-n", f"test-{uuid.uuid4().hex[:8]}@%h"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(worker: subprocess.Popen) -> None:
    try:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=5)
    except ProcessLookupError:
        pass


def _client(broker: str, backend: str, **conf) -> Celery:
    app = Celery("ping-client", broker=broker, backend=backend, set_as_current=False)
    app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"], **conf)
    return app


def _round_trip(app: Celery, worker: subprocess.Popen, log_path: Path) -> None:
    value = f"hello-{uuid.uuid4().hex}"
    try:
        result = app.send_task("portal.ping", args=[value])
        answer = result.get(timeout=60)
    except Exception as exc:
        pytest.fail(f"no answer from the worker ({exc!r}); its log:\n{log_path.read_text()}")
    finally:
        _stop(worker)
    assert answer == value
    assert "portal.ping" in log_path.read_text()


def test_ping_round_trips_through_a_worker_on_the_embedded_filesystem_broker(tmp_path):
    data = tmp_path / "celery"
    for folder in ("queue", "processed", "control", "results"):
        (data / folder).mkdir(parents=True)
    worker = _start_worker(_worker_env(CELERY_DATA_DIR=str(data)), tmp_path / "worker.log")
    queue = str(data / "queue")
    app = _client(
        "filesystem://",
        f"file://{data / 'results'}",
        broker_transport_options={
            "data_folder_in": queue,
            "data_folder_out": queue,
            "processed_folder": str(data / "processed"),
            "store_processed": False,
            "control_folder": str(data / "control"),
        },
    )

    _round_trip(app, worker, tmp_path / "worker.log")
    assert worker.returncode is not None


def test_ping_round_trips_through_a_worker_on_redis(tmp_path, redis_url):
    worker = _start_worker(_worker_env(REDIS_URL=redis_url), tmp_path / "worker.log")
    app = _client(redis_url, redis_url)

    _round_trip(app, worker, tmp_path / "worker.log")
    assert worker.returncode is not None
