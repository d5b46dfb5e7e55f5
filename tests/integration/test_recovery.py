"""What the sweep is for: items whose routing task was never sent, or died with its worker."""

from __future__ import annotations

import psycopg
import pytest
import redis
from django.db import connection
from django.db.models import Count
from pytest_django.fixtures import Settings

from feedback import tasks
from feedback.models import Event, EventKind, Item, Notification, Status
from portal.models import User
from tests.conftest import submit
from tests.integration.conftest import (
    DEAD_BROKER_URL,
    Workers,
    broker_at,
    queued,
    unacked,
    wait_for,
    wait_until_idle,
)

pytestmark = pytest.mark.django_db(transaction=True)

SWEEP_AT_ONCE = {"ROUTING_SWEEP_AFTER_SECONDS": "0"}


def routed_events(item_ids: list[int]) -> dict[int, int]:
    rows = (
        Event.objects.filter(item_id__in=item_ids, kind=EventKind.ROUTED)
        .values("item_id")
        .annotate(n=Count("id"))
        .values_list("item_id", "n")
    )
    return dict(rows)


def test_items_sent_while_the_broker_is_down_are_routed_once_by_the_sweep(
    care_leaver: User, workers: Workers, redis_db: redis.Redis, settings: Settings
) -> None:
    settings.ROUTING_SWEEP_AFTER_SECONDS = 0
    worker = workers.start(env=SWEEP_AT_ONCE)

    with broker_at(DEAD_BROKER_URL):
        results = [submit(care_leaver, words=f"Idea {i}") for i in range(10)]

    # The young people were told it was sent, and it was: saved, waiting for routing.
    assert all(result.created for result in results)
    ids = [result.item.pk for result in results]
    assert queued(redis_db) == 0
    assert Item.objects.filter(pk__in=ids, status=Status.SUBMITTED).count() == len(ids)

    # The broker is back. Sweep here and on the worker, as two beat ticks close together
    # would: the second sweep's sends find the items routed, or route what is left.
    # Ten ordinary items fit one routing batch: one task is sent for them all.
    assert tasks.sweep_unrouted() == 1
    tasks.sweep_unrouted.delay()
    wait_for(
        lambda: Item.objects.filter(pk__in=ids, status=Status.ROUTED).count() == len(ids),
        what="the swept items to be routed",
        describe=worker.log,
    )
    wait_until_idle(redis_db, describe=worker.log)
    assert routed_events(ids) == dict.fromkeys(ids, 1)
    assert Notification.objects.filter(item_id__in=ids).count() == len(ids)


def _blocked_routing_backends(database: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT pid FROM pg_stat_activity
            WHERE datname = %s AND wait_event_type = 'Lock'
              -- Only the start: pg_stat_activity cuts long statements short.
              AND query LIKE 'SELECT %%"feedback_item"%%'
            """,
            [database],
        )
        return [pid for (pid,) in cursor.fetchall()]


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def test_an_item_whose_worker_was_killed_while_routing_it_is_routed_once_by_the_sweep(
    care_leaver: User, workers: Workers, redis_db: redis.Redis, settings: Settings
) -> None:
    settings.ROUTING_SWEEP_AFTER_SECONDS = 0
    item = submit(care_leaver).item  # its task waits in the queue: no worker yet
    database = connection.settings_dict["NAME"]

    # Hold the item's row in another session, so the worker's locking read waits
    # on it: the worker is then certainly in the middle of routing when it dies.
    db = connection.settings_dict
    lock = psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname=database,
    )
    try:
        lock.execute("SELECT id FROM feedback_item WHERE id = %s FOR UPDATE", [item.pk])
        doomed = workers.start()
        blocked = wait_for(
            lambda: _blocked_routing_backends(database),
            what="the worker to block on the locked row",
            describe=doomed.log,
        )
        doomed.kill()
    finally:
        lock.rollback()
        lock.close()

    # The dead worker's session finds its client gone and rolls back: nothing half-done.
    wait_for(
        lambda: not any(_backend_alive(pid) for pid in blocked),
        what="the killed worker's database session to end",
    )
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED
    assert list(item.events.values_list("kind", flat=True)) == [EventKind.SUBMITTED]
    assert not item.notifications.exists()
    # Its message was taken and never acknowledged: Redis would hand it out again
    # only after the visibility timeout (minutes). The sweep does not wait for that.
    assert queued(redis_db) == 0
    assert unacked(redis_db) == 1

    fresh = workers.start(env=SWEEP_AT_ONCE)
    tasks.sweep_unrouted.delay()
    wait_for(
        lambda: Item.objects.filter(pk=item.pk, status=Status.ROUTED).exists(),
        what="the sweep to route the item",
        describe=fresh.log,
    )
    wait_until_idle(redis_db, still_unacked=1, describe=fresh.log)
    assert routed_events([item.pk]) == {item.pk: 1}
    assert item.notifications.count() == 1
