"""End to end through a real broker: a real worker and a real beat deliver a reminder; with
the broker stopped, the sweep still creates the rows and delivery catches up once it is back.

Each test starts its own redis-server on a free port of 127.0.0.1 (the shared one on 6379 is
never stopped), and runs the worker, beat and sweep as subprocesses against the test database.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from clients.factories import ReferralFactory
from reminders.models import Delivery, EmailPreference, Kind, Reminder

from .conftest import make_desk

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Redis:
    """A redis-server of this test's own, which the test may stop and start again."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_for(lambda: self._answers(), "redis-server to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def wait_for(
    condition: Callable[[], bool], what: str, timeout: float = DEADLINE_SECONDS, *, log: Path | None = None
) -> None:
    """Fails after ``timeout`` seconds with the worker's ``log`` as it is then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}\n{log.read_text() if log and log.exists() else ''}")


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[Redis]:
    server = Redis(free_port(), tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


def environment(redis: Redis, mail_dir: Path) -> dict[str, str]:
    database = settings.DATABASES["default"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caseflow.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": redis.url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "REMINDER_SWEEP_SECONDS": "2",
    }


def celery(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "caseflow", *args, "--loglevel", "INFO"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return celery(
        ["worker", "-c", "1", "--pool", "solo", "-n", "reminders@test", "--without-gossip", "--without-mingle"],
        env,
        log,
    )


def stop(*processes: subprocess.Popen[bytes]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def emails(mail_dir: Path) -> str:
    return "".join(path.read_text() for path in sorted(mail_dir.glob("*.log")))


def reminder_due_today() -> Reminder | None:
    return Reminder.objects.filter(kind=Kind.REFERRAL_FOLLOW_UP, escalation=False).first()


def make_referral_due_today() -> None:
    desk = make_desk("Työntekijä")
    today = timezone.localdate()
    ReferralFactory(client=desk.client(), created_by=desk.lead, sent_on=today, follow_up_on=today)
    EmailPreference.objects.create(user=desk.coordinator, kind=Kind.REFERRAL_FOLLOW_UP, by_email=True)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_beat_and_worker_deliver_a_reminder_end_to_end(redis: Redis, tmp_path: Path) -> None:
    make_referral_due_today()
    mail_dir = tmp_path / "mail"
    env = environment(redis, mail_dir)
    log = tmp_path / "celery.log"
    processes = [
        worker(env, log),
        celery(["beat", "-S", "celery.beat:PersistentScheduler", "-s", str(tmp_path / "beat-schedule")], env, log),
    ]
    try:

        def delivered() -> bool:
            for process in processes:
                assert process.poll() is None, log.read_text()
            reminder = reminder_due_today()
            return reminder is not None and reminder.delivery == Delivery.SENT

        wait_for(delivered, "the reminder to be delivered", log=log)
        # Beat keeps sweeping every 2 seconds: nothing is created or sent twice.
        time.sleep(5)
    finally:
        stop(*processes)
    reminder = reminder_due_today()
    assert reminder is not None
    assert reminder.emailed
    assert Reminder.objects.filter(kind=Kind.REFERRAL_FOLLOW_UP, escalation=False).count() == 1
    assert emails(mail_dir).count("Message-ID: <reminder-") == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_rows_are_made_and_delivery_catches_up(redis: Redis, tmp_path: Path) -> None:
    make_referral_due_today()
    mail_dir = tmp_path / "mail"
    env = environment(redis, mail_dir)
    redis.stop()
    sweep = subprocess.run(
        [sys.executable, "manage.py", "sweep_reminders"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert sweep.returncode == 0, sweep.stderr
    assert "queued 0 deliveries (1 left for the next sweep)" in sweep.stdout, sweep.stdout + sweep.stderr
    reminder = reminder_due_today()
    assert reminder is not None
    assert (reminder.delivery, reminder.queued_at) == (Delivery.PENDING, None)

    redis.start()
    log = tmp_path / "celery.log"
    process = worker(env, log)
    try:
        sweep = subprocess.run(
            [sys.executable, "manage.py", "sweep_reminders"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Created 0 reminders" in sweep.stdout, sweep.stdout + sweep.stderr
        assert "queued 1 deliveries" in sweep.stdout, sweep.stdout + sweep.stderr

        def delivered() -> bool:
            assert process.poll() is None, log.read_text()
            reminder.refresh_from_db()
            return reminder.delivery == Delivery.SENT

        wait_for(delivered, "the delivery to catch up", log=log)
    finally:
        stop(process)
    assert emails(mail_dir).count("Message-ID: <reminder-") == 1
