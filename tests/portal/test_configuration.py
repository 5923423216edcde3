"""Start-up with bad configuration stops with one clear line; production settings harden and pass check --deploy."""

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OWN_VARS = {"DATABASE_PREPARE_THRESHOLD", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "EMAIL_URL", "SECRET_KEY", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG"}


def _env(**overrides: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in OWN_VARS}
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings.base", **overrides})
    return env


def _run(argv: list[str], timeout: int = 60, **overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, env=_env(**overrides), capture_output=True, text=True, timeout=timeout)


def _manage(*args: str, **overrides: str) -> subprocess.CompletedProcess:
    return _run([sys.executable, "manage.py", *args], **overrides)


def _assert_one_clear_line(result: subprocess.CompletedProcess, variable: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip() and "AXES" not in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: ")
    assert variable in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "postgres://rapport:secret@127.0.0.1:notaport/rapport",
        "mysql://rapport@127.0.0.1/rapport",
        "not a url at all",
        "postgres://rapport@127.0.0.1:5432/",
    ],
)
def test_a_malformed_database_url_stops_manage_py_with_one_line(url):
    result = _manage("check", DATABASE_URL=url)

    _assert_one_clear_line(result, "DATABASE_URL")


@pytest.mark.parametrize("value", ["often", "-1"])
def test_a_bad_prepare_threshold_stops_manage_py_with_one_line(value):
    result = _manage("check", DATABASE_PREPARE_THRESHOLD=value)

    _assert_one_clear_line(result, "DATABASE_PREPARE_THRESHOLD")


@pytest.mark.parametrize(("value", "expected"), [(None, 5), ("0", 0), ("12", 12), ("off", None), ("OFF", None)])
def test_postgresql_connections_prepare_repeated_statements_unless_turned_off(monkeypatch, value, expected):
    from portal.settings.env import database_config

    monkeypatch.setenv("DATABASE_URL", "postgres://rapport@127.0.0.1:5432/rapport")
    if value is None:
        monkeypatch.delenv("DATABASE_PREPARE_THRESHOLD", raising=False)
    else:
        monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", value)

    options = database_config()["OPTIONS"]

    assert options["prepare_threshold"] == expected
    assert options["server_side_binding"] is True


def test_an_unknown_email_url_scheme_stops_manage_py_with_one_line():
    result = _manage("check", EMAIL_URL="pigeon://loft.example.com")

    _assert_one_clear_line(result, "EMAIL_URL")
    assert "pigeon" in result.stderr


def test_a_malformed_database_url_stops_the_celery_worker_with_one_line():
    result = _run([str(BIN / "celery"), "-A", "portal", "worker", "-P", "solo"], DATABASE_URL="mysql://x/y")

    _assert_one_clear_line(result, "DATABASE_URL")


def test_an_unknown_email_url_stops_celery_beat_with_one_line():
    result = _run([str(BIN / "celery"), "-A", "portal", "beat"], EMAIL_URL="pigeon://x")

    _assert_one_clear_line(result, "EMAIL_URL")


def test_a_malformed_database_url_stops_gunicorn_with_the_clear_line():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    result = _run(
        [str(BIN / "gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        DATABASE_URL="mysql://x/y",
    )

    assert result.returncode != 0
    assert "Configuration error: DATABASE_URL is not a database URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_refuse_to_start_without_secret_key():
    result = _manage("check", DJANGO_SETTINGS_MODULE="portal.settings.production")

    _assert_one_clear_line(result, "SECRET_KEY")


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="rapport.example.com",
        SITE_URL="https://rapport.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_hardened():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = _run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="true",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True"]
