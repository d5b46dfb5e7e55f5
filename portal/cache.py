"""Redis as the cache, where a Redis that is down is a miss, never an error.

Sessions (cached_db: the database holds them too), rate limits and allauth's
counters all go through the cache. While Redis restarts, a young person must
still be able to send a postcard: reads miss, writes are dropped, and `add`
reports success, so limits fail open for those seconds instead of refusing
(and losing) a submission. Nothing from the request is logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
T = TypeVar("T")
_last_warning = 0.0


def _warn() -> None:
    global _last_warning  # one warning a minute per process, not one per call
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        log.warning("cache unavailable: serving without it (sessions from the database)")


def _or(fallback: T, call: Callable[[], T]) -> T:
    try:
        return call()
    except DOWN:
        _warn()
        return fallback


# INCRBY only if the key exists (Django's incr raises for a missing key), in one round
# trip: Django's own incr asks EXISTS first, which doubles every rate-limit count.
_INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return false
"""


# Every counter of one request in one round trip: INCR each key, and give a new key its
# lifetime (a counter that already runs keeps the window it started).
_COUNT_TOGETHER = """
local counts = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, ARGV[i]) end
  counts[i] = n
end
return counts
"""


class _ReusedClient(RedisCacheClient):
    """Django builds a new `redis.Redis` for every call, and building one costs more
    CPU than the command it sends (it fills a table of response callbacks). One client
    per connection pool is safe: the pool hands each command its own connection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._incr_script: Any = None
        self._count_script: Any = None

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's, not in the stubs
        client = self._clients.get(id(pool))
        if client is None:
            new_client = self._client  # type: ignore[attr-defined]  # Django's, not in the stubs
            client = self._clients[id(pool)] = new_client(connection_pool=pool)
        return client

    def incr(self, key: Any, delta: int) -> Any:
        client = self.get_client(key, write=True)
        if self._incr_script is None:
            self._incr_script = client.register_script(_INCR_EXISTING)
        value = self._incr_script(keys=[key], args=[delta], client=client)
        if value is None:
            raise ValueError(f"Key {key!r} not found.")
        return value

    def count_together(self, keys: list[str], timeouts: list[int]) -> list[int]:
        client = self.get_client(keys[0], write=True)
        if self._count_script is None:
            self._count_script = client.register_script(_COUNT_TOGETHER)
        return [int(n) for n in self._count_script(keys=keys, args=timeouts, client=client)]


def count_together(cache: Any, counters: dict[str, int]) -> list[int]:
    """Add one to each counter (key: seconds it lives once started) and return the new counts.

    On Redis, one round trip whatever the number of counters; a Redis that is down counts
    nothing (0 each), so limits fail open. On another cache, one add or incr per counter.
    """
    if isinstance(cache, ResilientRedisCache):
        keys = [cache.make_and_validate_key(key) for key in counters]
        client = cache._cache  # type: ignore[attr-defined]  # Django's client, not in the stubs
        return _or([0] * len(keys), lambda: client.count_together(keys, list(counters.values())))
    counts = []
    for key, timeout in counters.items():
        if cache.add(key, 1, timeout):
            counts.append(1)
            continue
        try:
            counts.append(cache.incr(key))
        except ValueError:  # expired between the two calls: a new window
            cache.add(key, 1, timeout)
            counts.append(1)
    return counts


class ResilientRedisCache(RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClient

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return _or(default, lambda: super(ResilientRedisCache, self).get(key, default, version))

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return _or({}, lambda: super(ResilientRedisCache, self).get_many(keys, version))

    def set(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> None:
        _or(None, lambda: super(ResilientRedisCache, self).set(key, value, timeout, version))

    def set_many(
        self, data: dict[Any, Any], timeout: Any = 300, version: int | None = None
    ) -> list[Any]:
        return _or(
            list(data), lambda: super(ResilientRedisCache, self).set_many(data, timeout, version)
        )

    def add(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> bool:
        # "Added": the caller goes on as the first to ask, so a limit fails open.
        return _or(True, lambda: super(ResilientRedisCache, self).add(key, value, timeout, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except DOWN:
            _warn()
            # What Django raises for a missing key: counters start again from their first value.
            raise ValueError("cache unavailable") from None

    def touch(self, key: Any, timeout: Any = 300, version: int | None = None) -> bool:
        return _or(False, lambda: super(ResilientRedisCache, self).touch(key, timeout, version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return _or(False, lambda: super(ResilientRedisCache, self).delete(key, version))

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        _or(None, lambda: super(ResilientRedisCache, self).delete_many(keys, version))

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return _or(False, lambda: super(ResilientRedisCache, self).has_key(key, version))

    def clear(self) -> None:
        _or(None, lambda: super(ResilientRedisCache, self).clear())
