"""Redis is not a single point of failure for a young person: with the cache stopped
mid-test, postcards and complaints are still sent and saved, and staff still read."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.test import Client, override_settings

from feedback.models import Item
from tests.conftest import client_for
from tests.feedback.test_submit import answers, send

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A Redis server of this test's own, so stopping it disturbs nothing else."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed for this test"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    caches = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(
        CACHES=caches, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"
    ):
        cache.close()
        yield server
        cache.close()
    server.stop()


def test_postcards_and_complaints_are_sent_while_redis_is_down(
    own_redis: OwnRedis, young_person, caseworker
) -> None:
    client = client_for(young_person)
    anonymous = Client()
    response, _key = send(client, answers(words="Sent while Redis is up"))
    assert response.status_code == 302

    own_redis.stop()
    started = time.monotonic()
    response, _key = send(client, answers(words="Sent while Redis is down"))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    complaint, _key = send(
        client, answers(kind="complaint", words="A complaint while Redis is down")
    )
    assert complaint.status_code == 302
    response, _key = send(
        anonymous,
        answers(identity="anonymous", audience="in_care", words="Anonymous, Redis down"),
    )
    assert response.status_code == 302
    assert anonymous.get(response["Location"]).status_code == 200
    assert time.monotonic() - started < 10  # no request hangs on the dead server

    assert set(Item.objects.values_list("words", flat=True)) == {
        "Sent while Redis is up",
        "Sent while Redis is down",
        "A complaint while Redis is down",
        "Anonymous, Redis down",
    }
    assert client_for(caseworker).get("/staff/").status_code == 200

    own_redis.start()  # back again: everything goes on as before
    response, _key = send(client, answers(words="Sent after Redis came back"))
    assert response.status_code == 302
