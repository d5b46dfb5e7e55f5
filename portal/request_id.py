"""A request id on every log line of a request, and of the Celery tasks it sends.

The middleware takes a well-formed X-Request-ID from the proxy in front (or makes one),
returns it on the response, and holds it in a context variable for the request's
length; the log filter copies it onto each record. A task sent during the request
carries it in a message header (`stamp`, called from Celery's before_task_publish and
from the outbox's own push), and the worker holds it while the task runs: one id
follows a postcard from the web process into the routing worker's lines.

The id is a label for logs only: made of safe characters, checked, never a person's.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeGuard

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# The name in a Celery message's headers (and so on the worker's task.request).
TASK_HEADER = "request_id"
# What a record outside any request or task says.
NONE = "-"
# What a proxy or load balancer is likely to send (a UUID, hex, base64url): nothing else.
VALID = re.compile(r"[A-Za-z0-9._:-]{1,100}")

log = logging.getLogger("portal.request")

_current: ContextVar[str] = ContextVar("request_id", default=NONE)


def current() -> str:
    return _current.get()


def valid(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and VALID.fullmatch(value) is not None


@contextmanager
def using(request_id: str) -> Iterator[str]:
    """Hold `request_id` (or a new one, when not valid) for the length of the block."""
    request_id = request_id if valid(request_id) else uuid.uuid4().hex
    token = _current.set(request_id)
    try:
        yield request_id
    finally:
        _current.reset(token)


def middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """The incoming X-Request-ID when it is well formed, else a new one (uuid4 hex);
    on the response's header and on every log record of the request, which ends with
    one line of its own: method, view, status and time. The view's name, never the
    path: a path can hold an invitation token or a password reset key."""

    def request_id_middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        with using(request.META.get("HTTP_X_REQUEST_ID", "")) as request_id:
            response = get_response(request)
            match = request.resolver_match
            view = (match.view_name if match else "") or "-"
            ms = round((time.perf_counter() - started) * 1000, 1)
            log.info(
                "%s %s %s %.1f ms",
                request.method,
                view,
                response.status_code,
                ms,
                extra={
                    "method": request.method,
                    "view": view,
                    "status": response.status_code,
                    "duration_ms": ms,
                },
            )
        response[HEADER] = request_id
        return response

    return request_id_middleware


class RequestIdFilter(logging.Filter):
    """Puts the current request id on each record (`%(request_id)s`): on the handler,
    so records from every logger get it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


# --- Celery: the id travels in the task's headers ---------------------------------------


def stamp(headers: MutableMapping[str, Any]) -> None:
    """Put the current request id into a task message's headers (when there is one)."""
    request_id = _current.get()
    if request_id != NONE:
        headers.setdefault(TASK_HEADER, request_id)


_running: dict[str, Any] = {}


def task_started(task_id: str, task: Any) -> None:
    """In the worker, as a task starts: hold the id its message carried. A task run
    eagerly inside a request keeps the request's own."""
    request = getattr(task, "request", None)
    request_id = getattr(request, TASK_HEADER, None) or (
        (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    )
    if valid(request_id):
        _running[task_id] = _current.set(request_id)


def task_finished(task_id: str) -> None:
    token = _running.pop(task_id, None)
    if token is not None:
        _current.reset(token)
