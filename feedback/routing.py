"""Route choice: the first active route that matches kind, topic and audience. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar


class RouteLike(Protocol):
    kind: str
    topic_id: int | None
    audience: str
    service_id: int


R = TypeVar("R", bound=RouteLike)


def choose_route(routes: Iterable[R], *, kind: str, topic_id: int, audience: str) -> R | None:
    """Routes must come in order; a blank field matches anything."""
    for route in routes:
        if route.kind and route.kind != kind:
            continue
        if route.topic_id is not None and route.topic_id != topic_id:
            continue
        if route.audience and route.audience != audience:
            continue
        return route
    return None
