import os
import subprocess
import sys
from pathlib import Path

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
