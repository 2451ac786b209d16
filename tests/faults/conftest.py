"""Real services for the fault tests: the test database (PostgreSQL), a throw-away redis-server
of the test's own (started, killed and restarted by the test; never the machine's Redis), and
project processes (gunicorn, Celery workers) started as subprocesses so they can be killed."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.celery_worker import wait_for

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(port: int) -> bool:
    """The server on ``port`` answers /healthz with 200."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


def missing(reason: str) -> None:
    """Skip locally (SQLite, no Redis); in CI a missing service fails the run, so that the proof
    that faults cost nothing cannot silently stop being run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true, so this fails instead of skipping", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def real_services(transactional_db) -> None:
    if connection.vendor != "postgresql":
        missing("fault tests need PostgreSQL (DATABASE_URL=postgres://…), as in CI")
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        missing("fault tests need Redis (CELERY_BROKER_URL=redis://…), as in CI")
    if shutil.which("redis-server") is None:
        missing("fault tests start a throw-away redis-server, which is not installed")


class Redis:
    """A redis-server without persistence on a port of its own: restarted, it is empty."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert wait_for(self._answers, seconds=10), "redis-server did not start"

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def redis(real_services, tmp_path) -> Iterator[Redis]:
    server = Redis(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def service_env(redis, tmp_path) -> dict[str, str]:
    """Production-like settings pointing at the test database and the throw-away broker."""
    db = connection.settings_dict
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VOC_", "CELERY_", "CACHE_URL", "EMAIL_"))
    }
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_BROKER_URL=redis.url,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="fault-tests-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        VOC_MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONUNBUFFERED="1",
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


@pytest.fixture
def spawn(tmp_path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """``spawn(name, [cmd…], env)``: a process in a session of its own (so a kill takes its
    children too), its output in ``tmp_path/name.log``; every one still running is killed at the end."""
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{name}.log").open("wb")
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        proc.log_path = tmp_path / f"{name}.log"  # type: ignore[attr-defined]
        started.append(proc)
        return proc

    yield start
    for proc in started:
        kill_group(proc)


def kill_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def celery_worker(name: str) -> list[str]:
    return [
        str(BIN / "celery"), "-A", "config", "worker", "--pool", "solo", "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}@%h",
    ]  # fmt: skip
