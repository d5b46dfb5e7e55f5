"""The Celery app: configured from Django settings, with the beat schedule in one place."""

import gc
import logging
import logging.config
import os
from typing import Any

from celery import Celery, signals
from django.conf import settings
from kombu import Exchange, Queue

from portal.request_id import stamp, task_finished, task_started

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Celery's Django fixup runs Django's system checks as each worker starts, and the URL
# check imports every view, form and API serializer of the site (15 MB in a process that
# routes items and sends mail). The checks run where they can stop a bad release: `manage.py
# migrate` at deployment and `check --deploy` in CI (an empty CELERY_SKIP_CHECKS runs them
# here too).
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")

# The queues, each with its worker (and its heartbeat, portal.heartbeats).
QUEUES = ("urgent", "default", "notifications")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=120,
    task_soft_time_limit=100,
    broker_connection_retry_on_startup=True,
    # A request that sends a task must not hang when the broker is down: fail
    # fast, and let the sweep pick the item up once the broker is back.
    task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
    broker_connection_timeout=2,
    task_default_queue="default",
    # Each queue its own exchange and key: with one shared key a message would be
    # copied into every queue and run once per queue.
    task_queues=tuple(
        Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES
    ),
    task_default_exchange="default",
    task_default_routing_key="default",
    task_routes={
        "feedback.tasks.route_urgent_item": {"queue": "urgent"},
        "feedback.tasks.check_urgent_clocks": {"queue": "urgent"},
        "feedback.tasks.send_notifications": {"queue": "notifications"},
    },
    worker_hijack_root_logger=False,
    # Beat records its own ticks for /healthz (portal.heartbeats).
    beat_scheduler="portal.beat:RecordingScheduler",
    timezone="Europe/London",
    beat_schedule={
        "sweep-unrouted": {"task": "feedback.tasks.sweep_unrouted", "schedule": 30.0},
        # A child at risk's clock is counted in minutes: checked every minute.
        "check-urgent-clocks": {"task": "feedback.tasks.check_urgent_clocks", "schedule": 60.0},
        "check-clocks": {"task": "feedback.tasks.check_clocks", "schedule": 300.0},
        "sweep-notifications": {"task": "feedback.tasks.sweep_notifications", "schedule": 60.0},
        # Daily jobs are asked every few minutes and run once a day at their time
        # (portal.daily): a restart of beat neither skips nor repeats a day.
        "anonymise-expired": {"task": "feedback.tasks.anonymise_expired", "schedule": 300.0},
        "daily-digest": {"task": "feedback.tasks.send_daily_digests", "schedule": 300.0},
        "clear-sessions": {"task": "portal.tasks.clear_expired_sessions", "schedule": 3600.0},
        "remind-review-leads": {
            "task": "participation.tasks.remind_review_leads",
            "schedule": 3600.0,
        },
        # Each queue's worker says it is alive; /healthz reads when (portal.heartbeats).
        **{
            f"heartbeat-{queue}": {
                "task": "portal.tasks.heartbeat",
                "schedule": 30.0,
                "args": (f"queue:{queue}",),
                "options": {"queue": queue, "expires": 30},
            }
            for queue in QUEUES
        },
        # Bounds how stale a theme tag on an older item can be on the council's figures.
        "refresh-council-rollup": {"task": "participation.tasks.refresh_rollup", "schedule": 600.0},
    },
)
app.autodiscover_tasks()


@signals.worker_process_init.connect
def _freeze_what_is_loaded(**kwargs: object) -> None:
    """Each worker process keeps Django and the tasks for its whole life: the garbage
    collector need not walk them again in every full collection (gc.freeze)."""
    gc.collect()
    gc.freeze()


@signals.setup_logging.connect
def _log_as_django_says(loglevel: int | str | None = None, **kwargs: object) -> None:
    """Workers and beat log through the settings' LOGGING (JSON lines with the request
    id in production), which Django has applied, rather than Celery's own formats;
    `-l` still sets the level."""
    root = logging.getLogger()
    if not root.handlers:  # before Django's set-up: apply it now
        logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        root.setLevel(loglevel)


@signals.before_task_publish.connect
def _send_the_request_id(headers: dict[str, Any] | None = None, **kwargs: object) -> None:
    if headers is not None:
        stamp(headers)


@signals.task_prerun.connect
def _hold_the_request_id(task_id: str = "", task: Any = None, **kwargs: object) -> None:
    task_started(task_id, task)


@signals.task_postrun.connect
def _let_go_of_the_request_id(task_id: str = "", **kwargs: object) -> None:
    task_finished(task_id)
