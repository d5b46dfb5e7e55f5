import os
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
import redis
from kombu.exceptions import OperationalError

from feedback import outbox, tasks
from portal.celery import app


@contextmanager
def broker(url: str) -> Iterator[None]:
    # Celery reads CELERY_BROKER_URL first (the unit tests' settings set it to memory://).
    with mock.patch.dict(os.environ, {"CELERY_BROKER_URL": url}):
        assert app.conf.broker_url == url
        yield


@pytest.mark.parametrize(
    "name", [outbox.ROUTE_ITEM, outbox.ROUTE_URGENT_ITEM, outbox.SEND_NOTIFICATIONS]
)
def test_every_name_the_outbox_sends_is_a_registered_task(name):
    assert tasks  # registered by importing the module, as the worker's autodiscovery does
    assert name in app.tasks


def test_a_child_at_risk_goes_on_the_urgent_queue_by_name():
    message = outbox.task_message(outbox.ROUTE_URGENT_ITEM, (7,))
    assert message["headers"]["task"] == outbox.ROUTE_URGENT_ITEM
    assert message["properties"]["delivery_info"]["routing_key"] == "urgent"
    assert app.amqp.router.route({}, outbox.ROUTE_URGENT_ITEM)["queue"].name == "urgent"
    assert (
        outbox.task_message(outbox.ROUTE_ITEM, (7,))["properties"]["delivery_info"]["routing_key"]
        == "default"
    )


def test_on_another_broker_celery_sends_it():
    with (
        broker("filesystem://"),
        mock.patch.object(app, "send_task") as send_task,
    ):
        outbox.send_now(outbox.ROUTE_URGENT_ITEM, 7)
    send_task.assert_called_once_with(outbox.ROUTE_URGENT_ITEM, args=(7,))


def test_the_hand_built_push_is_used_only_on_the_versions_its_test_has_held_equal(monkeypatch):
    # On this machine's pinned Celery and kombu, the push; the plain send_task otherwise.
    assert outbox.PUSH_BY_HAND
    monkeypatch.setattr(outbox, "PUSH_BY_HAND", False)
    with (
        broker("redis://127.0.0.1:1/0"),  # a Redis broker, which would take the push
        mock.patch.object(app, "send_task") as send_task,
    ):
        outbox.send_now(outbox.ROUTE_ITEM, 7)
    send_task.assert_called_once_with(outbox.ROUTE_ITEM, args=(7,))


def test_a_broker_that_is_down_is_logged_not_raised(caplog):
    with (
        broker("filesystem://"),
        mock.patch.object(app, "send_task", side_effect=OperationalError("down")),
    ):
        outbox.send_now(outbox.ROUTE_ITEM, 7)
    assert "could not send feedback.tasks.route_item" in caplog.text


def test_a_redis_broker_that_is_down_is_logged_not_raised(caplog):
    with broker("redis://127.0.0.1:1/0"):  # refused at once
        outbox.send_now(outbox.ROUTE_ITEM, 7)
    assert "could not send feedback.tasks.route_item for (7,) (ConnectionError)" in caplog.text
    assert isinstance(outbox._brokers["redis://127.0.0.1:1/0"], redis.Redis)
