"""Celery tasks sent by their registered names, after the transaction commits.

Services, dispatch and notifications send work to Celery through here, so none of
them imports `feedback.tasks`: only Celery does (by autodiscovery), and there is
no circle of imports between what changes items and what runs in the background.

On a Redis broker a task goes out as one LPUSH of the message Celery's own
`send_task` would have queued (a test on a real Redis holds the two equal:
tests/integration/test_routing_on_worker.py): kombu's producer machinery cost
1.08 ms of CPU a send and a new Redis client each time, the push 0.45 ms
(`.venv/bin/python -m bench.inprocess`, bench/README.md). The message is built
from Celery's own `as_task_v2`, but its envelope is kombu's Redis transport's,
which this module copies: so the push is used only with the Celery and kombu
versions that test has held equal (WIRE_TESTED, checked once at start-up), and on
any other version or broker (the embedded one of `make run`) the plain `send_task`.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from importlib.metadata import version
from typing import Any

import redis
from django.db import transaction
from kombu.exceptions import OperationalError

from portal import request_id
from portal.celery import app

log = logging.getLogger(__name__)

# The names feedback.tasks registers; a test checks each one is registered.
ROUTE_ITEM = "feedback.tasks.route_item"
ROUTE_URGENT_ITEM = "feedback.tasks.route_urgent_item"
SEND_NOTIFICATIONS = "feedback.tasks.send_notifications"

# (celery, kombu) major.minor whose wire format the equality test has passed against.
WIRE_TESTED = ("5.7", "5.7")


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


# The hand-built push, or the plain send_task on versions the equality test has not seen.
PUSH_BY_HAND = (_minor(version("celery")), _minor(version("kombu"))) == WIRE_TESTED

_brokers: dict[str, redis.Redis] = {}
_queues: dict[str, str] = {}


def send_now(task_name: str, *args: object) -> None:
    """Send at once (task_routes choose the queue by name); a broker that is down is logged.

    What the task would do is already saved, so a failed send is left for the
    periodic sweep and the caller still succeeds.
    """
    try:
        broker = _redis_broker() if PUSH_BY_HAND else None
        if broker is None:
            app.send_task(task_name, args=args)
        else:
            broker.lpush(_queue(task_name), json.dumps(task_message(task_name, args)))
    except (OperationalError, ConnectionError, OSError, redis.RedisError) as exc:
        log.warning(
            "could not send %s for %s (%s): the sweep will", task_name, args, type(exc).__name__
        )


def send_on_commit(task_name: str, *args: object) -> None:
    """Send once the caller's transaction commits: a worker never looks for a row it cannot see."""
    transaction.on_commit(lambda: send_now(task_name, *args))


def task_message(task_name: str, args: tuple[object, ...]) -> dict[str, Any]:
    """The message kombu's Redis transport queues for `app.send_task(task_name, args=args)`:
    Celery's task protocol (headers and body from Celery itself) in kombu's envelope."""
    task_id = str(uuid.uuid4())
    message = app.amqp.as_task_v2(
        task_id,
        task_name,
        args=args,
        kwargs={},
        reply_to=app.thread_oid,
        # What send_task adds from a registered task's options: no task sets its own.
        time_limit=app.conf.task_time_limit,
        soft_time_limit=app.conf.task_soft_time_limit,
        ignore_result=None,  # type: ignore[arg-type]  # as send_task sends it: null
    )
    # What Celery's before_task_publish adds to send_task's (portal/celery.py).
    request_id.stamp(message.headers)
    body = json.dumps(message.body).encode()
    properties = dict(message.properties)
    properties.update(
        delivery_mode=2,
        delivery_info={"exchange": "", "routing_key": _queue(task_name)},
        priority=0,
        body_encoding="base64",
        delivery_tag=str(uuid.uuid4()),
    )
    return {
        "body": base64.b64encode(body).decode(),
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": message.headers,
        "properties": properties,
    }


def _queue(task_name: str) -> str:
    queue = _queues.get(task_name)
    if queue is None:
        queue = _queues[task_name] = app.amqp.router.route({}, task_name)["queue"].name
    return queue


def _redis_broker() -> redis.Redis | None:
    """A client for the broker when it is Redis, one per process and broker address."""
    url = app.conf.broker_url or ""
    client = _brokers.get(url)
    if client is None and url.startswith(("redis://", "rediss://")):
        timeout = app.conf.broker_connection_timeout
        client = _brokers[url] = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
    return client
