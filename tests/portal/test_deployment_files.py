"""docker-compose.yml, the Dockerfile and .env.example describe the same deployment."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"migrate", "web", "worker", "beat", "mailin", "proxy", "postgres", "redis", "mailpit"}
ONE_SHOT = {"migrate"}
APP_SERVICES = ("migrate", "web", "worker", "beat")
CONTRACT_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "SITE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "PORT",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_defines_the_services_each_long_running_one_with_a_health_check(compose):
    services = compose["services"]

    assert set(services) == SERVICES
    for name, service in services.items():
        if name in ONE_SHOT:
            continue
        test = service.get("healthcheck", {}).get("test")
        assert test and test[0] in {"CMD", "CMD-SHELL"}, name


def test_web_runs_gunicorn_and_worker_and_beat_run_celery(compose):
    services = compose["services"]

    assert "gunicorn portal.wsgi:application" in " ".join(services["web"]["command"])
    assert "migrate" not in " ".join(services["web"]["command"])  # two web containers never migrate at once
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "portal", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "portal", "beat"]


def test_mailin_runs_the_reply_receiver_on_production_settings(compose):
    mailin = compose["services"]["mailin"]
    assert mailin["command"][:3] == ["python", "manage.py", "receive_mail"]
    assert mailin["environment"]["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    assert mailin["environment"]["INBOUND_EMAIL_DOMAIN"].startswith("${INBOUND_EMAIL_DOMAIN")
    assert any(str(port).endswith(":2525") for port in mailin["ports"])


def test_app_services_share_production_settings_and_the_contract_variables(compose):
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "portal.settings.production", name
        assert environment["DATABASE_URL"].startswith("postgres://"), name
        assert environment["DATABASE_URL"].endswith("@postgres:5432/rapport"), name
        assert environment["REDIS_URL"] == "redis://redis:6379/0", name
        assert "mailpit:1025" in environment["EMAIL_URL"], name
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?"), name
        for variable in ("ALLOWED_HOSTS", "SITE_URL", "DEFAULT_FROM_EMAIL"):
            assert variable in environment, (name, variable)
        assert compose["services"][name]["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert compose["services"][name]["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_uploaded_files_live_in_a_volume_every_app_container_shares(compose):
    for name in APP_SERVICES:
        assert "media:/app/var/media" in compose["services"][name]["volumes"], name
        assert "MEDIA_STORAGE_URL" in compose["services"][name]["environment"], name
    assert "media" in compose["volumes"]


def test_postgres_keeps_its_data_in_a_named_volume(compose):
    volumes = compose["services"]["postgres"]["volumes"]

    assert "postgres-data:/var/lib/postgresql/data" in volumes
    assert "postgres-data" in compose["volumes"]


def test_env_example_names_only_settings_the_portal_reads():
    names = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))

    assert CONTRACT_VARIABLES - {"CELERY_BROKER_URL"} <= names
    assert names - CONTRACT_VARIABLES <= {
        "POSTGRES_PASSWORD", "SECURE_SSL_REDIRECT", "DATABASE_PREPARE_THRESHOLD",
        "MEDIA_STORAGE_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ATTACHMENT_MAX_BYTES",
        "INBOUND_EMAIL_DOMAIN", "INBOUND_SMTP_PUBLISH", "ANYMAIL_WEBHOOK_SECRET",
    }


def test_dockerfile_builds_with_production_settings_and_a_health_check():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "DJANGO_SETTINGS_MODULE=portal.settings.production" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    assert "HEALTHCHECK" in dockerfile
    assert "USER rapport" in dockerfile


def _compose_command() -> list[str] | None:
    """`docker-compose`, or the `docker compose` plugin when the docker CLI has it."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def test_docker_compose_accepts_the_file():
    command = _compose_command()
    if command is None:
        pytest.skip("neither docker-compose nor the docker compose plugin is installed here")
    env = {**os.environ, "SECRET_KEY": "x" * 50}

    result = subprocess.run([*command, "config", "-q"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr


def _dotenv(text: str) -> dict[str, str]:
    """The variables a `.env` file sets, as Compose reads it: KEY=VALUE lines; comments and blanks ignored."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values


def _interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `${VAR:?error}` substitution (no error raised)."""

    def substitute(match: re.Match) -> str:
        name, operator, argument = match.group(1), match.group(2) or "", match.group(3) or ""
        if operator == ":-":
            return variables.get(name) or argument
        if operator == "-":
            return variables.get(name, argument)
        return variables.get(name, "")

    return re.sub(r"\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}", substitute, value)


def test_copying_env_example_to_env_keeps_the_containers_on_mailpit(compose):
    # given: the README's `cp .env.example .env`; Compose reads `.env` to fill ${...} in docker-compose.yml
    variables = _dotenv((ROOT / ".env.example").read_text())

    for name in APP_SERVICES:
        # when: Compose builds the container's environment
        email_url = _interpolate(compose["services"][name]["environment"]["EMAIL_URL"], variables)

        # then: the containers send through the mailpit service, not the container's own loopback
        assert email_url == "smtp://mailpit:1025", name


def test_interpolation_reads_a_value_set_in_env():
    assert _interpolate("${EMAIL_URL:-smtp://mailpit:1025}", {"EMAIL_URL": "smtp://relay:25"}) == "smtp://relay:25"
    assert _interpolate("${EMAIL_URL:-smtp://mailpit:1025}", {"EMAIL_URL": ""}) == "smtp://mailpit:1025"


def test_web_and_worker_scale_behind_the_proxy(compose):
    """`docker compose up --scale web=2 --scale worker=4`: no app container binds a host port (only the proxy does),
    none has a fixed container name, migrations finish before any of them starts, and the proxy re-resolves `web`."""
    services = compose["services"]

    for name in ("web", "worker", "beat"):
        assert "ports" not in services[name] and "container_name" not in services[name], name
        assert services[name]["depends_on"].get("migrate", services[name]["depends_on"].get("web")), name
    assert services["web"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["proxy"]["ports"] == ["127.0.0.1:8000:8000"]
    assert services["proxy"]["depends_on"]["web"] == {"condition": "service_healthy"}
    [mount] = services["proxy"]["volumes"]
    config = (ROOT / mount.split(":")[0]).read_text()
    assert "resolver 127.0.0.11" in config and "set $web http://web:8000;" in config and "proxy_pass $web;" in config
    assert "X-Forwarded-Proto" in config  # production settings trust it (SECURE_PROXY_SSL_HEADER)
    # every app container shares the broker, cache and database: state no process keeps to itself
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["REDIS_URL"] == "redis://redis:6379/0" and "@postgres:5432/" in environment["DATABASE_URL"]
