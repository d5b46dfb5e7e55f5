"""gunicorn's settings for the image and compose: `gunicorn -c python:portal.gunicorn_conf
portal.wsgi`.

No access log: the portal logs one line a request itself (portal.request_id: method, view
name, status, time), and gunicorn's would carry the path, which can name a young person
or hold an invitation token or a password reset key.

With PROMETHEUS_MULTIPROC_DIR set, each worker process writes its request counts there
and /metrics adds them up (portal.metrics): the directory is emptied as gunicorn starts
(figures from a previous start would be counted again), and a worker that exits is
marked dead so its live gauges stop counting.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # every address: inside a container
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
accesslog = None


def on_starting(server: Any) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
