"""Counting requests against rates such as "10/h", every counter of a request at once:
the portal's one limiter (postcards, tracking codes, invitations; allauth keeps its own
for sign-in).

django-ratelimit, used here before, counts one key per call, in two cache round trips (add, then incr);
a postcard is counted per session and per address, and per account when signed in,
so it asked Redis four or six times. Here all of a request's counters go in one round trip
(`portal.cache.count_together`). The windows are fixed: a count starts again at the
start of each period.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass

from django.core.cache import caches
from django.http import HttpRequest

from portal.cache import count_together
from portal.proxy import client_ip

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/h" is 10 an hour, "5/10m" is 5 every ten minutes: (count, seconds)."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"not a rate: {rate!r} (for example 10/h or 5/10m)")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _SECONDS[unit]


@dataclass(frozen=True)
class Limit:
    name: str  # what is counted, for example "submit-session"
    who: str  # whose count: a session key, an account, an address (hashed in the key)
    rate: str


@dataclass(frozen=True)
class Usage:
    count: int  # including this request; 0 when the cache could not count
    allowed: int

    @property
    def over(self) -> bool:
        return self.count > self.allowed


def count_limits(*limits: Limit) -> list[Usage]:
    """Count this request once against each limit, in one round trip to the cache."""
    now = int(time.time())
    counters: dict[str, int] = {}
    allowed = []
    for limit in limits:
        number, period = parse_rate(limit.rate)
        who = hashlib.sha256(limit.who.encode()).hexdigest()[:32]
        counters[f"limit:{limit.name}:{period}:{who}:{now // period}"] = period
        allowed.append(number)
    counts = count_together(caches["default"], counters)
    return [Usage(n, a) for n, a in zip(counts, allowed, strict=True)]


def address_over(request: HttpRequest, name: str, rate: str) -> bool:
    """Count this request against `rate` for its address (the client's, behind trusted
    proxies): whether it is now over. Pages and the API that share a `name` share a count."""
    (usage,) = count_limits(Limit(name, client_ip(request), rate))
    return usage.over
