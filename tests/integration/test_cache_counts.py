"""The Redis cache's counts (the rate limits') on a real Redis: one client per pool, and
an increment that is one round trip yet still refuses a key that is not there."""

from __future__ import annotations

import pytest
import redis
from django.core.cache import cache

pytestmark = pytest.mark.django_db


def test_a_count_goes_up_by_what_is_asked_and_a_missing_one_is_refused(
    redis_db: redis.Redis,
) -> None:
    cache.set("count", 1, 60)
    assert cache.incr("count") == 2
    assert cache.incr("count", 5) == 7
    assert cache.get("count") == 7
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")
    assert cache.get("never-set") is None  # refusing made nothing


def test_the_increment_survives_redis_forgetting_its_scripts(redis_db: redis.Redis) -> None:
    cache.set("count", 1, 60)
    assert cache.incr("count") == 2
    redis_db.script_flush()  # as a restarted Redis would have
    assert cache.incr("count") == 3


def test_one_client_serves_every_call(redis_db: redis.Redis) -> None:
    backend = cache._cache  # type: ignore[attr-defined]
    assert backend.get_client("a", write=True) is backend.get_client("b", write=True)
