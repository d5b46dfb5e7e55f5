"""The items' and notifications' gauges for /metrics (portal/metrics.py), read at scrape.

Ages and counts by kind, status, channel and state: nothing from an item's words, no
reference, no person. Each query reads an index, not the whole table: items are counted
while open (closed ones only grow), notifications while not yet sent, and the sent ones
over the last day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from feedback.health import waiting
from feedback.models import OPEN_STATUSES, Item, Notification

WAITING_STATES = [state for state in Notification.State if state != Notification.State.SENT]


def figures(now: datetime) -> Iterator[GaugeMetricFamily]:
    yield from clock_ages(now)
    yield from items(now)
    yield from notifications(now)


def clock_ages(now: datetime) -> Iterator[GaugeMetricFamily]:
    """Seconds the oldest of each kind of waiting thing has waited (0 when none waits)."""
    ages = waiting(now)
    for key, name, help_text in (
        (
            "oldest_unrouted_seconds",
            "portal_oldest_unrouted_item_age_seconds",
            "Seconds since the oldest item still waiting to be routed was sent.",
        ),
        (
            "oldest_unacknowledged_urgent_seconds",
            "portal_oldest_unacknowledged_urgent_item_age_seconds",
            "Seconds since the oldest child-at-risk item nobody has acknowledged was sent.",
        ),
        (
            "oldest_unsent_message_seconds",
            "portal_oldest_unsent_notification_age_seconds",
            "Seconds since the oldest notification still waiting to be sent was made.",
        ),
    ):
        gauge = GaugeMetricFamily(name, help_text)
        gauge.add_metric([], ages[key] or 0)
        yield gauge
    gauge = GaugeMetricFamily(
        "portal_oldest_overdue_item_seconds",
        "Seconds the most overdue open item has been past its deadline (0 when none is).",
    )
    gauge.add_metric([], overdue_seconds(now))
    yield gauge


def overdue_seconds(now: datetime) -> float:
    """How long past its deadline the most overdue open item is: a minute clock's
    deadline is its moment (due_at), a working-day clock's the end of its day (due_on)."""
    oldest = Item.objects.overdue(now).aggregate(
        at=Min("due_at"), on=Min("due_on", filter=Q(due_at__isnull=True))
    )
    passed = []
    if oldest["at"] is not None:
        passed.append(oldest["at"])
    if oldest["on"] is not None:
        day_after = oldest["on"] + timedelta(days=1)
        passed.append(timezone.make_aware(datetime.combine(day_after, time.min)))
    return max(0.0, (now - min(passed)).total_seconds()) if passed else 0.0


def _gauge(name: str, documentation: str, labels: list[str], rows: Any) -> GaugeMetricFamily:
    """One gauge from rows of (label values..., count)."""
    gauge = GaugeMetricFamily(name, documentation, labels=labels)
    for *values, n in rows:
        gauge.add_metric([str(value) for value in values], n)
    return gauge


def _counts(rows: QuerySet[Any], *fields: str) -> QuerySet[Any]:
    """How many rows for each value of `fields`: (value..., n)."""
    return rows.values_list(*fields).annotate(n=Count("id")).order_by()


def items(now: datetime) -> Iterator[GaugeMetricFamily]:
    yield _gauge(
        "portal_open_items",
        "Open items (postcards and complaints) by kind and status.",
        ["kind", "status"],
        _counts(Item.objects.filter(status__in=OPEN_STATUSES), "kind", "status"),
    )
    yield _gauge(
        "portal_items_sent_last_day",
        "Items sent in the last 24 hours, by kind.",
        ["kind"],
        _counts(Item.objects.filter(created_at__gt=now - timedelta(days=1)), "kind"),
    )


def notifications(now: datetime) -> Iterator[GaugeMetricFamily]:
    yield _gauge(
        "portal_notifications",
        "Notifications not (yet) sent, by channel and state (pending, sending, failed, digest).",
        ["channel", "state"],
        _counts(Notification.objects.filter(state__in=WAITING_STATES), "channel", "state"),
    )
    yield _gauge(
        "portal_notifications_sent_last_day",
        "Notifications sent in the last 24 hours, by channel.",
        ["channel"],
        _counts(Notification.objects.filter(sent_at__gt=now - timedelta(days=1)), "channel"),
    )
