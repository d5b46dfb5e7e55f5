"""/metrics, for Prometheus: django-prometheus's request figures and the portal's own.

The portal's gauges are computed when Prometheus scrapes, by `PortalCollector`: beat's
and each queue's heartbeat age (portal.heartbeats), each Celery queue's depth read from
the broker when it is Redis, and the figures the composition root passes in (the items'
clocks, kinds and states and the notifications', from feedback). Counts and ages only:
no words, names or codes, and no label that could hold one.

Not public. A scrape is answered when it carries `Authorization: Bearer <METRICS_TOKEN>`,
or comes straight from an address in METRICS_ALLOWED_IPS (a request forwarded by a
proxy, with X-Forwarded-For, must carry the token); anything else is a 404. Like the
health probes it answers whatever Host it is asked by (portal.middleware.health_probes).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import math
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils import timezone
from django.views.decorators.cache import never_cache
from kombu.transport.redis import PRIORITY_STEPS
from kombu.transport.redis import Channel as RedisChannel
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from portal import heartbeats
from portal.celery import QUEUES
from portal.celery import app as celery_app
from portal.models import Heartbeat

log = logging.getLogger(__name__)

# The feedback app's gauges, given by the composition root (portal/urls.py).
Figures = Callable[[datetime], Iterable[GaugeMetricFamily]]

# kombu's Redis transport keeps a queue as one list per priority step; step 0 is the
# queue's own name (and the one the portal's tasks use).
_PRIORITY_SEP = RedisChannel.sep
# Where kombu keeps the messages a worker has taken but not acknowledged.
_UNACKED = RedisChannel.unacked_key
_brokers: dict[str, redis.Redis] = {}


def allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    sent = request.META.get("HTTP_AUTHORIZATION", "")
    if token and sent.startswith("Bearer "):
        return hmac.compare_digest(sent[len("Bearer ") :].encode(), token.encode())
    if request.META.get("HTTP_X_FORWARDED_FOR"):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
def metrics(request: HttpRequest, figures: Figures | None = None) -> HttpResponse:
    if not allowed(request):
        # Plain: this view runs before the session and sign-in middleware.
        return HttpResponseNotFound("Not found", content_type="text/plain; charset=utf-8")
    own = CollectorRegistry(auto_describe=False)
    own.register(PortalCollector(figures))
    body = generate_latest(_process_registry()) + generate_latest(own)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def _process_registry() -> CollectorRegistry:
    """django-prometheus's figures: this process's, or every web process's when
    prometheus_client's multiprocess mode is on (PROMETHEUS_MULTIPROC_DIR)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


class PortalCollector(Collector):
    """The portal's gauges, read when scraped."""

    def __init__(self, figures: Figures | None = None) -> None:
        self.figures = figures

    def describe(self) -> list:
        return []  # registering must not query anything: the families come from collect

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        yield from heartbeat_ages(now)
        yield from queue_depths()
        if self.figures is not None:
            yield from self.figures(now)


def heartbeat_ages(now: datetime) -> Iterator[GaugeMetricFamily]:
    seen = dict(Heartbeat.objects.values_list("name", "at"))

    def age(name: str) -> float:
        at = seen.get(name)
        return math.inf if at is None else max(0.0, (now - at).total_seconds())

    beat = GaugeMetricFamily(
        "portal_beat_last_tick_age_seconds",
        "Seconds since Celery beat last recorded a tick (+Inf: never).",
    )
    beat.add_metric([], age(heartbeats.BEAT))
    yield beat
    queues = GaugeMetricFamily(
        "portal_queue_heartbeat_age_seconds",
        "Seconds since a worker last ran the queue's heartbeat task (+Inf: never).",
        labels=["queue"],
    )
    for queue in QUEUES:
        queues.add_metric([queue], age(heartbeats.queue_name(queue)))
    yield queues


def queue_depths() -> Iterator[GaugeMetricFamily]:
    """Tasks waiting in each queue, and taken but not finished: on a Redis broker only."""
    url = celery_app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://")):
        return
    client = _brokers.get(url)
    if client is None:
        client = _brokers[url] = redis.Redis.from_url(
            url, socket_connect_timeout=0.5, socket_timeout=0.5
        )
    pipe = client.pipeline(transaction=False)
    for queue in QUEUES:
        for step in PRIORITY_STEPS:
            pipe.llen(f"{queue}{_PRIORITY_SEP}{step}" if step else queue)
    pipe.hlen(_UNACKED)
    reachable = GaugeMetricFamily(
        "portal_broker_up", "1 when the Redis broker answered this scrape, else 0."
    )
    try:
        replies = pipe.execute()
    except (redis.RedisError, OSError) as exc:
        log.warning("metrics: the broker did not answer (%s)", type(exc).__name__)
        reachable.add_metric([], 0)
        yield reachable
        return
    reachable.add_metric([], 1)
    yield reachable
    depth = GaugeMetricFamily(
        "portal_queue_depth", "Tasks waiting in the Celery queue.", labels=["queue"]
    )
    steps = len(PRIORITY_STEPS)
    for index, queue in enumerate(QUEUES):
        depth.add_metric([queue], sum(replies[index * steps : (index + 1) * steps]))
    yield depth
    unacked = GaugeMetricFamily(
        "portal_broker_unacked_tasks", "Tasks a worker has taken and not yet finished."
    )
    unacked.add_metric([], replies[-1])
    yield unacked
