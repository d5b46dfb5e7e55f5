"""Thin Celery wrappers: take ids, call feedback.dispatch or delivery. Every task is safe to run twice.

Only Celery imports this module; the rest of the code sends these tasks by name
through feedback.outbox."""

from __future__ import annotations

import logging
from datetime import time, timedelta

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from feedback import delivery, dispatch, notifications
from portal import daily

log = logging.getLogger(__name__)


@shared_task(name="feedback.tasks.route_item")
def route_item(item_id: int, batch: int = dispatch.ROUTING_BATCH) -> bool:
    return dispatch.route_item(item_id, batch=batch)


@shared_task(name="feedback.tasks.route_urgent_item")
def route_urgent_item(item_id: int) -> bool:
    # Alone: a child at risk does not wait while others are routed with it.
    return dispatch.route_item(item_id, batch=1)


@shared_task(name="feedback.tasks.sweep_unrouted")
def sweep_unrouted() -> int:
    now = timezone.now()
    urgent, batches = dispatch.items_to_sweep(
        now - timedelta(seconds=settings.ROUTING_SWEEP_AFTER_SECONDS)
    )
    for item_id in urgent:
        route_urgent_item.apply_async(args=(item_id,))
    for item_id in batches:
        route_item.apply_async(args=(item_id,))
    dispatch.alert_unrouted(now - timedelta(minutes=settings.ROUTING_ALERT_AFTER_MINUTES))
    return len(urgent) + len(batches)


@shared_task(name="feedback.tasks.check_urgent_clocks")
def check_urgent_clocks() -> dict[str, int]:
    return dispatch.check_urgent_clocks()


@shared_task(name="feedback.tasks.check_clocks")
def check_clocks() -> dict[str, int]:
    return dispatch.check_clocks()


# No limit on the task's retries: each row counts its own attempts (delivery.MAX_ATTEMPTS).
@shared_task(name="feedback.tasks.send_notifications", bind=True, max_retries=None)
def send_notifications(self: Task, notification_ids: list[int]) -> dict[str, int]:
    """Send a batch (one piece of news to its recipients); retry only those refused."""
    delivered = delivery.deliver_all(notification_ids)
    if delivered.refused:
        # The rows carry their own next attempt, so the sweep retries them even if
        # this retry is lost; the task's own attempts are not the limit.
        raise self.retry(args=(delivered.refused,), countdown=delivered.retry_in)
    return delivered.outcomes


@shared_task(name="feedback.tasks.sweep_notifications")
def sweep_notifications() -> int:
    ids = delivery.stale_pending(timezone.now() - timedelta(minutes=2))
    if ids:
        send_notifications.apply_async(args=(ids,))
    return len(ids)


# Retention runs at night, when nobody is working on the items it anonymises.
RETENTION_AT = time(2, 30)


@shared_task(name="feedback.tasks.send_daily_digests")
def send_daily_digests() -> int:
    """Asked every few minutes by beat; sends once a day at DIGEST_HOUR (portal.daily)."""
    if not daily.due("daily-digest", time(settings.DIGEST_HOUR)):
        return 0
    sent = notifications.daily_digests()
    daily.ran("daily-digest")
    return sent


@shared_task(name="feedback.tasks.anonymise_expired")
def anonymise_expired() -> int:
    """Asked every few minutes by beat; runs once a day from RETENTION_AT (portal.daily)."""
    if not daily.due("anonymise-expired", RETENTION_AT):
        return 0
    done = dispatch.anonymise_expired()
    daily.ran("anonymise-expired")
    return done
