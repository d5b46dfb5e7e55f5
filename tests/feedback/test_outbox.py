from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from feedback import outbox, tasks
from portal.celery import app


@pytest.mark.parametrize(
    "name", [outbox.ROUTE_ITEM, outbox.ROUTE_URGENT_ITEM, outbox.SEND_NOTIFICATIONS]
)
def test_every_name_the_outbox_sends_is_a_registered_task(name):
    assert tasks  # registered by importing the module, as the worker's autodiscovery does
    assert name in app.tasks


def test_a_child_at_risk_goes_on_the_urgent_queue_by_name():
    with mock.patch.object(app, "send_task") as send_task:
        outbox.send_now(outbox.ROUTE_URGENT_ITEM, 7)
    send_task.assert_called_once_with(outbox.ROUTE_URGENT_ITEM, args=(7,))
    assert app.amqp.router.route({}, outbox.ROUTE_URGENT_ITEM)["queue"].name == "urgent"


def test_a_broker_that_is_down_is_logged_not_raised(caplog):
    with mock.patch.object(app, "send_task", side_effect=OperationalError("down")):
        outbox.send_now(outbox.ROUTE_ITEM, 7)
    assert "could not send feedback.tasks.route_item" in caplog.text
