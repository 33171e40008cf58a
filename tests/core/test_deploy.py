import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_the_deployment_checks() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "caseflow.settings.prod", "SECRET_KEY": "x" * 60 + "-not-used"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_openapi_schema_generates_without_warnings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml")],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "caseflow.settings.test"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_processes_share_one_cache(tmp_path: Path) -> None:
    """The throttles count across every web process: what one process counts, another sees."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caseflow.settings.prod",
        "SECRET_KEY": "x" * 60 + "-not-used",
        "CACHE_URL": "redis://127.0.0.1:6379/9",
    }
    key = f"shared-{tmp_path.name}"

    def run(code: str) -> str:
        script = f"import django; django.setup(); from django.core.cache import cache; {code}"
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    run(f"cache.set({key!r}, 'counted', 60)")
    assert run(f"print(cache.get({key!r}))") == "counted"


# The deployment's shape (docker-compose.yml, docs/deploy.md), read from what Compose itself makes
# of the file: `docker-compose config` (Debian's docker-compose, `make system-packages`) checks
# it against the Compose schema, resolves the anchors and variables, and needs no Docker engine.
APP_SERVICES = ("migrate", "web", "worker", "pdf-worker", "beat")
LONG_RUNNING = ("web", "worker", "pdf-worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    program = shutil.which("docker-compose")
    assert program, "docker-compose is missing: `make system-packages` installs Debian's package"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(Path.home()),
        "POSTGRES_PASSWORD": "pw",
        "SECRET_KEY": "k",
    }
    result = subprocess.run(
        [program, "--project-directory", str(ROOT), "-f", str(ROOT / "docker-compose.yml"), "config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rendered: dict[str, Any] = yaml.safe_load(result.stdout)
    return rendered


def _services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose["services"]
    return services


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def _queues(command: list[str]) -> set[str]:
    return set(command[command.index("-Q") + 1].split(",")) if "-Q" in command else {"celery"}


def _replicas(service: dict[str, Any]) -> int:
    return int(service.get("deploy", {}).get("replicas", service.get("scale", 1)))


def test_compose_runs_the_whole_shape(compose: dict[str, Any]) -> None:
    assert set(_services(compose)) == {*APP_SERVICES, "lb", "pgbouncer", "db", "redis"}
    for name in APP_SERVICES:
        service = _services(compose)[name]
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "caseflow.settings.prod", name
        assert service["image"] == "caseflow", name  # one image, built once, for every role


def test_web_is_gunicorn_in_stateless_replicas_behind_the_load_balancer(compose: dict[str, Any]) -> None:
    services = _services(compose)
    web = services["web"]
    assert _command(web)[:4] == ["gunicorn", "caseflow.wsgi", "-c", "python:caseflow.gunicorn"]
    assert _replicas(web) >= 2
    # Stateless: nothing written to the container, no volume of its own, no port of its own.
    assert web["read_only"] is True
    assert not web.get("volumes")
    assert not web.get("ports")
    assert [port["target"] for port in services["lb"]["ports"]] == [80]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.search(r"server web:8000\b", nginx)
    assert "proxy_pass http://caseflow_web;" in nginx


def test_each_worker_consumes_its_own_queues_and_pdfs_are_apart(compose: dict[str, Any]) -> None:
    services = _services(compose)
    workers = {name: _command(service) for name, service in services.items() if "worker" in _command(service)}
    assert set(workers) == {"worker", "pdf-worker"}
    for command in workers.values():
        assert command[:4] == ["celery", "-A", "caseflow", "worker"]
        assert "-B" not in command
        assert "--beat" not in command
    assert _queues(workers["worker"]) == {"celery"}
    assert _queues(workers["pdf-worker"]) == {"pdf"}
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {"celery"}
    assert routed == _queues(workers["worker"]) | _queues(workers["pdf-worker"])


def test_beat_runs_exactly_once(compose: dict[str, Any]) -> None:
    beats = [name for name, service in _services(compose).items() if "beat" in _command(service)]
    assert beats == ["beat"]
    beat = _services(compose)["beat"]
    assert _command(beat)[:4] == ["celery", "-A", "caseflow", "beat"]
    assert _replicas(beat) == 1


def test_migrations_run_once_before_web_workers_and_beat(compose: dict[str, Any]) -> None:
    services = _services(compose)
    migrate = services["migrate"]
    assert _command(migrate) == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert _replicas(migrate) == 1
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    # Straight to PostgreSQL, not through the transaction pooler: a migration may hold a session.
    assert "@db:5432/" in migrate["environment"]["DATABASE_URL"]
    for name in LONG_RUNNING:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
        assert "migrate" not in _command(services[name]), name


def test_web_and_workers_reach_postgresql_through_pgbouncer_in_transaction_mode(compose: dict[str, Any]) -> None:
    services = _services(compose)
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    for name in LONG_RUNNING:
        environment = services[name]["environment"]
        assert "@pgbouncer:5432/" in environment["DATABASE_URL"], name
        assert environment["DATABASE_POOLER"] == "transaction", name
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:"), name
        assert environment["CACHE_URL"].startswith("redis://redis:"), name


def test_the_settings_keep_no_session_state_behind_the_transaction_pooler(compose: dict[str, Any]) -> None:
    """Under web's own environment (the hosts made local), the production settings turn off
    what would live in a pooled connection between transactions."""
    environment = {key: str(value) for key, value in _services(compose)["web"]["environment"].items() if value}
    environment |= {
        "DATABASE_URL": "postgres://caseflow:pw@127.0.0.1:5432/caseflow",
        "SECRET_KEY": "x" * 60 + "-not-used",
    }
    script = (
        "import django, json; django.setup(); from django.conf import settings; d = settings.DATABASES['default'];"
        "print(json.dumps([d['DISABLE_SERVER_SIDE_CURSORS'], d['OPTIONS'].get('prepare_threshold', 'default')]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env={**os.environ, **environment}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, None]


def test_gunicorn_loads_its_configuration_and_the_application() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c", "python:caseflow.gunicorn", "caseflow.wsgi"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "caseflow.settings.test"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
