"""Routing runs on a real Celery worker: sent after commit, and once per item however often."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
import redis
from django.db import connection, transaction
from django.db.models import Count

from feedback import outbox, tasks
from feedback.models import Event, EventKind, Item, Notification, Status
from portal.models import User
from tests.conftest import submit
from tests.integration.conftest import Worker, Workers, queued, wait_for, wait_until_idle

pytestmark = pytest.mark.django_db(transaction=True)

ROUTING_EVENTS = (EventKind.ROUTED, EventKind.SAFEGUARDING)


def routing_events_per_item() -> dict[int, int]:
    rows = (
        Event.objects.filter(kind__in=ROUTING_EVENTS)
        .values("item_id")
        .annotate(n=Count("id"))
        .values_list("item_id", "n")
    )
    return dict(rows)


def routed_count() -> int:
    return Item.objects.filter(status=Status.ROUTED).count()


class Rollback(Exception):
    pass


def test_a_task_sent_on_commit_runs_on_the_worker(
    care_leaver: User, worker: Worker, redis_db: redis.Redis
) -> None:
    with transaction.atomic():
        item = submit(care_leaver).item
        # Not yet: a worker must never look for a row it cannot see.
        assert queued(redis_db) == 0

    wait_for(
        lambda: Item.objects.filter(pk=item.pk, status=Status.ROUTED).exists(),
        what="the worker to route the item",
        describe=worker.log,
    )
    item.refresh_from_db()
    assert item.service.slug == "leaving-care"
    assert item.routed_at is not None
    assert list(item.events.filter(kind__in=ROUTING_EVENTS).values_list("kind", flat=True)) == [
        EventKind.ROUTED
    ]


def test_a_task_sent_in_a_transaction_that_rolls_back_never_runs(
    care_leaver: User, worker: Worker, redis_db: redis.Redis
) -> None:
    # A committed, unrouted item: had its task gone out, the worker would route it.
    with mock.patch("feedback.outbox.send_on_commit"):
        waiting = submit(care_leaver).item

    with pytest.raises(Rollback), transaction.atomic():
        outbox.send_on_commit(outbox.ROUTE_ITEM, waiting.pk)
        rolled_back = submit(care_leaver).item
        raise Rollback

    # The worker takes one queue in order: once this later item is routed, any
    # task the rolled-back transaction had sent would have run already. It is
    # routed alone, so that it does not take the waiting item in its batch.
    with mock.patch("feedback.outbox.send_on_commit"):
        marker = submit(care_leaver).item
    tasks.route_item.delay(marker.pk, 1)
    wait_for(
        lambda: Item.objects.filter(pk=marker.pk, status=Status.ROUTED).exists(),
        what="the marker item to be routed",
        describe=worker.log,
    )
    wait_until_idle(redis_db, describe=worker.log)
    waiting.refresh_from_db()
    assert waiting.status == Status.SUBMITTED
    assert list(waiting.events.values_list("kind", flat=True)) == [EventKind.SUBMITTED]
    assert not Item.objects.filter(pk=rolled_back.pk).exists()
    assert routing_events_per_item() == {marker.pk: 1}


def test_200_items_sent_from_8_threads_are_each_routed_and_announced_once(
    care_leaver: User, caseworker: User, worker: Worker, redis_db: redis.Redis
) -> None:
    threads, per_thread = 8, 25

    def send_some(n: int) -> list[int]:
        try:
            return [submit(care_leaver, words=f"Idea {n}-{i}").item.pk for i in range(per_thread)]
        finally:
            # Each thread opened its own connection: leave none for the table flush to wait on.
            connection.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        ids = [pk for batch in pool.map(send_some, range(threads)) for pk in batch]
    assert len(set(ids)) == threads * per_thread

    wait_for(
        lambda: routed_count() == len(ids),
        timeout=60,
        what=f"{len(ids)} items to be routed",
        describe=lambda: f"{routed_count()} routed\n{worker.log()}",
    )
    emails = Notification.objects.filter(
        channel=Notification.Channel.EMAIL, template="item-arrived"
    )
    # One to the team's inbox and one to the caseworker, for each item.
    wait_for(
        lambda: emails.filter(state=Notification.State.SENT).count() == 2 * len(ids),
        timeout=60,
        what="every arrival email to be sent",
        describe=lambda: f"{emails.values('state').annotate(n=Count('id'))}\n{worker.log()}",
    )
    wait_until_idle(redis_db, describe=worker.log)

    assert routing_events_per_item() == dict.fromkeys(ids, 1)
    keys = list(emails.values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 2 * len(ids)
    per_item = emails.values("item_id").annotate(n=Count("id")).values_list("n", flat=True)
    assert set(per_item) == {2}
    assert not emails.exclude(state=Notification.State.SENT).exists()
    assert set(emails.values_list("attempts", flat=True)) == {1}


def test_routing_the_same_item_twice_routes_it_once(
    care_leaver: User, worker: Worker, redis_db: redis.Redis
) -> None:
    item = submit(care_leaver).item
    wait_for(
        lambda: Item.objects.filter(pk=item.pk, status=Status.ROUTED).exists(),
        what="the item to be routed",
        describe=worker.log,
    )
    item.refresh_from_db()
    routed_at = item.routed_at

    # Again on the worker, and again here, as a redelivered message would.
    tasks.route_item.delay(item.pk)
    assert tasks.route_item(item.pk) is False
    wait_until_idle(redis_db, describe=worker.log)

    item.refresh_from_db()
    assert item.routed_at == routed_at
    assert routing_events_per_item() == {item.pk: 1}
    assert item.notifications.count() == 1  # the team inbox, once


@pytest.mark.parametrize("batch", [1, 50], ids=["one-by-one", "in-batches"])
def test_two_workers_routing_the_same_items_at_once_route_each_once(
    care_leaver: User, workers: Workers, redis_db: redis.Redis, batch: int
) -> None:
    # No task at submission: only the two sends below route these items.
    with mock.patch("feedback.outbox.send_on_commit"):
        ids = [submit(care_leaver, words=f"Idea {i}").item.pk for i in range(50)]
    # Info logging shows each task's result: True when it routed, False when it found
    # the item already routed.
    first = workers.spawn(loglevel="info")
    second = workers.spawn(loglevel="info")
    workers.ready(first, second)

    # One by one, the row lock is the claim; in batches, SKIP LOCKED keeps the
    # two workers' batches apart.
    for item_id in ids:
        tasks.route_item.delay(item_id, batch)
        tasks.route_item.delay(item_id, batch)

    wait_for(
        lambda: routed_count() == len(ids),
        what="every item to be routed",
        describe=workers.logs,
    )
    wait_until_idle(redis_db, describe=workers.logs)

    assert routing_events_per_item() == dict.fromkeys(ids, 1)
    assert Notification.objects.filter(template="item-arrived").count() == len(ids)
    results = {
        worker: re.findall(r"feedback\.tasks\.route_item\[[^\]]+\] succeeded in \S+ (\w+)", log)
        for worker, log in ((first, first.log()), (second, second.log()))
    }
    outcomes = results[first] + results[second]
    assert len(outcomes) == 2 * len(ids)
    if batch == 1:
        assert outcomes.count("True") == len(ids)
    else:  # a task's own item may have been routed in another task's batch
        assert 1 <= outcomes.count("True") <= len(ids)
    # Both took part: the duplicates really ran on two processes.
    assert results[first] and results[second]


def test_the_outbox_queues_the_message_celery_would(redis_db: redis.Redis) -> None:
    """The outbox pushes a task itself on a Redis broker: what it queues must be what
    Celery's send_task queues, but for the ids each send makes anew."""
    import base64
    import json

    def popped(queue: str) -> dict:
        raw = redis_db.rpop(queue)
        assert raw is not None, f"nothing on {queue}"
        message = json.loads(raw)
        message["body"] = json.loads(base64.b64decode(message["body"]))
        for part, keys in (
            ("headers", ("id", "root_id")),
            ("properties", ("correlation_id", "delivery_tag")),
        ):
            for key in keys:
                assert message[part].pop(key)
        return message

    from portal.celery import app

    assert tasks  # registered, as in a worker: send_task adds the task's own options
    for name, queue in ((outbox.ROUTE_ITEM, "default"), (outbox.ROUTE_URGENT_ITEM, "urgent")):
        assert app.tasks[name].time_limit == app.conf.task_time_limit  # the app is finalised
        app.send_task(name, args=(41,))
        by_celery = popped(queue)
        outbox.send_now(name, 41)
        by_outbox = popped(queue)
        # The outbox leaves the time limits and ignore_result to the worker's task, which
        # applies its own whenever a message leaves them unset.
        assert by_outbox == by_celery
        assert by_outbox["headers"]["task"] == name
        assert by_outbox["body"][0] == [41]
        assert by_outbox["headers"]["timelimit"] == [120, 100]
