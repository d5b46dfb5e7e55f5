"""The Redis cache's counts (the rate limits') on a real Redis: one client per pool, and
an increment that is one round trip yet still refuses a key that is not there."""

from __future__ import annotations

import pytest
import redis
from django.core.cache import cache, caches
from redis.client import Redis

from portal.cache import count_together
from portal.limits import Limit, count_limits

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


def test_counters_go_up_together_in_one_round_trip_and_expire(redis_db: redis.Redis) -> None:
    backend = caches["default"]
    sent: list[str] = []
    original = Redis.execute_command

    def counted(self: Redis, *args: object, **options: object) -> object:
        sent.append(str(args[0]))
        return original(self, *args, **options)

    assert count_together(backend, {"a": 60, "b": 3600}) == [1, 1]  # loads the script
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Redis, "execute_command", counted)
        assert count_together(backend, {"a": 60, "b": 3600}) == [2, 2]
        assert count_together(backend, {"a": 60, "b": 3600, "c": 60}) == [3, 3, 1]
    assert sent == ["EVALSHA", "EVALSHA"]
    assert 55 < redis_db.ttl(backend.make_key("a")) <= 60
    assert 3595 < redis_db.ttl(backend.make_key("b")) <= 3600
    redis_db.script_flush()  # as a restarted Redis would have
    assert count_together(backend, {"a": 60}) == [4]


def test_limits_count_each_person_in_their_own_window(redis_db: redis.Redis) -> None:
    first = count_limits(Limit("send", "session-a", "2/h"), Limit("send", "address", "3/h"))
    assert [(u.count, u.over) for u in first] == [(1, False), (1, False)]
    count_limits(Limit("send", "session-a", "2/h"))
    (third,) = count_limits(Limit("send", "session-a", "2/h"))
    assert (third.count, third.over) == (3, True)
    (other,) = count_limits(Limit("send", "session-b", "2/h"))
    assert other.count == 1
    assert all(b"session-a" not in key for key in redis_db.keys("*"))  # who, hashed
