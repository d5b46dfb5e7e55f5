"""Integration tests: real PostgreSQL, Redis and Celery worker processes.

Every test here needs the servers. Without them the tests skip with a reason;
with PORTAL_REQUIRE_SERVICES=1 (CI) they fail instead, so a broken CI set-up
cannot pass by skipping everything.

The test process and the workers share the pytest-django test database and a
Redis database of their own (TEST_REDIS_DB, flushed before every test), so a
test never sees another test's or a developer's queued tasks.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import dj_database_url
import kombu.pools
import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

from portal.celery import app as celery_app

HERE = Path(__file__).resolve().parent
PROJECT_DIR = HERE.parent.parent
SERVICES_MISSING = "integration tests need PostgreSQL and Redis: set DATABASE_URL and REDIS_URL"
# Not the developer's (or CI's) database 0: flushing it before each test must lose nothing.
TEST_REDIS_DB = 15
QUEUES = ("urgent", "default", "notifications")
# A port nothing listens on: connecting is refused at once.
DEAD_BROKER_URL = "redis://127.0.0.1:1/0"
WORKER_START_TIMEOUT = 30.0

T = TypeVar("T")


# --- Are the servers there? ------------------------------------------------------


@functools.cache
def services_problem() -> str | None:
    """Why the integration tests cannot run here, or None when they can."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        return f"{SERVICES_MISSING} (DATABASE_URL is not a PostgreSQL URL)"
    if not redis_url:
        return f"{SERVICES_MISSING} (REDIS_URL is not set)"
    db = dj_database_url.parse(database_url)
    try:
        # The maintenance database: the URL's own may not exist yet, and
        # pytest-django creates the test database from here too.
        psycopg.connect(
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as exc:
        return f"{SERVICES_MISSING} (PostgreSQL unreachable: {type(exc).__name__})"
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
    except (redis.RedisError, ValueError) as exc:
        return f"{SERVICES_MISSING} (Redis unreachable: {type(exc).__name__})"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Hooks in a conftest see the whole session's items: only touch this folder's.
    ours = [item for item in items if HERE in item.path.parents]
    if not ours:
        return
    problem = services_problem()
    for item in ours:
        item.add_marker(pytest.mark.integration)
        if problem and not settings.PORTAL_REQUIRE_SERVICES:
            item.add_marker(pytest.mark.skip(reason=problem))


@pytest.fixture(scope="session", autouse=True)
def _services_required() -> None:
    """Reached only when the tests were not skipped: fail before any database set-up."""
    problem = services_problem()
    if problem:
        pytest.fail(f"{problem}; PORTAL_REQUIRE_SERVICES=1 forbids skipping", pytrace=False)


# --- One Redis database for the test process and its workers ---------------------


def redis_url_for_tests() -> str:
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit(parts._replace(path=f"/{TEST_REDIS_DB}"))


def use_broker(url: str) -> None:
    """Point this process's Celery app at another broker.

    The app read its broker URL from settings once, at start-up, and keeps a
    pool of connections to it: both have to be replaced.
    """
    celery_app.conf.broker_url = url
    # kombu keeps its pools in a registry by URL; a closed pool left there would
    # be handed out again when the old URL comes back.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    previous = celery_app.conf.broker_url
    use_broker(url)
    try:
        yield
    finally:
        use_broker(previous)


@pytest.fixture(autouse=True)
def test_redis_url(_services_required: None) -> Iterator[str]:
    """The test process uses the workers' Redis database for its broker and its cache.

    For each test, not the session: tests outside this folder keep their own.
    """
    url = redis_url_for_tests()
    previous_broker = celery_app.conf.broker_url
    overrides = override_settings(
        REDIS_URL=url,
        CELERY_BROKER_URL=url,
        CACHES={"default": {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": url}},
    )
    overrides.enable()
    use_broker(url)
    yield url
    use_broker(previous_broker)
    overrides.disable()


@pytest.fixture
def redis_db(test_redis_url: str) -> Iterator[redis.Redis]:
    """The tests' Redis database, emptied first: no task or count left by an earlier test."""
    client = redis.Redis.from_url(test_redis_url)
    client.flushdb()
    yield client
    client.close()


def queued(client: redis.Redis) -> int:
    """Messages waiting in the worker queues (kombu keeps one list per queue and priority)."""
    total = 0
    for queue in QUEUES:
        for key in client.scan_iter(match=f"{queue}*"):
            if client.type(key) == b"list":
                total += client.llen(key)
    return total


def unacked(client: redis.Redis) -> int:
    """Messages a worker has taken but not yet acknowledged (acks_late: still running)."""
    return client.hlen("unacked")


# --- Waiting ---------------------------------------------------------------------


def wait_for(
    condition: Callable[[], T],
    *,
    timeout: float = 30.0,
    interval: float = 0.05,
    what: str = "the condition",
    describe: Callable[[], str] | None = None,
) -> T:
    """Poll until `condition()` is truthy and return its value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            detail = f"\n{describe()}" if describe else ""
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}{detail}", pytrace=False)
        time.sleep(interval)


def wait_until_idle(
    client: redis.Redis,
    *,
    still_unacked: int = 0,
    timeout: float = 30.0,
    describe: Callable[[], str] | None = None,
) -> None:
    """Wait until the workers have taken and finished every message.

    Checked twice, a moment apart: between taking a message off its list and
    recording it as unacknowledged, a message is briefly in neither place.
    """

    def idle() -> bool:
        if queued(client) or unacked(client) > still_unacked:
            return False
        time.sleep(0.2)
        return not queued(client) and unacked(client) <= still_unacked

    wait_for(idle, timeout=timeout, what="the queues to empty", describe=describe)


# --- Worker processes ------------------------------------------------------------


def database_url_for_tests() -> str:
    """The pytest-django test database (test_<name>), as a URL for another process."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}{db['HOST'] or ''}{port}/{quote(db['NAME'], safe='')}"


def _die_with_parent() -> None:
    """In the worker, before exec: if pytest itself is killed, the worker goes too.

    A worker left behind would go on taking tasks from the tests' Redis
    database, against a test database that no longer exists.
    """
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


class Worker:
    """One `celery worker` process and its pool children, in a process group of their own."""

    def __init__(self, name: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.name = name
        self.process = process
        self.log_path = log_path

    def __repr__(self) -> str:
        return f"<Worker {self.name} pid={self.process.pid}>"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once, as an OOM kill or a crash would."""
        # Only while the group leader lives: a reaped pid could belong to someone else.
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


class Workers:
    """Starts real Celery workers for one test and stops them all at its end."""

    def __init__(self, log_dir: Path, redis_url: str, database_url: str) -> None:
        self.log_dir = log_dir
        self.redis_url = redis_url
        self.database_url = database_url
        self.started: list[Worker] = []

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="tests.settings",
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            # settings prefer CELERY_BROKER_URL to REDIS_URL: a developer's must not leak in.
            CELERY_BROKER_URL=self.redis_url,
            PYTHONUNBUFFERED="1",
            # The unit suite runs Django's checks; here they only slow every start-up.
            CELERY_SKIP_CHECKS="1",
        )
        env.update(extra or {})
        return env

    def spawn(
        self,
        *,
        pool: str = "prefork",
        concurrency: int = 1,
        queues: tuple[str, ...] = QUEUES,
        loglevel: str = "warning",
        env: dict[str, str] | None = None,
    ) -> Worker:
        """Start a worker process without waiting for it: see `ready`."""
        name = f"it{len(self.started) + 1}-{uuid.uuid4().hex[:6]}@integration"
        log_path = self.log_dir / f"{name.split('@')[0]}.log"
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker"]
        command += ["-Q", ",".join(queues), "-P", pool, "-n", name, "-l", loglevel]
        if pool == "prefork":
            command += ["-c", str(concurrency)]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env=self.env(env),
                stdout=log,
                stderr=subprocess.STDOUT,
                # A group of its own, so that kill() reaches the pool children too.
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        worker = Worker(name, process, log_path)
        self.started.append(worker)
        return worker

    def ready(self, *workers: Worker, timeout: float = WORKER_START_TIMEOUT) -> None:
        """Wait until each worker answers a ping: it is then consuming its queues."""
        waiting = {worker.name: worker for worker in workers}
        deadline = time.monotonic() + timeout
        while waiting:
            for worker in waiting.values():
                if worker.process.poll() is not None:
                    pytest.fail(f"{worker} exited at start-up:\n{worker.log()}", pytrace=False)
            replies = celery_app.control.ping(destination=list(waiting), timeout=0.5)
            for reply in replies:
                for name in reply:
                    waiting.pop(name, None)
            if waiting and time.monotonic() > deadline:
                logs = "\n".join(worker.log() for worker in waiting.values())
                pytest.fail(f"workers not ready after {timeout:.0f}s:\n{logs}", pytrace=False)

    def start(self, **options: Any) -> Worker:
        """Start a worker (options as for `spawn`) and wait until it is ready."""
        worker = self.spawn(**options)
        self.ready(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(f"--- {worker} ---\n{worker.log()[-3000:]}" for worker in self.started)

    def stop_all(self) -> None:
        # Killed, not shut down warmly: the test has read what it needs, and a warm
        # shutdown spends about two seconds stopping the prefork pool, per worker.
        # Their database sessions end with them, before the tables are emptied.
        for worker in self.started:
            worker.kill()


@pytest.fixture
def workers(
    transactional_db: None, redis_db: redis.Redis, test_redis_url: str, tmp_path: Path
) -> Iterator[Workers]:
    """Start workers with `workers.start(...)`; all are stopped when the test ends.

    Needs a transactional test: a worker is another process and sees only
    committed rows. Workers stop before pytest-django empties the tables.
    """
    factory = Workers(tmp_path, test_redis_url, database_url_for_tests())
    yield factory
    factory.stop_all()


@pytest.fixture
def worker(workers: Workers) -> Worker:
    """One prefork worker with one pool process on all the queues, as in production."""
    return workers.start()
