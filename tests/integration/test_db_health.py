"""A reused database connection is checked before each request's first query: a healthy
one without a round trip, one the server closed replaced before anything uses it."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection

from feedback.models import Topic
from tests.integration.conftest import database_url_for_tests

pytestmark = pytest.mark.django_db(transaction=True)


def check() -> None:
    """What Django does as a request starts (close_old_connections), then at its first query."""
    connection.close_if_unusable_or_obsolete()
    connection.close_if_health_check_failed()


def fresh_connection() -> int:
    """A connection opened by this test: one older than CONN_MAX_AGE (the suite's own, a
    few minutes in) is closed as a request starts, healthy or not."""
    connection.close()
    return Topic.objects.count()


def test_a_healthy_connection_is_kept_without_asking_the_server() -> None:
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    fresh_connection()
    raw = connection.connection
    sent: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            type(raw), "cursor", lambda *a, **k: sent.append("cursor") or pytest.fail("asked")
        )
        check()
    assert connection.health_check_done  # the check ran, and kept the connection
    assert connection.connection is raw
    assert sent == []


def test_a_connection_the_server_closed_is_replaced_before_the_next_query() -> None:
    topics = fresh_connection()
    pid = connection.connection.info.backend_pid
    with psycopg.connect(database_url_for_tests(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    for _ in range(50):  # the server's notice reaches the socket within moments
        check()
        if connection.connection is None:
            break
        time.sleep(0.02)
    assert connection.connection is None  # closed: the next query opens a new one
    assert Topic.objects.count() == topics
    assert connection.connection.info.backend_pid != pid
