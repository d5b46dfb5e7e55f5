"""Celery tasks sent by their registered names, after the transaction commits.

Services, dispatch and notifications send work to Celery through here, so none of
them imports `feedback.tasks`: only Celery does (by autodiscovery), and there is
no circle of imports between what changes items and what runs in the background.
"""

from __future__ import annotations

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

from portal.celery import app

log = logging.getLogger(__name__)

# The names feedback.tasks registers; a test checks each one is registered.
ROUTE_ITEM = "feedback.tasks.route_item"
ROUTE_URGENT_ITEM = "feedback.tasks.route_urgent_item"
SEND_NOTIFICATIONS = "feedback.tasks.send_notifications"


def send_now(task_name: str, *args: object) -> None:
    """Send at once (task_routes choose the queue by name); a broker that is down is logged.

    What the task would do is already saved, so a failed send is left for the
    periodic sweep and the caller still succeeds.
    """
    try:
        app.send_task(task_name, args=args)
    except (OperationalError, ConnectionError, OSError) as exc:
        log.warning(
            "could not send %s for %s (%s): the sweep will", task_name, args, type(exc).__name__
        )


def send_on_commit(task_name: str, *args: object) -> None:
    """Send once the caller's transaction commits: a worker never looks for a row it cannot see."""
    transaction.on_commit(lambda: send_now(task_name, *args))
